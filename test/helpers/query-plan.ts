/**
 * The query plan of a compiled query, as text: PostgreSQL's EXPLAIN or SQLite's EXPLAIN QUERY
 * PLAN, with the query's own parameters (PostgreSQL plans an unnamed statement with their values,
 * as it does the query itself).
 */
import type { CompiledQuery } from 'kysely';
import type { Db } from '../../src/storage/db.js';

export function queryPlan(db: Db, query: Pick<CompiledQuery, 'sql' | 'parameters'>): Promise<string> {
  const explain = db.dialect === 'postgres' ? `explain ${query.sql}` : `explain query plan ${query.sql}`;
  return db.kysely.connection().execute(async (connection) => {
    const { rows } = await connection.executeQuery<Record<string, string>>({ sql: explain, parameters: query.parameters, query: { kind: 'RawNode' } } as never);
    return rows.map((row) => row['QUERY PLAN'] ?? row.detail).join('\n');
  });
}
