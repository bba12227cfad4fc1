import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../../test/helpers/databases.js';
import type { Db } from './db.js';
import { insertJsonRows, updateJsonRows, type JsonRowColumn } from './json-rows.js';

const COLUMNS: JsonRowColumn[] = [
  { name: 'project_id', type: 'text' }, { name: 'provider_id', type: 'text' }, { name: 'provider_type', type: 'text' }, { name: 'kind', type: 'text' },
  { name: 'received_at', type: 'bigint' }, { name: 'method', type: 'text' }, { name: 'content_type', type: 'text' }, { name: 'body', type: 'text' },
  { name: 'query', type: 'text' }, { name: 'signature_ok', type: 'integer' }, { name: 'state', type: 'text' }, { name: 'error', type: 'text' },
  { name: 'attempts', type: 'integer' },
];

function callbackRow(n: number): Record<string, unknown> {
  return {
    project_id: 'p1', provider_id: 'a1', provider_type: 'gupshup', kind: 'delivery', received_at: 1_700_000_000_000 + n, method: 'POST',
    content_type: n % 2 ? null : 'text/plain', body: `body ${n} with 'quotes', "double" and ? marks`, query: undefined,
    signature_ok: n % 3 === 0 ? 1 : null, state: 'pending', error: null, attempts: 0,
  };
}

describe.each(testEngines())('json rows on $name', (engine) => {
  let db: Db;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(async () => {
    await db.close();
  });

  it('inserts batches of every size in order, with the values as given, and returns the keys', async () => {
    // 300 = 256 + 32 + 8 + 4 statements on SQLite; one on PostgreSQL.
    for (const size of [1, 3, 300]) {
      const rows = Array.from({ length: size }, (_, index) => callbackRow(index));
      const seqs = await db.kysely.transaction().execute((trx) => insertJsonRows(trx, db.dialect, 'callback_events', COLUMNS, rows, { returning: 'seq' }));
      expect(seqs).toHaveLength(size);
      const stored = await db.kysely.selectFrom('callback_events').selectAll().where('seq', 'in', seqs.map(Number)).orderBy('seq').execute();
      expect(stored.map((row) => row.body)).toEqual(rows.map((row) => row.body));
      expect(stored.map((row) => Number(row.received_at))).toEqual(rows.map((row) => row.received_at));
      expect(stored.map((row) => row.content_type)).toEqual(rows.map((row) => row.content_type));
      expect(stored.map((row) => row.query)).toEqual(rows.map(() => null));
      expect(stored.map((row) => (row.signature_ok === null ? null : Number(row.signature_ok)))).toEqual(rows.map((row) => row.signature_ok));
    }
  });

  it('skips conflicting rows and returns only the ones inserted', async () => {
    const row = (id: string, providerMessageId: string) => ({ id, provider_id: 'a1', provider_message_id: providerMessageId, status: 'delivered', occurred_at: 1, callback_seq: 1, created_at: 1 });
    const columns: JsonRowColumn[] = [
      { name: 'id', type: 'text' }, { name: 'provider_id', type: 'text' }, { name: 'provider_message_id', type: 'text' }, { name: 'status', type: 'text' },
      { name: 'occurred_at', type: 'bigint' }, { name: 'callback_seq', type: 'bigint' }, { name: 'created_at', type: 'bigint' },
    ];
    const insert = (rows: Array<Record<string, unknown>>) =>
      db.kysely.transaction().execute((trx) => insertJsonRows(trx, db.dialect, 'pending_receipts', columns, rows, { returning: 'id', onConflictDoNothing: ['provider_id', 'provider_message_id', 'status'] }));
    expect((await insert([row('r1', 'm1'), row('r2', 'm2')])).sort()).toEqual(['r1', 'r2']);
    expect(await insert([row('r3', 'm1'), row('r4', 'm3'), row('r5', 'm2')])).toEqual(['r4']);
  });

  it('updates the rows matched on the key, within the extra condition', async () => {
    const seqs = (await db.kysely.transaction().execute((trx) => insertJsonRows(trx, db.dialect, 'callback_events', COLUMNS, [callbackRow(1), callbackRow(2)], { returning: 'seq' }))).map(Number);
    const updated = await updateJsonRows(db.kysely, db.dialect, {
      table: 'callback_events',
      key: { name: 'seq', type: 'bigint' },
      columns: [{ name: 'state', type: 'text' }],
      rows: seqs.map((seq) => ({ seq, state: 'applied' })),
      where: sql`t.received_at > ${1_700_000_000_001}`,
    });
    expect(updated.map(Number)).toEqual([seqs[1]]);
  });
});
