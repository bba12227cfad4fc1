/**
 * The storage engines every storage-touching test runs on: SQLite always; PostgreSQL when
 * WACAST_TEST_DATABASE_URL is set. Under CI=true a missing PostgreSQL is a failure, not a skip.
 * Each opened PostgreSQL database is new (created here, dropped on close), so runs never share state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgres, openSqlite, type Db } from '../../src/storage/db.js';
import { migrate } from '../../src/storage/migrator.js';

export interface TestEngine {
  name: 'sqlite' | 'postgres';
  /** A fresh, migrated database. `close()` removes it. */
  open(options?: { migrate?: boolean }): Promise<Db>;
}

const pgUrl = process.env.WACAST_TEST_DATABASE_URL;

if (!pgUrl && process.env.CI === 'true') {
  throw new Error('CI=true but WACAST_TEST_DATABASE_URL is not set: the PostgreSQL half of the suite cannot run.');
}

export const sqliteEngine: TestEngine = {
  name: 'sqlite',
  async open(options) {
    const dir = mkdtempSync(join(tmpdir(), 'wacast-test-'));
    const db = openSqlite(join(dir, 'test.db'));
    if (options?.migrate !== false) await migrate(db);
    const close = db.close.bind(db);
    return {
      ...db,
      async close() {
        await close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** Creates an empty PostgreSQL database and returns its URL and a function dropping it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!pgUrl) throw new Error('WACAST_TEST_DATABASE_URL is not set.');
  const name = `wacast_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

export const postgresEngine: TestEngine = {
  name: 'postgres',
  async open(options) {
    const created = await createPostgresDatabase();
    const db = openPostgres(created.url, 5);
    if (options?.migrate !== false) await migrate(db);
    const close = db.close.bind(db);
    return {
      ...db,
      async close() {
        await close();
        await created.drop();
      },
    };
  },
};

/** Engines for `describe.each(testEngines())`. */
export function testEngines(): TestEngine[] {
  return pgUrl ? [sqliteEngine, postgresEngine] : [sqliteEngine];
}

export const hasPostgres = pgUrl !== undefined;
