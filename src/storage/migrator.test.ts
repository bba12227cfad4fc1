import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, hasPostgres } from '../../test/helpers/databases.js';
import { openPostgres, openSqlite, type Db } from './db.js';
import { migrate } from './migrator.js';
import { migrations } from './migrations/index.js';
import { runCli } from '../../test/helpers/cli.js';

interface Target {
  name: string;
  /** Opens N handles on one new, empty database. */
  open(count: number): Promise<{ handles: Db[]; cleanup(): Promise<void> }>;
  /** A new, empty database for `wacast` child processes: their environment, and a reader of applied migrations. */
  openForProcesses(): Promise<{ env: Record<string, string>; check(): Promise<string[]>; cleanup(): Promise<void> }>;
}

async function appliedNames(db: Db): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from wacast_migrations order by name`.execute(db.kysely);
  return rows.rows.map((row) => row.name);
}

const targets: Target[] = [
  {
    name: 'sqlite',
    async open(count) {
      const dir = mkdtempSync(join(tmpdir(), 'wacast-migrate-'));
      const handles = Array.from({ length: count }, () => openSqlite(join(dir, 'm.db')));
      return {
        handles,
        async cleanup() {
          await Promise.all(handles.map((handle) => handle.close()));
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
    async openForProcesses() {
      const dir = mkdtempSync(join(tmpdir(), 'wacast-migrate-'));
      return {
        env: { WACAST_DATA_DIR: dir },
        async check() {
          const db = openSqlite(join(dir, 'wacast.db'));
          try {
            return await appliedNames(db);
          } finally {
            await db.close();
          }
        },
        async cleanup() {
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];
if (hasPostgres) {
  targets.push({
    name: 'postgres',
    async open(count) {
      const created = await createPostgresDatabase();
      const handles = Array.from({ length: count }, () => openPostgres(created.url, 2));
      return {
        handles,
        async cleanup() {
          await Promise.all(handles.map((handle) => handle.close()));
          await created.drop();
        },
      };
    },
    async openForProcesses() {
      const created = await createPostgresDatabase();
      return {
        env: { WACAST_DATABASE_URL: created.url, WACAST_DATA_DIR: mkdtempSync(join(tmpdir(), 'wacast-migrate-')) },
        async check() {
          const db = openPostgres(created.url, 1);
          try {
            return await appliedNames(db);
          } finally {
            await db.close();
          }
        },
        cleanup: () => created.drop(),
      };
    },
  });
}

async function tableNames(db: Db): Promise<string[]> {
  const rows =
    db.dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db.kysely)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public'`.execute(db.kysely);
  return rows.rows.map((row) => row.name).sort();
}

describe.each(targets)('migrations ($name)', (target) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('apply every migration once and are a no-op the second time', async () => {
    const { handles, cleanup } = await target.open(1);
    cleanups.push(cleanup);
    const db = handles[0]!;
    const first = await migrate(db);
    expect(first.applied).toEqual(migrations.map((migration) => migration.name));
    const tables = await tableNames(db);
    expect(tables).toEqual(expect.arrayContaining(['projects', 'messages', 'callback_events', 'campaign_counters', 'wacast_migrations']));
    const second = await migrate(db);
    expect(second.applied).toEqual([]);
    expect(await tableNames(db)).toEqual(tables);
  });

  it('are safe when several processes start at the same moment', async () => {
    const { env, check, cleanup } = await target.openForProcesses();
    cleanups.push(cleanup);
    const results = await Promise.all(Array.from({ length: 4 }, () => runCli(['migrate'], env)));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const applied = results.filter((result) => result.stdout.startsWith('Applied:'));
    expect(applied).toHaveLength(1);
    expect(results.filter((result) => result.stdout.includes('up to date'))).toHaveLength(3);
    expect(await check()).toEqual(migrations.map((migration) => migration.name));
  });

  it('refuse a database migrated by a newer version', async () => {
    const { handles, cleanup } = await target.open(1);
    cleanups.push(cleanup);
    await migrate(handles[0]!);
    await sql`insert into wacast_migrations (name, applied_at) values ('9999-future', 0)`.execute(handles[0]!.kysely);
    await expect(migrate(handles[0]!)).rejects.toThrow(/newer wacast.*9999-future/);
  });
});
