/**
 * A send whose answer took longer than its lease is marked `unknown` (never re-sent). When the
 * provider's answer does come back, it settles the message as a delivery report would: accepted →
 * sent, refused → failed, with the counters, instead of leaving it unknown for good (a refused send
 * never gets a delivery report).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { createCallbackAccount } from '../helpers/callbacks.js';
import { createTemplateRow, profileIdOf, seedCampaign } from '../helpers/campaign-seed.js';
import { SendResultWriter } from '../../src/campaigns/send-results.js';

describe.each(testEngines())('a send result after the lease ran out ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
  });
  afterAll(() => ctx?.close());

  it('settles the unknown message: accepted → sent, refused → failed', async () => {
    const account = await createCallbackAccount(ctx, project, 'gupshup');
    const templateId = await createTemplateRow(ctx.db, project.projectId, account.id);
    await seedProfiles(ctx.db, project.projectId, [0, 1].map((i) => ({ identity: `late-${i}`, phone: testPhone(i) })));
    const seeded = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: account.id,
      templateId,
      messages: await Promise.all([0, 1].map(async (i) => ({ profileId: await profileIdOf(ctx.db, project.projectId, `late-${i}`), phone: testPhone(i), status: 'unknown' as const }))),
    });
    const rows = await ctx.db.kysely.selectFrom('messages').selectAll().where('campaign_id', '=', seeded.campaignId).orderBy('id').execute();
    const claimed = rows.map((row) => ({ id: row.id, project_id: row.project_id, campaign_id: row.campaign_id, profile_id: row.profile_id, provider_id: row.provider_id, phone: row.phone, kind: row.kind, payload: row.payload, attempts: 1, lease_expires_at: 0 }));
    const raw = { request: { method: 'POST', url: 'x', body: '' } };
    const writer = new SendResultWriter(ctx.deps, { maxAttempts: 3 });
    writer.add(claimed[0]!, { ok: true, providerMessageId: 'late-accepted', raw });
    writer.add(claimed[1]!, { ok: false, outcome: 'not_sent', retryable: false, category: 'invalid_number', code: '1002', detail: 'not a WhatsApp number', raw });
    await writer.close();

    const after = await ctx.db.kysely.selectFrom('messages').select(['id', 'status', 'provider_message_id', 'sent_at', 'error_category']).where('campaign_id', '=', seeded.campaignId).orderBy('id').execute();
    expect(after.map((row) => [row.status, row.provider_message_id, row.error_category])).toEqual([
      ['sent', 'late-accepted', null],
      ['failed', null, 'invalid_number'],
    ]);
    expect(after[0]!.sent_at).not.toBeNull();
    const campaign = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${seeded.campaignId}`, headers: project.headers }));
    expect(campaign.stats).toMatchObject({ targeted: 2, queued: 0, unknown: 0, sent: 1, failed: 1, failedByCategory: { invalid_number: 1 } });
  });
});
