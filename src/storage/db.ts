/**
 * Opens the database: embedded SQLite (better-sqlite3, WAL) by default, PostgreSQL when a URL is
 * given. Only src/storage/ knows which engine is in use; the rest of the code sees `Db`.
 */
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { startCheckpointer } from './checkpointer.js';
import { withStatementCache } from './statement-cache.js';
import { prepareDataFile } from './data-dir.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** Human-readable location, with any password removed. */
  location: string;
  /** SQLite: the database file did not exist and was created by this open (a new, empty database). */
  created?: boolean;
  close(): Promise<void>;
}

export interface DbOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** SQLite file name inside dataDir (default wacast.db). */
  sqliteFile?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

// int8 (COUNT(*), bigint columns) and numeric arrive as strings from pg; every such value in this
// schema is an epoch-ms timestamp or a counter far below 2^53, so parse them as numbers.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));
pg.types.setTypeParser(1700, (value) => Number.parseFloat(value));

export function openDb(options: DbOptions): Db {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  const { file, created } = prepareDataFile(options.dataDir, options.sqliteFile ?? 'wacast.db');
  const db = openSqlite(file);
  db.created = created;
  return db;
}

export function openSqlite(file: string): Db {
  const sqlite = new BetterSqlite3(file);
  // WAL lets readers run beside the single writer; NORMAL sync is durable across process crashes
  // (only an OS crash can lose the last commits); 5 s busy timeout lets a CLI run beside a server.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('temp_store = MEMORY');
  // A 32 MiB page cache: the 1,000,000-profile import and segment run as fast as with 64 MiB
  // (23,700 vs 23,900 profiles/s), and a worker sending a 1,000,000-recipient campaign peaks
  // 36 MiB lower (docs/benchmarks.md).
  sqlite.pragma('cache_size = -32768');
  // Checkpoints run on their own thread (checkpointer.ts). Without it, checkpoint every ~40 MB
  // instead of every 4 MB: each checkpoint syncs the database file, and at thousands of messages
  // per second the default made commits cost ~4 ms on average.
  const checkpointer = startCheckpointer(file);
  sqlite.pragma(checkpointer ? 'wal_autocheckpoint = 0' : 'wal_autocheckpoint = 10000');
  // Once the WAL has been checkpointed and restarts, cut the file back to 64 MB.
  sqlite.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    kysely,
    dialect: 'sqlite',
    location: file,
    async close() {
      await checkpointer?.stop();
      await kysely.destroy();
    },
  };
}

export function openPostgres(url: string, poolSize: number): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => {});
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const safe = new URL(url);
  if (safe.password) safe.password = '***';
  return {
    kysely,
    dialect: 'postgres',
    location: safe.toString(),
    async close() {
      await kysely.destroy();
    },
  };
}

/**
 * Lets timers and I/O run. SQLite calls are synchronous, and awaiting them only queues microtasks:
 * a loop of database work never returns to the event loop on its own, so HTTP requests, callback
 * acknowledgements and the dispatcher's pacing would wait for the whole loop. Call this between
 * rounds of such loops.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
