/**
 * What /metrics tells an operator about the work waiting in the database, on any node — also one
 * that runs no worker (`wacast serve --no-worker`), where nothing in the process sends or applies.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { createCallbackAccount, gupshupDlr, postJson, type CallbackAccountUrls } from '../helpers/callbacks.js';
import { createTemplateRow, seedCampaign } from '../helpers/campaign-seed.js';
import { seedProfiles } from '../helpers/audience.js';

function gauge(body: string, name: string): number {
  const line = body.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is missing from /metrics:\n${body.slice(0, 2000)}`);
  return Number(line.slice(name.length + 1));
}

describe.each(testEngines())('queue metrics ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let account: CallbackAccountUrls;

  beforeAll(async () => {
    // No worker is started: the app is an API and callback node only.
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    account = await createCallbackAccount(ctx, project, 'gupshup');
    // Each test reads what it just changed: no reuse of the previous scrape's read (the last test checks the reuse).
    ctx.deps.metrics.queueGaugesMaxAgeMs = 0;
  });
  afterAll(() => ctx?.close());

  const scrape = async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    return response.body;
  };

  it('start at zero', async () => {
    const body = await scrape();
    expect(gauge(body, 'wacast_messages_queued{campaign_state="running"}')).toBe(0);
    expect(gauge(body, 'wacast_callback_backlog')).toBe(0);
    expect(gauge(body, 'wacast_callback_lag_seconds')).toBe(0);
  });

  it('count the messages waiting to be sent, by campaign state', async () => {
    const templateId = await createTemplateRow(ctx.db, project.projectId, account.id);
    await seedProfiles(ctx.db, project.projectId, [
      { identity: 'q1', phone: '+919812300001' },
      { identity: 'q2', phone: '+919812300002' },
      { identity: 'q3', phone: '+919812300003' },
    ]);
    const profiles = await ctx.db.kysely.selectFrom('profiles').select(['id', 'identity']).where('project_id', '=', project.projectId).orderBy('identity').execute();
    const phone = (i: number) => `+9198123000${String(i + 1).padStart(2, '0')}`;
    await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: account.id,
      templateId,
      messages: profiles.map((profile, i) => ({ profileId: profile.id, phone: phone(i), status: i === 0 ? 'sent' : 'queued' })),
    });
    const paused = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: account.id,
      templateId,
      messages: profiles.map((profile, i) => ({ profileId: profile.id, phone: phone(i), status: 'queued' })),
    });
    await ctx.db.kysely.updateTable('campaigns').set({ state: 'paused' }).where('id', '=', paused.campaignId).execute();

    const body = await scrape();
    expect(gauge(body, 'wacast_messages_queued{campaign_state="running"}')).toBe(2);
    expect(gauge(body, 'wacast_messages_queued{campaign_state="paused"}')).toBe(3);
    expect(gauge(body, 'wacast_messages_queued{campaign_state="scheduled"}')).toBe(0);
  });

  it('show the callbacks acknowledged but not applied, and how long the oldest has waited, on a node without a worker', async () => {
    for (const status of ['SENT', 'DELIVERED'] as const) {
      const response = await postJson(ctx, account.delivery, gupshupDlr('no-worker-1', status));
      expect(response.statusCode).toBe(200);
    }
    // The oldest has waited 90 s.
    const oldest = await ctx.db.kysely.selectFrom('callback_events').select('seq').where('state', '=', 'pending').orderBy('seq').limit(1).executeTakeFirstOrThrow();
    await ctx.db.kysely.updateTable('callback_events').set({ received_at: Date.now() - 90_000 }).where('seq', '=', oldest.seq).execute();

    const body = await scrape();
    expect(gauge(body, 'wacast_callback_backlog')).toBe(2);
    const lag = gauge(body, 'wacast_callback_lag_seconds');
    expect(lag).toBeGreaterThanOrEqual(90);
    expect(lag).toBeLessThan(120);
  });

  it('read the database once for a burst of scrapes: scrapes from this machine need no credentials', async () => {
    const reads = vi.spyOn(ctx.db.kysely, 'selectFrom');
    try {
      await scrape();
      const perRead = reads.mock.calls.length;
      expect(perRead).toBeGreaterThan(0);
      ctx.deps.metrics.queueGaugesMaxAgeMs = 1_000;
      // 50 scrapes at once and 50 one after the other, within the second: no further database read.
      await Promise.all(Array.from({ length: 50 }, () => scrape()));
      for (let i = 0; i < 50; i += 1) await scrape();
      expect(reads.mock.calls.length).toBe(perRead);
      // A change shows once the read is a second old.
      await postJson(ctx, account.delivery, gupshupDlr('no-worker-2', 'SENT'));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const before = reads.mock.calls.length;
      expect(gauge(await scrape(), 'wacast_callback_backlog')).toBe(3);
      expect(reads.mock.calls.length).toBeGreaterThan(before);
    } finally {
      reads.mockRestore();
      ctx.deps.metrics.queueGaugesMaxAgeMs = 0;
    }
  });
});
