/**
 * `wacast restore`, as an operator runs it: it refuses while wacast uses the database, without the
 * key the backup needs, or without --yes over existing data (changing nothing each time); it keeps
 * the database it replaces; and it pauses the campaigns that were running at the backup, which
 * would otherwise send again what they sent after it.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { openSqlite } from '../../src/storage/db.js';
import { newId } from '../../src/ids.js';
import { toJson } from '../../src/storage/json.js';
import { createTemplateRow, seedCampaign } from '../helpers/campaign-seed.js';
import { RESTORE_PAUSE_REASON } from '../../src/campaigns/restore-pause.js';

function read<T>(file: string, query: string): T[] {
  const sqlite = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    return sqlite.prepare(query).all() as T[];
  } finally {
    sqlite.close();
  }
}

describe('wacast restore', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wacast-restore-'));
  const out = mkdtempSync(join(tmpdir(), 'wacast-restore-out-'));
  const env = { WACAST_DATA_DIR: dataDir, WACAST_LOG_LEVEL: 'warn' };
  const database = join(dataDir, 'wacast.db');
  const backup = join(out, 'backup.db');
  let runningId: string;

  beforeAll(async () => {
    const created = JSON.parse((await runCli(['project', 'create', '--name', 'Shop', '--json'], env)).stdout) as { projectId: string };
    // A campaign running at the backup (two messages still queued) and one already completed.
    const db = openSqlite(database);
    try {
      const now = Date.now();
      const providerId = newId(now);
      await db.kysely
        .insertInto('provider_accounts')
        .values({ id: providerId, project_id: created.projectId, type: 'gupshup', nickname: 'g', is_default: 1, rate_per_second: 80, auto_reply_enabled: 0, auto_reply_text: null, callback_token: newId(), credentials_ciphertext: 'x', credentials_public: toJson({}), created_at: now, updated_at: now })
        .execute();
      const templateId = await createTemplateRow(db, created.projectId, providerId);
      const running = await seedCampaign(db, { projectId: created.projectId, providerId, templateId, name: 'Spring sale', messages: [{ profileId: null, phone: '+919800000001', status: 'queued' }, { profileId: null, phone: '+919800000002', status: 'queued' }] });
      runningId = running.campaignId;
      const done = await seedCampaign(db, { projectId: created.projectId, providerId, templateId, name: 'Winter sale', messages: [] });
      await db.kysely.updateTable('campaigns').set({ state: 'completed', completed_at: now }).where('id', '=', done.campaignId).execute();
    } finally {
      await db.close();
    }
    expect((await runCli(['backup', '--out', backup], env)).code).toBe(0);
    // Life goes on after the backup: a second project.
    expect((await runCli(['project', 'create', '--name', 'Later'], env)).code).toBe(0);
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  const projects = () => read<{ name: string }>(database, 'select name from projects order by name').map((row) => row.name);

  it('asks for --yes before replacing a database that exists, and changes nothing without it', async () => {
    const refused = await runCli(['restore', '--from', backup], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`${database} already holds a database (2 project(s), 0 profile(s), 2 message(s)). Add --yes to replace it with the backup; the current one is kept as ${database}.before-restore-<time>.\n`);
    expect(projects()).toEqual(['Later', 'Shop']);
  });

  it('refuses while a process has the database open, or a worker lease in it is live', async () => {
    const holder = new BetterSqlite3(database);
    try {
      const refused = await runCli(['restore', '--from', backup, '--yes'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`wacast is using ${database} (process ${process.pid}): stop every wacast process on this data directory first, then restore.\n`);
      // Also when the data directory is named through a symlink (the process holds the real path).
      const link = join(out, 'data-link');
      symlinkSync(dataDir, link);
      const throughLink = await runCli(['restore', '--from', backup, '--yes'], { ...env, WACAST_DATA_DIR: link });
      expect([throughLink.code, throughLink.stderr]).toEqual([1, `wacast is using ${join(link, 'wacast.db')} (process ${process.pid}): stop every wacast process on this data directory first, then restore.\n`]);
      holder.prepare('insert into leases (name, owner, expires_at) values (?, ?, ?)').run('scheduler', 'worker-a', Date.now() + 5000);
    } finally {
      holder.close();
    }
    const leased = await runCli(['restore', '--from', backup, '--yes'], env);
    expect(leased.code).toBe(1);
    expect(leased.stderr).toMatch(/^A wacast worker \(worker-a\) held the scheduler lease in .* within the last 15 s: stop every wacast process/);
    expect(projects()).toEqual(['Later', 'Shop']);
    const cleaner = new BetterSqlite3(database);
    cleaner.prepare('delete from leases').run();
    cleaner.close();
  });

  it('refuses a backup the secret key does not open: wacast would not start on it', async () => {
    const refused = await runCli(['restore', '--from', backup, '--yes'], { ...env, WACAST_SECRET_KEY: 'cd'.repeat(32) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("The secret key from WACAST_SECRET_KEY does not open this backup's provider credentials");
    expect(projects()).toEqual(['Later', 'Shop']);
  });

  it('restores, keeps the replaced database whole, and pauses the campaign that was running at the backup', async () => {
    const restored = await runCli(['restore', '--from', backup, '--yes'], env);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const lines = restored.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Restored ${database} from ${backup}: 1 project\\(s\\), 0 profile\\(s\\), 2 message\\(s\\); schema \\d{4}-`));
    expect(lines[1]).toMatch(/^The database it replaced is kept as .*wacast\.db\.before-restore-/);
    expect(lines.slice(2)).toEqual([
      'Paused 1 campaign(s) that were running when the backup was taken. Resuming one sends again the messages it sent after the backup; stop it instead if that must not happen:',
      '  Spring sale (project Shop, 2 queued)',
    ]);

    expect(projects()).toEqual(['Shop']);
    expect(statSync(database).mode & 0o777).toBe(0o600);
    expect(read<{ id: string; state: string; state_reason: string | null }>(database, 'select id, state, state_reason from campaigns order by name')).toEqual([
      { id: runningId, state: 'paused', state_reason: RESTORE_PAUSE_REASON },
      { id: expect.any(String), state: 'completed', state_reason: null },
    ]);
    // What it replaced is kept, complete on its own (its WAL was checkpointed into it).
    const kept = readdirSync(dataDir).filter((name) => name.startsWith('wacast.db.before-restore-'));
    expect(kept).toHaveLength(1);
    expect(read<{ name: string }>(join(dataDir, kept[0]!), 'select name from projects order by name').map((row) => row.name)).toEqual(['Later', 'Shop']);
    expect(readdirSync(dataDir).filter((name) => name.includes('restore-') && !name.startsWith('wacast.db.before-restore-'))).toEqual([]);
    // The server's commands work on it.
    expect((await runCli(['migrate'], env)).code).toBe(0);
  });

  it('on a new machine: asks for the key the backup needs, then restores without --yes', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'wacast-restore-new-'));
    try {
      const freshEnv = { WACAST_DATA_DIR: fresh, WACAST_LOG_LEVEL: 'warn' };
      const noKey = await runCli(['restore', '--from', backup], freshEnv);
      expect(noKey.code).toBe(1);
      expect(noKey.stderr).toBe(`The backup holds provider credentials, and there is no secret key here to open them: set WACAST_SECRET_KEY, or put the key file the backup was taken with at ${join(fresh, 'secret.key')}, then restore again.\n`);
      expect(existsSync(join(fresh, 'wacast.db'))).toBe(false);
      copyFileSync(join(dataDir, 'secret.key'), join(fresh, 'secret.key'));
      const restored = await runCli(['restore', '--from', backup], freshEnv);
      expect(restored.code).toBe(0);
      expect(read<{ name: string }>(join(fresh, 'wacast.db'), 'select name from projects').map((row) => row.name)).toEqual(['Shop']);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('points to pg_restore on PostgreSQL, and names a backup that is not there', async () => {
    const postgres = await runCli(['restore', '--from', backup], { ...env, WACAST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' });
    expect([postgres.code, postgres.stderr.includes('pg_restore')]).toEqual([1, true]);
    const missing = await runCli(['restore', '--from', join(out, 'nope.db')], env);
    expect([missing.code, missing.stderr]).toEqual([1, `There is no file ${join(out, 'nope.db')}.\n`]);
  });
});
