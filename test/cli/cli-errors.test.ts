/**
 * The `wacast` command run with operator mistakes: each prints one line saying what is wrong and
 * what to do, and exits 1 — no stack trace, nothing half done.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliUntil } from '../helpers/cli.js';
import { hasPostgres } from '../helpers/databases.js';
import { openSqlite } from '../../src/storage/db.js';
import { sql } from 'kysely';

describe('wacast CLI mistakes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wacast-cli-'));
  const env = { WACAST_DATA_DIR: dir, WACAST_LOG_LEVEL: 'warn', WACAST_HOST: '127.0.0.1' };
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    // The server's data, as after its first start.
    expect((await runCli(['migrate'], env)).code).toBe(0);
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('user create with an unknown --project names it and creates no user', async () => {
    const refused = await runCli(['user', 'create', '--email', 'ana@example.com', '--password', 'correct horse battery', '--project', 'no-such-project'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('No project with id no-such-project: `wacast project create` prints the ids of new projects.\n');
    // The user was not created half-way: the same email is still free.
    const again = await runCli(['user', 'create', '--email', 'ana@example.com', '--password', 'correct horse battery'], env);
    expect(again.stdout).toBe('User ana@example.com created.\n');
    expect(again.code).toBe(0);
    // Not an admin and no project: it could open nothing, and the CLI says so.
    expect(again.stderr).toBe(
      'Note: ana@example.com is not an admin and was given no project, so it can open none. Give it one with `wacast user add-project --email ana@example.com --project <id>` (ids from `wacast project create`), or create users with --project or --admin.\n',
    );
    // …and add-project gives it one, refusing an unknown user or project by name.
    const project = JSON.parse((await runCli(['project', 'create', '--name', 'Ana\'s shop', '--json'], env)).stdout) as { projectId: string };
    const unknownUser = await runCli(['user', 'add-project', '--email', 'nobody@example.com', '--project', project.projectId], env);
    expect([unknownUser.code, unknownUser.stderr]).toEqual([1, 'No user with the email nobody@example.com: `wacast user create` creates one.\n']);
    const unknownProject = await runCli(['user', 'add-project', '--email', 'ana@example.com', '--project', 'no-such-project'], env);
    expect([unknownProject.code, unknownProject.stderr]).toEqual([1, 'No project with id no-such-project: `wacast project create` prints the ids of new projects.\n']);
    const added = await runCli(['user', 'add-project', '--email', 'Ana@Example.com', '--project', project.projectId], env);
    expect([added.code, added.stdout, added.stderr]).toEqual([0, `ana@example.com can now open project ${project.projectId}.\n`, '']);
    const admin = await runCli(['user', 'create', '--email', 'root@example.com', '--password', 'correct horse battery', '--admin'], env);
    expect(admin.stderr).toBe('');

    // remove-project takes it away again; an unknown user, a project it cannot open and an admin
    // (who opens every project) are refused by name, with nothing removed.
    const other = JSON.parse((await runCli(['project', 'create', '--name', 'Other shop', '--json'], env)).stdout) as { projectId: string };
    const notMember = await runCli(['user', 'remove-project', '--email', 'ana@example.com', '--project', project.projectId, other.projectId], env);
    expect([notMember.code, notMember.stderr]).toEqual([1, `ana@example.com cannot open project ${other.projectId}: nothing was removed.\n`]);
    const unknownRemoved = await runCli(['user', 'remove-project', '--email', 'nobody@example.com', '--project', project.projectId], env);
    expect([unknownRemoved.code, unknownRemoved.stderr]).toEqual([1, 'No user with the email nobody@example.com: `wacast user create` creates one.\n']);
    const fromAdmin = await runCli(['user', 'remove-project', '--email', 'root@example.com', '--project', project.projectId], env);
    expect([fromAdmin.code, fromAdmin.stderr]).toEqual([1, 'root@example.com is an instance admin and opens every project; access cannot be taken away per project.\n']);
    const removed = await runCli(['user', 'remove-project', '--email', 'ANA@example.com', '--project', project.projectId], env);
    expect([removed.code, removed.stdout, removed.stderr]).toEqual([0, `ana@example.com can no longer open project ${project.projectId}.\n`, '']);
    const db = openSqlite(join(dir, 'wacast.db'));
    try {
      const rows = await db.kysely.selectFrom('project_members').innerJoin('users', 'users.id', 'project_members.user_id').select('project_id').where('users.email', '=', 'ana@example.com').execute();
      expect(rows).toEqual([]);
    } finally {
      await db.close();
    }
    // Sixteen CLI runs, each starting node and opening the database.
  }, 120_000);

  it('serve on a port already in use says so instead of printing a stack trace', async () => {
    const result = await runCli(['serve', '--no-worker'], { ...env, WACAST_PORT: String(busyPort) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Cannot listen on 127.0.0.1:${busyPort}: port ${busyPort} is already in use: stop the other process or set WACAST_PORT to a free port.\n`);
  }, 60_000);

  it('serve --port points at WACAST_PORT', async () => {
    const result = await runCli(['serve', '--port', '8080'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: unknown option '--port'/);
    expect(result.stderr).toContain('WACAST_PORT (default 3000)');
  }, 60_000);

  it('demo refuses a --sandbox-port that is not a port', async () => {
    const result = await runCli(['demo', '--sandbox-port', 'abc'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('--sandbox-port "abc": expected an integer from 0 to 65535 (0 picks a free one).\n');
  }, 60_000);

  it('serve with WACAST_DATA_DIR pointing at a file says so', async () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, '');
    const result = await runCli(['serve'], { ...env, WACAST_DATA_DIR: file });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`WACAST_DATA_DIR=${file} cannot be used: it is a file, not a directory: set WACAST_DATA_DIR to a directory this user can write.\n`);
  }, 60_000);

  // A directory this user may not write: as root, the command runs as `nobody` (root may write anywhere).
  const root = process.getuid?.() === 0;
  const as = root ? { uid: 65534, gid: 65534 } : undefined;
  const uid = as?.uid ?? process.getuid?.();

  it.skipIf(process.platform === 'win32')('serve with a data directory this user may not write says so, for the directory and for the database file', async () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(dir, 0o755);
    chmodSync(locked, 0o555);
    const inside = join(locked, 'data');
    const refused = await runCli(['serve'], { ...env, WACAST_DATA_DIR: inside }, 60_000, as);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `WACAST_DATA_DIR=${inside} cannot be used: this user (uid ${uid}) may not create it: change its owner or permissions, or set WACAST_DATA_DIR to a directory this user can write.\n`,
    );

    // A database copied in by another user (a restore) and left read-only to this one.
    const restored = join(dir, 'restored');
    mkdirSync(restored, { mode: 0o777 });
    chmodSync(restored, 0o777);
    writeFileSync(join(restored, 'wacast.db'), '', { mode: 0o444 });
    const readOnly = await runCli(['migrate'], { ...env, WACAST_DATA_DIR: restored }, 60_000, as);
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toBe(
      `WACAST_DATA_DIR=${restored} cannot be used: this user (uid ${uid}) may not write to wacast.db: change its owner or permissions, or set WACAST_DATA_DIR to a directory this user can write.\n`,
    );
  }, 60_000);

  it.skipIf(!hasPostgres)('a WACAST_DATABASE_URL naming a database or user that does not exist says so', async () => {
    const server = new URL(process.env.WACAST_TEST_DATABASE_URL!);
    const missingDb = new URL(server);
    missingDb.pathname = '/wacast_no_such_database';
    const noDb = await runCli(['migrate'], { ...env, WACAST_DATABASE_URL: missingDb.toString() });
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toBe(
      'Cannot open the database (WACAST_DATABASE_URL): database "wacast_no_such_database" does not exist: create that database, or correct its name in WACAST_DATABASE_URL.\n',
    );

    const missingRole = new URL(server);
    missingRole.username = 'wacast_no_such_role';
    missingRole.password = 'a-password-never-printed';
    const noRole = await runCli(['serve'], { ...env, WACAST_DATABASE_URL: missingRole.toString() });
    expect(noRole.code).toBe(1);
    expect(noRole.stderr).toMatch(/^Cannot open the database \(WACAST_DATABASE_URL\): .*"wacast_no_such_role".*: (create that role, or correct the user|correct the user or password) in WACAST_DATABASE_URL\.\n$/);
    expect(noRole.stderr).not.toContain('a-password-never-printed');
  }, 60_000);

  it('project create --help describes the JSON it prints', async () => {
    const help = await runCli(['project', 'create', '--help'], env);
    const created = await runCli(['project', 'create', '--name', 'Described', '--json'], env);
    expect(Object.keys(JSON.parse(created.stdout) as object)).toEqual(['accountId', 'passcode', 'projectId']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('--json print {"accountId","passcode","projectId"} as JSON');
  }, 60_000);

  it('worker says which database it works on, as serve does', async () => {
    // The worker runs until a signal: it is killed once its first line is out (or after 30 s).
    const line = `wacast worker started (SQLite at ${join(dir, 'wacast.db')})`;
    const result = await runCliUntil(['worker'], env, line, 30_000);
    expect(result.stdout).toContain(line);
  }, 60_000);

  it('--help of every command that opens the database says which database it opens', async () => {
    for (const command of [['worker'], ['migrate'], ['project', 'create'], ['user', 'create'], ['import', 'profiles']]) {
      const help = await runCli([...command, '--help'], env);
      expect(help.code, command.join(' ')).toBe(0);
      const text = help.stdout.replace(/\s+/g, ' ');
      expect(text, command.join(' ')).toContain('WACAST_DATABASE_URL (PostgreSQL) when set');
      expect(text, command.join(' ')).toContain('WACAST_DATA_DIR (default ./data, taken from the current directory)');
    }
  }, 60_000);

  it('serve on a database a newer wacast migrated (a downgrade) says to upgrade, in one line', async () => {
    const upgraded = join(dir, 'upgraded');
    expect((await runCli(['migrate'], { ...env, WACAST_DATA_DIR: upgraded })).code).toBe(0);
    const db = openSqlite(join(upgraded, 'wacast.db'));
    await sql`insert into wacast_migrations (name, applied_at) values ('9999-future', 0)`.execute(db.kysely);
    await db.close();
    const result = await runCli(['serve'], { ...env, WACAST_DATA_DIR: upgraded });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('The database was migrated by a newer wacast (unknown migrations: 9999-future). Upgrade wacast before starting it on this database.\n');
  }, 60_000);

  it('project create in a directory without the server\'s database says where it created a new one', async () => {
    const elsewhere = join(dir, 'elsewhere');
    const first = await runCli(['project', 'create', '--name', 'Lost', '--json'], { ...env, WACAST_DATA_DIR: elsewhere });
    expect(first.code).toBe(0);
    expect(Object.keys(JSON.parse(first.stdout) as object)).toEqual(['accountId', 'passcode', 'projectId']);
    expect(first.stderr).toBe(
      `Note: there was no wacast database at ${join(elsewhere, 'wacast.db')}; a new, empty one was created there. If your server keeps its data elsewhere, run this command with the server's WACAST_DATA_DIR (or WACAST_DATABASE_URL).\n`,
    );
    const second = await runCli(['project', 'create', '--name', 'Found', '--json'], { ...env, WACAST_DATA_DIR: elsewhere });
    expect(second.stderr).toBe('');
  }, 60_000);
});
