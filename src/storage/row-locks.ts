/**
 * Row locks for read-modify-write inside a transaction. PostgreSQL: `FOR UPDATE`, so a concurrent
 * writer of the same rows (the dispatcher storing a send result) waits for the commit instead of
 * both computing from the same old state. SQLite has one writer at a time and no row locks: a
 * write transaction is already exclusive, so the query is returned unchanged.
 */
import type { SelectQueryBuilder } from 'kysely';
import type { Dialect } from './db.js';

export function lockForUpdate<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, dialect: Dialect): SelectQueryBuilder<DB, TB, O> {
  return dialect === 'postgres' ? query.forUpdate() : query;
}
