/**
 * Queries that name messages "still sending" find their rows by their own key, whatever the
 * statistics of `messages` say. `status = 'sending'` is the predicate of the partial index
 * `messages_sending`; with statistics gathered while every message was queued, the planners count
 * one message in flight and read all of them through that index: send results compared each with
 * every result (up to 2.4 s per 1,000 results at 12,000 in flight, bench `dispatch`), and a reply
 * from a phone without a recent message read them all (2 ms per reply).
 */
import { sql, type CompiledQuery } from 'kysely';
import { queryPlan } from '../helpers/query-plan.js';
import { insertGenerated } from '../helpers/generated-rows.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { updateJsonRows, updateJsonRowsQuery, type JsonRowsUpdate } from '../../src/storage/json-rows.js';
import { inFlightCampaignMessage } from '../../src/webhooks/inbound.js';

const MESSAGES = 20_000;
const IN_FLIGHT = 12_000;

describe.each(testEngines())('plans of queries on messages in flight ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  const owner = 'worker-1';
  const update = (from: number, count: number): JsonRowsUpdate => ({
    table: 'messages',
    key: { name: 'id', type: 'text' },
    columns: [{ name: 'status', type: 'text' }, { name: 'provider_message_id', type: 'text' }, { name: 'lease_owner', type: 'text' }],
    rows: Array.from({ length: count }, (_, i) => ({ id: `m${String(from + i).padStart(6, '0')}`, status: 'sent', provider_message_id: `gs-${from + i}`, lease_owner: null })),
    where: sql`t.status = 'sending' and t.lease_owner = ${owner}`,
  });

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    const providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput() })).id;
    const pg = engine.name === 'postgres';
    const id = pg ? sql`'m' || lpad(g.n::text, 6, '0')` : sql`'m' || substr('000000' || g.n, -6)`;
    const rows = sql`select ${id}, ${project.projectId}, ${providerId}, '+1415' || g.n, 'c1', 'campaign', 1, 'queued', ${pg ? sql`'{}'::jsonb` : sql`'{}'`}, 1, 1, 1`;
    const columns = sql`messages (id, project_id, provider_id, phone, campaign_id, kind, priority, status, payload, available_at, created_at, updated_at)`;
    if (pg) await sql`alter table messages set (autovacuum_enabled = false)`.execute(ctx.db.kysely);
    await insertGenerated(ctx.db, MESSAGES, columns, rows);
    // Statistics gathered while every message was queued, then many claimed (in flight).
    await sql`analyze messages`.execute(ctx.db.kysely);
    await sql`update messages set status = 'sending', lease_owner = ${owner}, lease_expires_at = 1 where id <= ${`m${String(IN_FLIGHT).padStart(6, '0')}`}`.execute(ctx.db.kysely);
  });
  afterAll(() => ctx?.close());

  const plan = (query: Pick<CompiledQuery, 'sql' | 'parameters'>) => queryPlan(ctx.db, query);

  it('writes send results to the rows given, found by their key, not through the in-flight index', async () => {
    const text = await plan(updateJsonRowsQuery(ctx.db.dialect, update(5000, 1000)).compile(ctx.db.kysely));
    expect(text).not.toMatch(/messages_sending/);
    expect(text).toMatch(engine.name === 'postgres' ? /Index Scan using messages_pkey/ : /(SEARCH|USING INDEX).*(sqlite_autoindex_messages_1|PRIMARY KEY|messages_pkey)/);
  });

  it('finds the message in flight a reply answers through the phone index', async () => {
    const query = inFlightCampaignMessage(ctx.db.kysely, project.projectId, ['+14155000', '14155000'], 0);
    expect(await query.execute()).toEqual([{ id: 'm005000', campaign_id: 'c1', profile_id: null, replied_at: null }]);
    const text = await plan(query.compile());
    expect(text).not.toMatch(/messages_sending/);
    expect(text).toMatch(/messages_phone/);
  });

  it('updates only the rows still in flight and the writer\'s own', async () => {
    await sql`update messages set lease_owner = 'worker-2' where id = 'm005001'`.execute(ctx.db.kysely);
    await sql`update messages set status = 'unknown' where id = 'm005002'`.execute(ctx.db.kysely);
    const updated = await ctx.db.kysely.transaction().execute((trx) => updateJsonRows(trx, ctx.db.dialect, update(5000, 10)));
    expect(updated.sort()).toEqual(['m005000', 'm005003', 'm005004', 'm005005', 'm005006', 'm005007', 'm005008', 'm005009']);
    const unchanged = await ctx.db.kysely.selectFrom('messages').select(['id', 'status']).where('id', 'in', ['m005001', 'm005002']).orderBy('id').execute();
    expect(unchanged).toEqual([{ id: 'm005001', status: 'sending' }, { id: 'm005002', status: 'unknown' }]);
  });
});
