/**
 * The applier finds the messages a batch of delivery reports names through
 * `messages_provider_message` on both engines — also on PostgreSQL while `messages` has no
 * statistics yet (a new install's first large campaign, before autovacuum's first analyze). With
 * 500 provider ids as literals, PostgreSQL estimated the whole table and read all of it for every
 * batch: the applier fell behind the reports (bench `combined`, docs/benchmarks.md).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { messagesByColumn } from '../../src/webhooks/receipts.js';
import { queryPlan } from '../helpers/query-plan.js';
import { insertGenerated } from '../helpers/generated-rows.js';

const MESSAGES = 20_000;

describe.each(testEngines())('delivery reports: message lookup plan ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput() })).id;
    const pg = engine.name === 'postgres';
    const rows = sql`select 'm' || g.n, ${project.projectId}, ${providerId}, '+1415' || g.n, 'reply', 1, 'sent', ${pg ? sql`'{}'::jsonb` : sql`'{}'`}, 'gs-' || g.n, 1, 1, 1`;
    const columns = sql`messages (id, project_id, provider_id, phone, kind, priority, status, payload, provider_message_id, available_at, created_at, updated_at)`;
    if (pg) await sql`alter table messages set (autovacuum_enabled = false)`.execute(ctx.db.kysely);
    await insertGenerated(ctx.db, MESSAGES, columns, rows);
    // As before autovacuum's first analyze of the table.
    if (pg) await sql`delete from pg_statistic where starelid = 'messages'::regclass`.execute(ctx.db.kysely);
  });
  afterAll(() => ctx?.close());

  const ids = Array.from({ length: 500 }, (_, i) => `gs-${i * 37 + 1}`);

  it('finds each reported message, in id order', async () => {
    const found = await messagesByColumn(ctx.db.kysely, ctx.db.dialect, 'provider_message_id', ids).execute();
    expect(found.map((row) => row.provider_message_id).sort()).toEqual([...ids].sort());
    expect(found.map((row) => row.id)).toEqual(found.map((row) => row.id).sort());
  });

  it('reads messages through messages_provider_message, not the whole table', async () => {
    const plan = await queryPlan(ctx.db, messagesByColumn(ctx.db.kysely, ctx.db.dialect, 'provider_message_id', ids).compile());
    expect(plan).toMatch(/messages_provider_message/);
    expect(plan).not.toMatch(/Seq Scan on messages|SCAN messages\b|Index Scan using messages_pkey/);
  });
});
