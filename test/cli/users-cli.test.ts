/**
 * `wacast user list` and `wacast user set-password`: the operator sees every dashboard user with
 * what they can open, and sets a forgotten password from the server's shell, which ends the
 * user's sessions. Mistakes say what is wrong in one line and change nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { openSqlite } from '../../src/storage/db.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import { createSession } from '../../src/auth/sessions.service.js';

describe('wacast user list and set-password', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wacast-cli-users-'));
  const env = { WACAST_DATA_DIR: dir, WACAST_LOG_LEVEL: 'warn' };
  beforeAll(async () => {
    expect((await runCli(['migrate'], env)).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function withDb<T>(work: (db: ReturnType<typeof openSqlite>) => Promise<T>): Promise<T> {
    const db = openSqlite(join(dir, 'wacast.db'));
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  }

  it('lists users by email with their access, as text and JSON, without password hashes', async () => {
    const empty = await runCli(['user', 'list'], env);
    expect([empty.code, empty.stdout]).toEqual([0, 'No users yet: `wacast user create` creates one.\n']);
    const project = JSON.parse((await runCli(['project', 'create', '--name', 'Shop', '--json'], env)).stdout) as { projectId: string };
    expect((await runCli(['user', 'create', '--email', 'zed@example.com', '--password', 'correct horse battery', '--project', project.projectId], env)).code).toBe(0);
    expect((await runCli(['user', 'create', '--email', 'amy@example.com', '--password', 'correct horse battery', '--admin'], env)).code).toBe(0);
    expect((await runCli(['user', 'create', '--email', 'bo@example.com', '--password', 'correct horse battery'], env)).code).toBe(0);

    const text = await runCli(['user', 'list'], env);
    expect([text.code, text.stderr]).toEqual([0, '']);
    expect(text.stdout).toBe(`amy@example.com\tadmin (every project)\nbo@example.com\tno project\nzed@example.com\tShop (${project.projectId})\n`);
    const listed = await runCli(['user', 'list', '--json'], env);
    expect(listed.stdout).not.toMatch(/argon2|hash/i);
    const users = JSON.parse(listed.stdout) as Array<{ email: string; isAdmin: boolean; projects: Array<{ id: string; name: string }> }>;
    expect(users.map((user) => [user.email, user.isAdmin, user.projects])).toEqual([
      ['amy@example.com', true, []],
      ['bo@example.com', false, []],
      ['zed@example.com', false, [{ id: project.projectId, name: 'Shop' }]],
    ]);
  }, 60_000);

  it('sets a password, ending the user\'s sessions; refuses an unknown user and a weak password', async () => {
    await withDb(async (db) => {
      const user = await db.kysely.selectFrom('users').select('id').where('email', '=', 'bo@example.com').executeTakeFirstOrThrow();
      await createSession(db, user.id, null);
      await createSession(db, user.id, null);
    });
    const unknown = await runCli(['user', 'set-password', '--email', 'nobody@example.com', '--password', 'a new long password'], env);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'No user with the email nobody@example.com: `wacast user create` creates one.\n']);
    const weak = await runCli(['user', 'set-password', '--email', 'bo@example.com', '--password', 'short'], env);
    expect([weak.code, weak.stderr]).toEqual([1, '--password must be at least 10 characters.\n']);
    await withDb(async (db) => {
      const row = await db.kysely.selectFrom('users').select(['id', 'password_hash']).where('email', '=', 'bo@example.com').executeTakeFirstOrThrow();
      expect(await verifyPassword(row.password_hash, 'correct horse battery')).toBe(true);
      expect((await db.kysely.selectFrom('sessions').select('id').where('user_id', '=', row.id).execute()).length).toBe(2);
    });

    const set = await runCli(['user', 'set-password', '--email', ' BO@example.com', '--password', 'a new long password'], env);
    expect([set.code, set.stdout, set.stderr]).toEqual([0, 'Password of bo@example.com changed; 2 sessions ended.\n', '']);
    await withDb(async (db) => {
      const row = await db.kysely.selectFrom('users').select(['id', 'password_hash']).where('email', '=', 'bo@example.com').executeTakeFirstOrThrow();
      expect(await verifyPassword(row.password_hash, 'a new long password')).toBe(true);
      expect(await verifyPassword(row.password_hash, 'correct horse battery')).toBe(false);
      expect(await db.kysely.selectFrom('sessions').select('id').where('user_id', '=', row.id).execute()).toEqual([]);
    });
  }, 60_000);
});
