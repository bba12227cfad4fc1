/**
 * The daily messaging limit's usage query (src/providers/messaging-limit.ts) reads the account's
 * recent campaigns through `messages_campaign_status`, on both engines: never the project's whole
 * `messages_phone` range, nor a scan of the table. With the project named on the messages too,
 * SQLite read every message of the project (190 ms instead of 3 ms on 500,000 rows).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { createTemplateRow } from '../helpers/campaign-seed.js';
import { usedLast24h, usedLast24hQuery } from '../../src/providers/messaging-limit.js';
import { queryPlan } from '../helpers/query-plan.js';
import { insertGenerated } from '../helpers/generated-rows.js';

const HOUR = 60 * 60 * 1000;

describe.each(testEngines())('messaging limit usage: query plan ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  const now = Date.now();

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput({ dailyRecipientLimit: 10000 }) })).id;
    const templateId = await createTemplateRow(ctx.db, project.projectId, providerId);
    const pg = engine.name === 'postgres';
    // 12 campaigns of 2,000 messages that ended days ago, one running with 2,000 sends in the last
    // hours (one in ten failed), and 6,000 replies of the account.
    const campaign = async (id: string, startedAt: number, completedAt: number | null) =>
      sql`insert into campaigns (id, project_id, name, provider_id, template_id, audience, params, state, created_at, updated_at, started_at, completed_at)
        values (${id}, ${project.projectId}, ${id}, ${providerId}, ${templateId}, ${'{}'}, ${'[]'}, ${completedAt ? 'completed' : 'running'}, ${startedAt}, ${startedAt}, ${startedAt}, ${completedAt})`.execute(ctx.db.kysely);
    const messages = (prefix: string, campaignId: string | null, kind: string, count: number, sentAt: number) => {
      const t = pg ? sql`${sentAt}::bigint` : sql`${sentAt}`;
      const rows = sql`select ${prefix} || g.n, ${project.projectId}, ${campaignId}, ${prefix} || 'p' || g.n, ${providerId}, '+1415' || (g.n % 1500), ${kind}, 5,
        case when g.n % 10 = 0 then 'failed' else 'delivered' end, ${pg ? sql`'{}'::jsonb` : sql`'{}'`}, ${t}, ${t}, ${t}, ${t} + g.n`;
      const columns = sql`messages (id, project_id, campaign_id, profile_id, provider_id, phone, kind, priority, status, payload, available_at, created_at, updated_at, sent_at)`;
      return insertGenerated(ctx.db, count, columns, rows);
    };
    for (let i = 0; i < 12; i++) {
      const startedAt = now - (100 + 10 * i) * HOUR;
      await campaign(`old-${i}`, startedAt, startedAt + 3 * HOUR);
      await messages(`old-${i}-`, `old-${i}`, 'campaign', 2000, startedAt);
    }
    await campaign('recent', now - 3 * HOUR, null);
    await messages('recent-', 'recent', 'campaign', 2000, now - 3 * HOUR);
    await messages('reply-', null, 'reply', 6000, now - 2 * HOUR);
    await sql`analyze`.execute(ctx.db.kysely);
  });
  afterAll(() => ctx?.close());

  it('counts the recent campaign only', async () => {
    // 2,000 sends to 1,500 phones, less the failed ones (every tenth): phones sent a delivered message.
    expect(await usedLast24h(ctx.db, project.projectId, providerId, now)).toBe(1500 - 150);
  });

  it('reads messages through messages_campaign_status', async () => {
    const plan = await queryPlan(ctx.db, usedLast24hQuery(ctx.db, project.projectId, providerId, now).compile());
    // Per campaign: messages_campaign_status, or on PostgreSQL with this little data the unique (campaign_id, profile_id) index.
    expect(plan).toMatch(/messages_campaign_(status|profile)/);
    expect(plan).not.toMatch(/messages_phone/);
    expect(plan).not.toMatch(/Seq Scan on messages|SCAN messages\b/);
  });
});
