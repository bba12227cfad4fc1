import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { FakeProvider } from '../helpers/fake-provider.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { applyAll, createCallbackAccount, gupshupDlr, gupshupInbound, postJson, type CallbackAccountUrls } from '../helpers/callbacks.js';
import { createTemplateRow, profileIdOf, seedCampaign } from '../helpers/campaign-seed.js';
import { Applier } from '../../src/webhooks/applier.js';
import { REPORTS_EXPECTED_WITHIN_MS } from '../../src/campaigns/delivery-report-warning.js';

/**
 * When callbacks last reached an account, and the campaign warning built on it: a campaign whose
 * messages left while no delivery report reaches their account (a callback URL missing at the
 * provider) says so, instead of only showing Delivered and Viewed at 0.
 */
describe.each(testEngines())('callback arrivals and the missing-reports warning ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let gupshup: CallbackAccountUrls;
  let templateId: string;
  let applier: Applier;
  const fake = new FakeProvider();

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: fake.factory });
    project = await ctx.createProject();
    gupshup = await createCallbackAccount(ctx, project, 'gupshup');
    templateId = await createTemplateRow(ctx.db, project.projectId, gupshup.id);
    await seedProfiles(ctx.db, project.projectId, Array.from({ length: 4 }, (_, i) => ({ identity: `user-${i}`, phone: testPhone(i) })));
    applier = new Applier(ctx.deps);
  });
  afterAll(() => ctx?.close());

  const account = async () => json(await ctx.app.inject({ method: 'GET', url: `/api/v1/providers/${gupshup.id}`, headers: project.headers }));
  const campaign = async (id: string) => json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${id}`, headers: project.headers }));
  const listed = async (id: string) =>
    (json(await ctx.app.inject({ method: 'GET', url: '/api/v1/campaigns?limit=100', headers: project.headers })).items as Array<{ id: string; warnings: unknown[] }>).find((item) => item.id === id);
  const startedAgo = (id: string, ms: number) => ctx.db.kysely.updateTable('campaigns').set({ started_at: Date.now() - ms }).where('id', '=', id).execute();

  it('an account reports no arrivals before its first callback', async () => {
    expect(await account()).toMatchObject({ lastReceiptAt: null, lastInboundAt: null });
  });

  it('flags a campaign that has sent for minutes while no delivery report reached its account, in the campaign and in the list', async () => {
    const profiles = await Promise.all([0, 1].map((i) => profileIdOf(ctx.db, project.projectId, `user-${i}`)));
    const { campaignId } = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      messages: [0, 1].map((i) => ({ profileId: profiles[i]!, phone: testPhone(i), status: 'sent' as const, providerMessageId: `arr-a-${i}` })),
    });
    // Just started: reports may still be on their way.
    expect((await campaign(campaignId)).warnings).toEqual([]);

    await startedAgo(campaignId, REPORTS_EXPECTED_WITHIN_MS + 1000);
    const warned = await campaign(campaignId);
    expect(warned.warnings).toEqual([{ code: 'no_delivery_reports', message: expect.stringMatching(/No delivery report has reached the provider account ".+" since this campaign started/) }]);
    expect((await listed(campaignId))?.warnings).toEqual(warned.warnings);

    // An inbound message is not a delivery report: the warning stays.
    expect((await postJson(ctx, gupshup.inbound, gupshupInbound(testPhone(3), 'hello'))).statusCode).toBe(200);
    await applyAll(applier);
    const afterInbound = await account();
    expect(afterInbound.lastInboundAt).toEqual(expect.any(Number));
    expect(afterInbound.lastReceiptAt).toBeNull();
    expect((await campaign(campaignId)).warnings).toHaveLength(1);

    // A SENT report (no counter moves: the message is already sent) shows reports do arrive.
    const before = Date.now();
    expect((await postJson(ctx, gupshup.delivery, [gupshupDlr('arr-a-0', 'SENT')])).statusCode).toBe(200);
    await applyAll(applier);
    const afterReport = await account();
    expect(afterReport.lastReceiptAt).toBeGreaterThanOrEqual(before);
    expect((await campaign(campaignId)).warnings).toEqual([]);
    expect((await listed(campaignId))?.warnings).toEqual([]);
  });

  it('does not flag a campaign whose messages were reported on, nor one with nothing sent', async () => {
    const profileId = await profileIdOf(ctx.db, project.projectId, 'user-2');
    const delivered = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      messages: [{ profileId, phone: testPhone(2), status: 'sent', providerMessageId: 'arr-b-0' }],
    });
    const nothingSent = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      messages: [{ profileId, phone: testPhone(2), status: 'queued' }],
    });
    for (const { campaignId } of [delivered, nothingSent]) await startedAgo(campaignId, REPORTS_EXPECTED_WITHIN_MS + 60_000);
    // The account's last report is older than both campaigns' start.
    await ctx.db.kysely.updateTable('provider_accounts').set({ last_receipt_at: Date.now() - 2 * REPORTS_EXPECTED_WITHIN_MS }).where('id', '=', gupshup.id).execute();
    expect((await campaign(delivered.campaignId)).warnings).toHaveLength(1);
    expect((await campaign(nothingSent.campaignId)).warnings).toEqual([]);

    // The applier's in-process record of what it wrote would skip a write within seconds of the last one; a new applier starts afresh.
    expect((await postJson(ctx, gupshup.delivery, [gupshupDlr('arr-b-0', 'DELIVERED')])).statusCode).toBe(200);
    await applyAll(new Applier(ctx.deps));
    expect((await campaign(delivered.campaignId)).warnings).toEqual([]);
  });

  it('never moves an arrival time backwards (another process may have written a later one)', async () => {
    const later = Date.now() + 60_000;
    await ctx.db.kysely.updateTable('provider_accounts').set({ last_receipt_at: later }).where('id', '=', gupshup.id).execute();
    expect((await postJson(ctx, gupshup.delivery, [gupshupDlr('arr-b-0', 'READ')])).statusCode).toBe(200);
    await applyAll(new Applier(ctx.deps));
    expect((await account()).lastReceiptAt).toBe(later);
  });
});
