/**
 * better-sqlite3 for Kysely with prepared statements kept and reused. Kysely's SQLite driver
 * prepares every query it runs; preparing costs far more than running for the short statements of
 * the hot paths (callback log inserts, claims, send results): measured 6 % of the callback
 * handler's time went to `prepare` alone. Statements are keyed by their SQL text, least recently
 * used dropped beyond `capacity` (queries with variable IN-lists produce many texts).
 *
 * Reuse is safe because Kysely runs one query at a time on its single SQLite connection: a cached
 * statement is never asked for while it is still iterating.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export function withStatementCache(sqlite: BetterSqlite3.Database, capacity = 500): SqliteDatabase {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement) {
        // Map order is insertion order: move the hit to the back (most recently used).
        statements.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (statements.size >= capacity) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement as unknown as SqliteStatement;
    },
    close(): void {
      statements.clear();
      sqlite.close();
    },
  };
}
