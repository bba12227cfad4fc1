import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type Generated } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withStatementCache } from './statement-cache.js';

describe('SQLite statement cache', () => {
  let sqlite: BetterSqlite3.Database;
  afterEach(() => {
    if (sqlite.open) sqlite.close();
  });

  it('prepares a statement once and reuses it, keeping at most `capacity` statements', () => {
    sqlite = new BetterSqlite3(':memory:');
    const prepare = vi.spyOn(sqlite, 'prepare');
    const cached = withStatementCache(sqlite, 2);
    const a = cached.prepare('select 1 as a');
    expect(cached.prepare('select 1 as a')).toBe(a);
    cached.prepare('select 2 as b');
    cached.prepare('select 1 as a'); // a is now the most recently used
    cached.prepare('select 3 as c'); // drops b
    expect(cached.prepare('select 1 as a')).toBe(a);
    cached.prepare('select 2 as b');
    expect(prepare.mock.calls.map(([text]) => text)).toEqual(['select 1 as a', 'select 2 as b', 'select 3 as c', 'select 2 as b']);
  });

  it('runs Kysely queries, transactions and streams with reused statements', async () => {
    sqlite = new BetterSqlite3(':memory:');
    const db = new Kysely<{ t: { id: Generated<number>; name: string } }>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    await sql`create table t (id integer primary key, name text not null)`.execute(db);
    for (let round = 0; round < 3; round++) {
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < 10; i++) await trx.insertInto('t').values({ name: `n${round}-${i}` }).execute();
      });
    }
    expect(await db.selectFrom('t').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst()).toEqual({ n: 30 });
    const streamed: string[] = [];
    for await (const row of db.selectFrom('t').select('name').where('id', '<=', 3).orderBy('id').stream()) streamed.push(row.name);
    for await (const row of db.selectFrom('t').select('name').where('id', '<=', 3).orderBy('id').stream()) streamed.push(row.name);
    expect(streamed).toEqual(['n0-0', 'n0-1', 'n0-2', 'n0-0', 'n0-1', 'n0-2']);
    await db.destroy();
    expect(sqlite.open).toBe(false);
  });
});
