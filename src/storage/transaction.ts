/**
 * Transactions that read and then write. On SQLite a plain (deferred) BEGIN takes the write lock
 * only at the first write; if another process (a CLI import beside the server) committed in
 * between, the upgrade fails at once with SQLITE_BUSY instead of waiting. BEGIN IMMEDIATE takes
 * the write lock first and waits up to the busy timeout (5 s). PostgreSQL needs nothing special:
 * callers lock the rows they read (`FOR UPDATE`).
 */
import { sql, type Kysely } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './schema.js';

export async function writeTransaction<T>(db: Db, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.dialect === 'postgres') return db.kysely.transaction().execute(work);
  return db.kysely.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}
