/**
 * Runs migrations once, safely when several processes start at the same moment: PostgreSQL takes
 * a transaction-scoped advisory lock, SQLite takes the write lock up front (BEGIN IMMEDIATE, which
 * waits for the busy timeout). The second process then sees the first one's work and does nothing.
 */
import { sql, type Kysely } from 'kysely';
import type { Db, Dialect } from './db.js';
import { migrations as allMigrations } from './migrations/index.js';

export interface MigrationContext {
  dialect: Dialect;
}

export interface Migration {
  name: string;
  up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
}

// Arbitrary constant shared by every wacast process: the advisory lock key for migrations.
const PG_MIGRATION_LOCK = 720_531_001;

/** The database holds migrations this version does not know: it was upgraded by a newer wacast. */
export class NewerDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NewerDatabaseError';
  }
}

export interface MigrationResult {
  applied: string[];
}

export async function migrate(db: Db, migrations: Migration[] = allMigrations): Promise<MigrationResult> {
  const ctx: MigrationContext = { dialect: db.dialect };
  const k = db.kysely as unknown as Kysely<unknown>;

  if (db.dialect === 'postgres') {
    return k.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`.execute(trx);
      return applyPending(trx, migrations, ctx);
    });
  }

  return k.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await applyPending(conn, migrations, ctx);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}

async function applyPending(db: Kysely<unknown>, migrations: Migration[], ctx: MigrationContext): Promise<MigrationResult> {
  await db.schema
    .createTable('wacast_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .execute();
  const rows = await sql<{ name: string }>`select name from wacast_migrations`.execute(db);
  const done = new Set(rows.rows.map((row) => row.name));
  const unknown = [...done].filter((name) => !migrations.some((migration) => migration.name === name));
  if (unknown.length > 0) {
    throw new NewerDatabaseError(
      `The database was migrated by a newer wacast (unknown migrations: ${unknown.join(', ')}). Upgrade wacast before starting it on this database.`,
    );
  }
  const applied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.name)) continue;
    await migration.up(db, ctx);
    await sql`insert into wacast_migrations (name, applied_at) values (${migration.name}, ${Date.now()})`.execute(db);
    applied.push(migration.name);
  }
  return { applied };
}
