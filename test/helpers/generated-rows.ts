/**
 * Many rows written by the database itself, for tests that need a table of realistic size:
 * `insert into <target> <select> from <1…count as g(n)>`, where `select` may use `g.n`.
 * PostgreSQL counts with generate_series, SQLite with a recursive CTE.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../src/storage/db.js';

export async function insertGenerated(db: Db, count: number, target: RawBuilder<unknown>, select: RawBuilder<unknown>): Promise<void> {
  await (db.dialect === 'postgres'
    ? sql`insert into ${target} ${select} from generate_series(1, ${count}) as g(n)`
    : sql`with recursive g(n) as (select 1 union all select n + 1 from g where n < ${count}) insert into ${target} ${select} from g`
  ).execute(db.kysely);
}
