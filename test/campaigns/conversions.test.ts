/**
 * Conversions (Setup → conversion goal event): a recipient converts when they do the goal event
 * within 7 days after the campaign's message was sent to them, whenever that event is uploaded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { createCallbackAccount } from '../helpers/callbacks.js';
import { createTemplateRow, profileIdOf, seedCampaign } from '../helpers/campaign-seed.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each(testEngines())('conversions ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
  });
  afterAll(() => ctx?.close());

  it('counts a goal event done within 7 days of the send even when it is uploaded after the campaign ended long ago', async () => {
    const account = await createCallbackAccount(ctx, project, 'gupshup');
    const templateId = await createTemplateRow(ctx.db, project.projectId, account.id);
    const identities = ['late-upload', 'too-late', 'before-send'];
    await seedProfiles(ctx.db, project.projectId, identities.map((identity, i) => ({ identity, phone: testPhone(i) })));
    const now = Date.now();
    const sentAt = now - 20 * DAY;
    const seeded = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: account.id,
      templateId,
      messages: await Promise.all(identities.map(async (identity, i) => ({ profileId: await profileIdOf(ctx.db, project.projectId, identity), phone: testPhone(i), status: 'sent' as const, sentAt }))),
    });
    // Sent 20 days ago, completed 19 days ago; the purchases are uploaded only now (a nightly export running late, a backfill).
    await ctx.db.kysely.updateTable('campaigns').set({ conversion_event: 'Purchase', state: 'completed', completed_at: sentAt + DAY }).where('id', '=', seeded.campaignId).execute();
    const purchase = (identity: string, at: number) => ({ identity, type: 'event', evtName: 'Purchase', evtData: {}, ts: Math.floor(at / 1000) });
    const upload = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/upload',
      headers: project.headers,
      payload: { d: [purchase('late-upload', sentAt + 6 * DAY), purchase('too-late', sentAt + 8 * DAY), purchase('before-send', sentAt - DAY)] },
    });
    expect(json(upload).status).toBe('success');

    const campaign = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${seeded.campaignId}`, headers: project.headers }));
    expect(campaign.stats.converted).toBe(1);
    const converted = await ctx.db.kysely.selectFrom('messages').select(['profile_id', 'converted_at']).where('campaign_id', '=', seeded.campaignId).where('converted_at', 'is not', null).execute();
    expect(converted).toEqual([{ profile_id: await profileIdOf(ctx.db, project.projectId, 'late-upload'), converted_at: Math.floor((sentAt + 6 * DAY) / 1000) * 1000 }]);
  });

  it('dates a conversion by the earliest goal event of an upload, whatever the order of its records', async () => {
    const account = await createCallbackAccount(ctx, project, 'gupshup');
    const templateId = await createTemplateRow(ctx.db, project.projectId, account.id, 'ABC:order');
    await seedProfiles(ctx.db, project.projectId, [{ identity: 'two-purchases', phone: testPhone(10) }]);
    const sentAt = Date.now() - 3 * DAY;
    const seeded = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: account.id,
      templateId,
      messages: [{ profileId: await profileIdOf(ctx.db, project.projectId, 'two-purchases'), phone: testPhone(10), status: 'sent' as const, sentAt }],
    });
    await ctx.db.kysely.updateTable('campaigns').set({ conversion_event: 'Purchase' }).where('id', '=', seeded.campaignId).execute();
    const purchase = (at: number) => ({ identity: 'two-purchases', type: 'event', evtName: 'Purchase', evtData: {}, ts: Math.floor(at / 1000) });
    const later = sentAt + 2 * DAY;
    const earlier = sentAt + DAY;
    const upload = await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d: [purchase(later), purchase(earlier)] } });
    expect(json(upload).status).toBe('success');
    const row = await ctx.db.kysely.selectFrom('messages').select(['converted_at']).where('campaign_id', '=', seeded.campaignId).executeTakeFirstOrThrow();
    expect(row.converted_at).toBe(Math.floor(earlier / 1000) * 1000);
  });
});
