import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import type { Transaction } from 'kysely';
import type { Database } from '../../src/storage/schema.js';
import { BATCH_DECISION_BUDGET_MS, CampaignMaterialization, PublisherService } from '../../src/campaigns/publisher.js';
import { SchedulerService } from '../../src/campaigns/scheduler.js';

describe.each(testEngines())('publisher ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  let templateId: string;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput({ ratePerSecond: 1000 }) })).id;
    templateId = json(
      await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: project.headers, payload: { providerId, namespace: 'ABC:turns', body: 'Hi {{1}}', attachmentType: 'none' } }),
    ).id;
    await seedProfiles(
      ctx.db,
      project.projectId,
      Array.from({ length: 30 }, (_, i) => ({ identity: `turns-${i}`, phone: testPhone(i), properties: { Name: `User ${i}` } })),
    );
  });
  afterAll(() => ctx?.close());

  async function publishedCampaign(name: string): Promise<string> {
    const created = json(
      await ctx.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: project.headers, payload: { name, providerId, templateId, audience: { all: true }, params: ['{{ Profile.Name }}'] } }),
    );
    const published = await ctx.app.inject({ method: 'POST', url: `/api/v1/campaigns/${created.id}/publish`, headers: project.headers, payload: {} });
    expect(published.statusCode).toBe(200);
    return created.id as string;
  }

  const rowsOf = (campaignId: string) => ctx.db.kysely.selectFrom('messages').select(['id', 'campaign_id']).where('campaign_id', '=', campaignId).execute();

  it('fails a campaign whose values take seconds to render, instead of holding the shared publisher', async () => {
    // ~0.3 s per recipient, under the 1 s limit of one render: a batch of 30 would take ~10 s.
    const slow = '{% for i in (1..1000000) %}{% endfor %}{{ Profile.Name }}';
    const created = json(
      await ctx.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: project.headers, payload: { name: 'Slow values', providerId, templateId, audience: { all: true }, params: [slow] } }),
    );
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/campaigns/${created.id}/publish`, headers: project.headers, payload: {} })).statusCode).toBe(200);
    const publisher = new PublisherService(ctx.deps, 'publisher-slow', 60_000, { batchSize: 30, leaseMs: 30_000 });
    await publisher.runOnce();
    const campaign = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${created.id}`, headers: project.headers }));
    expect(campaign.state).toBe('failed');
    const [, ms, rendered] = /^its placeholder values or media URL took (\d+) ms to render for (\d+) recipients .*simplify the Liquid/.exec(campaign.stateReason) ?? [];
    // Stopped once the batch's budget was spent, well before its 30 recipients.
    expect(Number(ms)).toBeGreaterThan(BATCH_DECISION_BUDGET_MS);
    expect(Number(rendered)).toBeGreaterThan(0);
    expect(Number(rendered)).toBeLessThan(30);
    // Nothing is sent; the audience is still targeted, every recipient cancelled with the reason.
    await publisher.runOnce();
    const rows = await ctx.db.kysely.selectFrom('messages').select(['status', 'error_detail']).where('campaign_id', '=', created.id).execute();
    expect(rows).toHaveLength(30);
    expect(rows.every((row) => row.status === 'cancelled' && row.error_detail === campaign.stateReason)).toBe(true);
    const after = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${created.id}`, headers: project.headers }));
    expect(after.stats).toMatchObject({ targeted: 30, queued: 0, cancelled: 30 });
  }, 30_000);

  it('lets campaigns published together take turns, a batch each, and finishes both', async () => {
    const first = await publishedCampaign('Turns A');
    const second = await publishedCampaign('Turns B');
    const publisher = new PublisherService(ctx.deps, 'publisher-test', 60_000, { batchSize: 10, leaseMs: 30_000 });
    await publisher.runOnce();

    const rows = [...(await rowsOf(first)), ...(await rowsOf(second))].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(rows).toHaveLength(60);
    // Creation order (ids are time-ordered): 10 of A, 10 of B, 10 of A … — not all of A first.
    const runs = rows.map((row) => (row.campaign_id === first ? 'A' : 'B')).join('').match(/A+|B+/g)!;
    expect(runs).toEqual(['A'.repeat(10), 'B'.repeat(10), 'A'.repeat(10), 'B'.repeat(10), 'A'.repeat(10), 'B'.repeat(10)]);
    const states = await ctx.db.kysely.selectFrom('campaigns').select(['id', 'materialized_at']).where('id', 'in', [first, second]).execute();
    expect(states.every((campaign) => campaign.materialized_at !== null)).toBe(true);
  });

  it('resumes from the cursor after a stop, without duplicates, and leaves a campaign leased elsewhere alone', async () => {
    const campaignId = await publishedCampaign('Resumed');
    const started = await CampaignMaterialization.open(ctx.deps, campaignId, 'first-owner', { batchSize: 10, leaseMs: 30_000 });
    if (typeof started === 'string') throw new Error(`expected to open, got ${started}`);
    expect(await started.step()).toBe('more');
    // While the first owner holds the publish lease, nobody else materialises the campaign.
    expect(await CampaignMaterialization.open(ctx.deps, campaignId, 'second-owner', { batchSize: 10, leaseMs: 30_000 })).toBe('busy');
    await started.close();
    expect(await rowsOf(campaignId)).toHaveLength(10);

    await new PublisherService(ctx.deps, 'second-owner', 60_000, { batchSize: 10, leaseMs: 30_000 }).runOnce();
    const rows = await rowsOf(campaignId);
    expect(rows).toHaveLength(30);
    const counters = await ctx.db.kysely.selectFrom('campaign_counters').select(['targeted', 'queued']).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    expect(Number(counters.targeted)).toBe(30);
    expect(Number(counters.queued)).toBe(30);
    expect(await CampaignMaterialization.open(ctx.deps, campaignId, 'third-owner')).toBe('done');
  });

  it('never leaves rows queued in a campaign stopped while their batch was being decided', async () => {
    const campaignId = await publishedCampaign('Stopped mid-batch');
    // The stop lands after the batch read the campaign's state and decided its rows, just before
    // they are written: the moment the batch opens its transaction.
    let stopped = false;
    const kysely = new Proxy(ctx.deps.db.kysely, {
      get(target, property) {
        if (property !== 'transaction' || stopped) {
          // Kysely keeps private fields: its methods must run on the real instance.
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        }
        return () => ({
          execute: async <T>(work: (trx: Transaction<Database>) => Promise<T>) => {
            stopped = true;
            expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/stop`, headers: project.headers, payload: {} })).statusCode).toBe(200);
            return target.transaction().execute(work);
          },
        });
      },
    });
    const deps = { ...ctx.deps, db: { ...ctx.deps.db, kysely } };
    const materialization = await CampaignMaterialization.open(deps, campaignId, 'racing-owner', { batchSize: 10, leaseMs: 30_000 });
    if (typeof materialization === 'string') throw new Error(`expected to open, got ${materialization}`);
    expect(await materialization.step()).toBe('more');
    expect(stopped).toBe(true);
    // The rest of the audience is still added, cancelled: targeted is the whole audience.
    while ((await materialization.step()) === 'more');
    await materialization.close();

    const rows = await ctx.db.kysely.selectFrom('messages').select(['status', 'error_detail']).where('campaign_id', '=', campaignId).execute();
    expect(rows).toHaveLength(30);
    expect(rows.every((row) => row.status === 'cancelled' && row.error_detail === `stopped through the API credentials "default" (${project.accountId})`)).toBe(true);
    const campaign = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}`, headers: project.headers }));
    expect(campaign.state).toBe('stopped');
    expect(campaign.stats).toMatchObject({ targeted: 30, queued: 0, cancelled: 30 });
  });

  /** The counters of a campaign and the same numbers counted from its message rows. */
  async function countersAndRecount(campaignId: string) {
    const counters = await ctx.db.kysely.selectFrom('campaign_counters').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    const rows = await ctx.db.kysely.selectFrom('messages').select(['status']).where('campaign_id', '=', campaignId).execute();
    const count = (...statuses: string[]) => rows.filter((row) => statuses.includes(row.status)).length;
    return {
      counters: { targeted: Number(counters.targeted), queued: Number(counters.queued), cancelled: Number(counters.cancelled) },
      recount: { targeted: rows.length, queued: count('queued', 'sending'), cancelled: count('cancelled') },
    };
  }

  // PRODUCT §4.2: targeted = the profiles in the audience at publish. Before, a campaign stopped (or
  // cut off) while its audience was still being added kept only the rows written so far, so
  // targeted was whatever the first batches held, and the rest of the audience was in no state.
  it('targets the whole audience of a campaign stopped while its recipients were being added: the rest are cancelled', async () => {
    const campaignId = await publishedCampaign('Stopped between batches');
    const materialization = await CampaignMaterialization.open(ctx.deps, campaignId, 'stopping-owner', { batchSize: 10, leaseMs: 30_000 });
    if (typeof materialization === 'string') throw new Error(`expected to open, got ${materialization}`);
    expect(await materialization.step()).toBe('more');
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/stop`, headers: project.headers, payload: {} })).statusCode).toBe(200);
    while ((await materialization.step()) === 'more');
    await materialization.close();

    const campaign = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}`, headers: project.headers }));
    expect(campaign).toMatchObject({ state: 'stopped', audienceMaterialized: true });
    expect(campaign.stats).toMatchObject({ targeted: 30, queued: 0, cancelled: 30, sent: 0 });
    const { counters, recount } = await countersAndRecount(campaignId);
    expect(counters).toEqual(recount);
    const log = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}/messages?status=cancelled&limit=100`, headers: project.headers }));
    expect(log.items.map((item: { errorDetail: string }) => item.errorDetail)).toEqual(Array(30).fill(`stopped through the API credentials "default" (${project.accountId})`));
    expect(await CampaignMaterialization.open(ctx.deps, campaignId, 'later-owner')).toBe('done');
  });

  it('targets the whole audience of a campaign cut off while its recipients were being added', async () => {
    const now = Date.now();
    const created = json(
      await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/campaigns',
        headers: project.headers,
        payload: { name: 'Cut off between batches', providerId, templateId, audience: { all: true }, params: ['{{ Profile.Name }}'], cutoffAt: now + 3_600_000 },
      }),
    );
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/campaigns/${created.id}/publish`, headers: project.headers, payload: {} })).statusCode).toBe(200);
    const materialization = await CampaignMaterialization.open(ctx.deps, created.id, 'cut-owner', { batchSize: 10, leaseMs: 30_000 });
    if (typeof materialization === 'string') throw new Error(`expected to open, got ${materialization}`);
    expect(await materialization.step()).toBe('more');
    await materialization.close();
    await new SchedulerService(ctx.deps, 'cut-scheduler').tick(now + 3_601_000);
    // Another process (or the next round) adds the rest: cancelled with the campaign's reason.
    await new PublisherService(ctx.deps, 'cut-publisher', 60_000, { batchSize: 10, leaseMs: 30_000 }).runOnce();

    const campaign = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${created.id}`, headers: project.headers }));
    expect(campaign).toMatchObject({ state: 'completed', stateReason: 'cut-off time reached', audienceMaterialized: true });
    expect(campaign.stats).toMatchObject({ targeted: 30, queued: 0, cancelled: 30 });
    const { counters, recount } = await countersAndRecount(created.id);
    expect(counters).toEqual(recount);
    const log = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${created.id}/messages?status=cancelled&limit=100`, headers: project.headers }));
    expect(log.items.map((item: { errorDetail: string }) => item.errorDetail)).toEqual(Array(30).fill('cut-off time reached'));
  });
});
