/**
 * `wacast backup`, as an operator runs it beside a running server: a consistent, private copy
 * taken while profiles are being written, whose provider credentials the server's key opens; and
 * each way it refuses, leaving nothing behind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startServer, type RunningServer } from '../e2e/helpers/server.js';
import { GUPSHUP_CREDENTIALS } from '../e2e/helpers/sandbox-account.js';
import { SecretBox } from '../../src/secrets/secret-box.js';
import { decodeSecretKey } from '../../src/config.js';

describe('wacast backup', () => {
  let server: RunningServer;
  let env: Record<string, string>;
  let headers: Record<string, string>;
  const out = mkdtempSync(join(tmpdir(), 'wacast-backup-'));

  async function upload(from: number, count: number): Promise<void> {
    const d = Array.from({ length: count }, (_, i) => ({ identity: `u${from + i}`, type: 'profile', profileData: { Name: `User ${from + i}`, Phone: `+9198${String(10_000_000 + from + i)}` } }));
    const response = await fetch(`${server.url}/api/v1/upload`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ d }) });
    expect(response.status).toBe(200);
  }

  function profilesIn(file: string): number {
    const copy = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    try {
      return (copy.prepare('select count(*) as n from profiles').get() as { n: number }).n;
    } finally {
      copy.close();
    }
  }

  beforeAll(async () => {
    server = await startServer();
    env = { WACAST_DATA_DIR: server.dataDir, WACAST_LOG_LEVEL: 'warn' };
    const project = JSON.parse((await runCli(['project', 'create', '--name', 'Shop', '--json'], env)).stdout) as { accountId: string; passcode: string };
    headers = { 'x-wacast-account-id': project.accountId, 'x-wacast-passcode': project.passcode };
    const provider = await fetch(`${server.url}/api/v1/providers`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'gupshup', nickname: 'Gupshup', credentials: GUPSHUP_CREDENTIALS }),
    });
    expect(provider.status).toBe(201);
    await upload(0, 1000);
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it('copies the database while the server writes: consistent, private, and opened by the server\'s key', async () => {
    // Profiles keep arriving through the API during the whole backup.
    let writing = true;
    let uploaded = 1000;
    const writer = (async () => {
      while (writing) {
        await upload(uploaded, 200);
        uploaded += 200;
      }
    })();
    const file = join(out, 'wacast-backup.db');
    const result = await runCli(['backup', '--out', file], env);
    writing = false;
    await writer;

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Backup written to .*wacast-backup\.db \([\d.]+ MiB\): 1 project\(s\), \d+ profile\(s\), 0 message\(s\); schema \d{4}-[a-z-]+\.\n/);
    expect(result.stdout).toContain(`encrypted with the key file ${join(server.dataDir, 'secret.key')} (checked: it opens the copy's credentials)`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Nothing but the backup itself is left in the directory (no partial file, no -wal or -shm).
    expect(readdirSync(out)).toEqual(['wacast-backup.db']);

    const copy = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      // A snapshot: whole upload batches (each one transaction), at least those done before the backup started.
      const profiles = (copy.prepare('select count(*) as n from profiles').get() as { n: number }).n;
      expect(profiles).toBeGreaterThanOrEqual(1000);
      expect(profiles).toBeLessThanOrEqual(uploaded);
      expect(result.stdout).toContain(`${profiles} profile(s)`);
      // The provider credentials open with the server's key file: a restore has everything it needs.
      const key = decodeSecretKey(readFileSync(join(server.dataDir, 'secret.key'), 'utf8'))!;
      const row = copy.prepare('select credentials_ciphertext from provider_accounts').get() as { credentials_ciphertext: string };
      expect(new SecretBox(key).decryptJson<{ notificationPassword: string }>(row.credentials_ciphertext).notificationPassword).toBe(GUPSHUP_CREDENTIALS.notificationPassword);
    } finally {
      copy.close();
    }
  });

  it('refuses to overwrite a file unless --force, and never leaves a half-written one', async () => {
    const file = join(out, 'existing.db');
    writeFileSync(file, 'not a backup');
    const refused = await runCli(['backup', '--out', file], env);
    expect([refused.code, refused.stdout, refused.stderr]).toEqual([1, '', `${file} already exists: choose another file, or add --force to replace it.\n`]);
    expect(readFileSync(file, 'utf8')).toBe('not a backup');

    const forced = await runCli(['backup', '--out', file, '--force'], env);
    expect(forced.code).toBe(0);
    expect(profilesIn(file)).toBeGreaterThanOrEqual(1000);
    expect(readdirSync(out).filter((name) => name.includes('partial'))).toEqual([]);
  });

  it('says when the secret key it is given does not open the database, and exits 2', async () => {
    const other = 'ab'.repeat(32);
    const result = await runCli(['backup', '--out', join(out, 'other-key.db')], { ...env, WACAST_SECRET_KEY: other });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Warning: WACAST_SECRET_KEY does NOT open this database\'s provider credentials');
    expect(existsSync(join(out, 'other-key.db'))).toBe(true);
  });

  it('explains what to do instead: no database there, a missing directory, PostgreSQL', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'wacast-backup-empty-'));
    try {
      const noDatabase = await runCli(['backup', '--out', join(out, 'none.db')], { WACAST_DATA_DIR: empty });
      expect([noDatabase.code, noDatabase.stderr]).toEqual([1, `There is no wacast database at ${join(empty, 'wacast.db')}: run the backup with the server's WACAST_DATA_DIR.\n`]);
      // Nothing was created: neither a database in the data directory nor a key.
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const missingDirectory = await runCli(['backup', '--out', join(out, 'no-such-dir', 'b.db')], env);
    expect([missingDirectory.code, missingDirectory.stderr]).toEqual([1, `The directory ${join(out, 'no-such-dir')} does not exist: create it first, or choose another --out.\n`]);
    const postgres = await runCli(['backup', '--out', join(out, 'pg.db')], { ...env, WACAST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
    expect(postgres.code).toBe(1);
    expect(postgres.stderr).toContain('Back it up with pg_dump');
    expect(existsSync(join(out, 'none.db')) || existsSync(join(out, 'pg.db'))).toBe(false);
  });
});
