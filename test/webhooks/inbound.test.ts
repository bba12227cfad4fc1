import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { FakeProvider, waitFor } from '../helpers/fake-provider.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { applyAll, createCallbackAccount, gupshupDlr, gupshupInbound, postJson, type CallbackAccountUrls } from '../helpers/callbacks.js';
import { countersOf, createTemplateRow, profileIdOf, seedCampaign } from '../helpers/campaign-seed.js';
import { Applier } from '../../src/webhooks/applier.js';
import { ApplierService } from '../../src/webhooks/applier.service.js';
import { DispatchService } from '../../src/campaigns/dispatch.service.js';
import type { ProviderClientFactory } from '../../src/providers/provider-clients.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';

const DAY = 24 * 60 * 60 * 1000;
const AUTO_REPLY = 'Thanks for writing to us! An agent will answer during office hours.';

describe.each(testEngines())('inbound messages, keywords and auto-reply ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let gupshup: CallbackAccountUrls;
  let templateId: string;
  let applier: Applier;
  const fake = new FakeProvider();
  const optCalls: string[] = [];
  // The fake adapter, recording opt-in / opt-out calls.
  const factory: ProviderClientFactory = (type, credentials, urls) => {
    const client = fake.factory(type, credentials, urls);
    return {
      ...client,
      optIn: async (phone) => {
        optCalls.push(`in ${phone}`);
        return client.optIn(phone);
      },
      optOut: async (phone) => {
        optCalls.push(`out ${phone}`);
        return client.optOut(phone);
      },
    };
  };

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: factory });
    project = await ctx.createProject();
    gupshup = await createCallbackAccount(ctx, project, 'gupshup', { autoReply: { enabled: true, text: AUTO_REPLY } });
    templateId = await createTemplateRow(ctx.db, project.projectId, gupshup.id);
    await seedProfiles(ctx.db, project.projectId, Array.from({ length: 10 }, (_, i) => ({ identity: `user-${i}`, phone: testPhone(i), properties: { Name: `User ${i}` } })));
    applier = new Applier(ctx.deps);
  });
  afterAll(() => ctx?.close());

  const inbound = async (from: string, text: string, options: Parameters<typeof gupshupInbound>[2] = {}, url = gupshup.inbound) => {
    const response = await postJson(ctx, url, gupshupInbound(from, text, options));
    expect(response.statusCode, response.body).toBe(200);
  };
  const queued = (phone: string) =>
    ctx.db.kysely.selectFrom('messages').select(['kind', 'priority', 'status', 'payload', 'provider_id']).where('phone', '=', phone).where('campaign_id', 'is', null).orderBy('id').execute();
  const texts = async (phone: string) => (await queued(phone)).map((row) => `${row.kind}: ${JSON.parse(String(typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload))).text}`);
  const conversation = (phone: string, projectId = project.projectId) =>
    ctx.db.kysely.selectFrom('conversations').selectAll().where('project_id', '=', projectId).where('phone', '=', phone).executeTakeFirst();
  const dnd = (phone: string) => ctx.db.kysely.selectFrom('phone_dnd').select(['dnd', 'source']).where('project_id', '=', project.projectId).where('phone', '=', phone).executeTakeFirst();
  const repliedEvents = (profileId: string) =>
    ctx.db.kysely.selectFrom('events').select(['name', 'properties']).where('profile_id', '=', profileId).where('name', '=', 'Notification Replied').orderBy('id').execute();

  it('tells the project\'s provider accounts about subscribe API opt-outs and opt-ins (OPT_OUT / OPT_IN), and no other project\'s', async () => {
    const other = await ctx.createProject('other-opt');
    await createCallbackAccount(ctx, other, 'gupshup');
    const [out, back] = [testPhone(70), testPhone(71)];
    const subscribe = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/subscribe',
      headers: project.headers,
      payload: { d: [{ type: 'whatsapp', value: out, status: 'Unsubscribe' }, { type: 'whatsapp', value: back, status: 'Resubscribe' }, { type: 'whatsapp', value: 'nope', status: 'Unsubscribe' }] },
    });
    expect(json(subscribe)).toMatchObject({ status: 'partial', processed: 2 });
    await waitFor(async () => optCalls.filter((call) => call.endsWith(out) || call.endsWith(back)).length === 2, 5000, 'opt calls');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // One call per phone: the project's one account, not the other project's.
    expect(optCalls.filter((call) => call.endsWith(out) || call.endsWith(back)).sort()).toEqual([`in ${back}`, `out ${out}`]);
  });

  it('stores a reply, attributes it by context id, counts the answered message once and records Notification Replied', async () => {
    const profile = await profileIdOf(ctx.db, project.projectId, 'user-1');
    const { campaignId, messageIds } = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      name: 'Diwali offer',
      messages: [{ profileId: profile, phone: testPhone(1), status: 'sent', providerMessageId: 'ctx-1' }],
    });
    await inbound(testPhone(1), 'Yes please', { replyId: 'in-1', context: 'ctx-1' });
    await inbound(testPhone(1), 'When does it end?', { replyId: 'in-2', context: 'ctx-1' });
    await inbound(testPhone(1), 'Yes please', { replyId: 'in-1', context: 'ctx-1' }); // the provider repeating itself
    await applyAll(applier);

    const stored = await ctx.db.kysely.selectFrom('inbound_messages').selectAll().where('phone', '=', testPhone(1)).orderBy('received_at').execute();
    expect(stored.map((row) => [row.provider_message_id, row.text, row.campaign_id, row.profile_id, row.context_message_id])).toEqual([
      ['in-1', 'Yes please', campaignId, profile, 'ctx-1'],
      ['in-2', 'When does it end?', campaignId, profile, 'ctx-1'],
    ]);
    expect(await countersOf(ctx.db, campaignId)).toMatchObject({ replied: 1 });
    const replied = await ctx.db.kysely.selectFrom('messages').select('replied_at').where('id', '=', messageIds[0]!).executeTakeFirstOrThrow();
    expect(replied.replied_at).toEqual(expect.any(Number));
    const timeline = await ctx.db.kysely.selectFrom('campaign_timeline').select((eb) => eb.fn.sum<number>('replied').as('replied')).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
    expect(Number(timeline.replied)).toBe(1);
    const events = await repliedEvents(profile);
    expect(events).toHaveLength(2);
    expect(JSON.parse(String(typeof events[0]!.properties === 'string' ? events[0]!.properties : JSON.stringify(events[0]!.properties)))).toMatchObject({ 'incoming text': 'Yes please', campaign_id: campaignId, message_id: messageIds[0] });
    expect(await conversation(testPhone(1))).toMatchObject({ unread: 2, last_text: 'When does it end?', last_direction: 'in', last_campaign_id: campaignId, profile_id: profile, provider_id: gupshup.id });
    // A tracked user gets no auto-reply.
    expect(await queued(testPhone(1))).toEqual([]);
  });

  it('stores a message sent without replyId once however often the provider posts it, and two such messages twice', async () => {
    const phone = testPhone(9);
    const profile = await profileIdOf(ctx.db, project.projectId, 'user-9');
    const withoutId = (text: string, timestamp: number) => {
      const { replyId: _omitted, ...body } = gupshupInbound(phone, text, { timestamp });
      return body;
    };
    const at = Date.now() - 60_000;
    for (const body of [withoutId('Is it still on?', at), withoutId('Is it still on?', at), withoutId('Is it still on?', at + 1500)]) {
      expect((await postJson(ctx, gupshup.inbound, body)).statusCode).toBe(200);
    }
    await applyAll(applier);
    const stored = await ctx.db.kysely.selectFrom('inbound_messages').select(['text', 'received_at', 'provider_message_id']).where('phone', '=', phone).orderBy('received_at').execute();
    expect(stored.map((row) => [row.text, Number(row.received_at)])).toEqual([['Is it still on?', at], ['Is it still on?', at + 1500]]);
    expect(stored.map((row) => row.provider_message_id)).toEqual([expect.stringMatching(/^wacast-content-[0-9a-f]{32}$/), expect.stringMatching(/^wacast-content-[0-9a-f]{32}$/)]);
    expect(await repliedEvents(profile)).toHaveLength(2);
    expect(await conversation(phone)).toMatchObject({ unread: 2 });
  });

  it('attributes a reply without context to the latest campaign that reached the phone within 7 days', async () => {
    const p2 = await profileIdOf(ctx.db, project.projectId, 'user-2');
    const p3 = await profileIdOf(ctx.db, project.projectId, 'user-3');
    const now = Date.now();
    const older = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: p2, phone: testPhone(2), status: 'sent', providerMessageId: 'old-2', sentAt: now - 5 * DAY }] });
    const recent = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: p2, phone: testPhone(2), status: 'sent', providerMessageId: 'new-2', sentAt: now - 3 * DAY }] });
    const tooOld = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: p3, phone: testPhone(3), status: 'sent', providerMessageId: 'old-3', sentAt: now - 8 * DAY }] });
    await inbound(testPhone(2), 'Interested');
    await inbound(testPhone(3), 'Interested too');
    // A context id that is not ours falls back to the same rule.
    await inbound(testPhone(2), 'Still interested', { context: 'not-a-message-of-ours' });
    await applyAll(applier);
    expect(await countersOf(ctx.db, recent.campaignId)).toMatchObject({ replied: 1 });
    expect(await countersOf(ctx.db, older.campaignId)).toMatchObject({ replied: 0 });
    expect(await countersOf(ctx.db, tooOld.campaignId)).toMatchObject({ replied: 0 });
    const rows = await ctx.db.kysely.selectFrom('inbound_messages').select(['phone', 'campaign_id']).where('phone', 'in', [testPhone(2), testPhone(3)]).orderBy('received_at').execute();
    expect(rows).toEqual([
      { phone: testPhone(2), campaign_id: recent.campaignId },
      { phone: testPhone(3), campaign_id: null },
      { phone: testPhone(2), campaign_id: recent.campaignId },
    ]);
    expect(await repliedEvents(p3)).toHaveLength(1);
  });

  it('does not attribute a reply to a later campaign whose message failed: that one never reached the phone', async () => {
    const phone = testPhone(12);
    await seedProfiles(ctx.db, project.projectId, [{ identity: 'user-12', phone }]);
    const profile = await profileIdOf(ctx.db, project.projectId, 'user-12');
    const now = Date.now();
    const reached = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: profile, phone, status: 'sent', providerMessageId: 'reached-12', sentAt: now - 3 * DAY }] });
    const failed = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: profile, phone, status: 'sent', providerMessageId: 'failed-12', sentAt: now - DAY }] });
    // The provider accepted the later message, then reported it undeliverable.
    expect((await postJson(ctx, gupshup.delivery, [gupshupDlr('failed-12', 'FAILED', { phone })])).statusCode).toBe(200);
    await applyAll(applier);
    await inbound(phone, 'Is the offer still on?');
    await applyAll(applier);
    const row = await ctx.db.kysely.selectFrom('inbound_messages').select('campaign_id').where('phone', '=', phone).executeTakeFirstOrThrow();
    expect(row.campaign_id).toBe(reached.campaignId);
    expect(await countersOf(ctx.db, reached.campaignId)).toMatchObject({ replied: 1 });
    expect(await countersOf(ctx.db, failed.campaignId)).toMatchObject({ replied: 0 });
  });

  it('does not attribute a reply that quotes an agent\'s Inbox reply to some other campaign', async () => {
    const phone = testPhone(13);
    await seedProfiles(ctx.db, project.projectId, [{ identity: 'user-13', phone }]);
    const profile = await profileIdOf(ctx.db, project.projectId, 'user-13');
    const now = Date.now();
    const campaign = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: profile, phone, status: 'sent', providerMessageId: 'camp-13', sentAt: now - DAY }] });
    // An agent answered from the Inbox (no campaign); the user quotes that answer, then the campaign message.
    await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: profile, phone, status: 'sent', providerMessageId: 'agent-13', sentAt: now - 60_000, kind: 'reply' }] });
    await inbound(phone, 'Thanks, that answers it', { replyId: 'in-13-a', context: 'agent-13' });
    await applyAll(applier);
    const answer = await ctx.db.kysely.selectFrom('inbound_messages').select(['campaign_id', 'profile_id']).where('provider_message_id', '=', 'in-13-a').executeTakeFirstOrThrow();
    expect(answer).toEqual({ campaign_id: null, profile_id: profile });
    expect(await countersOf(ctx.db, campaign.campaignId)).toMatchObject({ replied: 0 });
    const events = await repliedEvents(profile);
    expect(events).toHaveLength(1);
    const properties = events[0]!.properties;
    expect(JSON.parse(typeof properties === 'string' ? properties : JSON.stringify(properties))).not.toHaveProperty('campaign_id');
    expect(await conversation(phone)).toMatchObject({ last_campaign_id: null });

    await inbound(phone, 'About the offer: yes', { replyId: 'in-13-b', context: 'camp-13' });
    await applyAll(applier);
    expect(await countersOf(ctx.db, campaign.campaignId)).toMatchObject({ replied: 1 });
  });

  it('knows a Mexican or Brazilian user who writes in WhatsApp\'s other spelling of their number (+52 1…, 8-digit Brazilian mobiles)', async () => {
    const stored = ['+525512345678', '+5511987654321'];
    const written = ['+5215512345678', '+551187654321'];
    await seedProfiles(ctx.db, project.projectId, stored.map((phone, i) => ({ identity: `spelling-${i}`, phone })));
    const profiles = await Promise.all(stored.map((_, i) => profileIdOf(ctx.db, project.projectId, `spelling-${i}`)));
    const campaign = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      messages: stored.map((phone, i) => ({ profileId: profiles[i]!, phone, status: 'sent' as const, providerMessageId: `spelling-${i}` })),
    });
    for (const phone of written) await inbound(phone, 'Tell me more');
    await applyAll(applier);
    // Attributed to the campaign, recorded on the profile, and no auto-reply: these users are tracked.
    expect(await countersOf(ctx.db, campaign.campaignId)).toMatchObject({ replied: 2 });
    for (const profileId of profiles) expect(await repliedEvents(profileId)).toHaveLength(1);
    for (const phone of written) expect(await texts(phone)).toEqual([]);
  });

  it('attributes a reply that overtakes the send response to the campaign message still being sent', async () => {
    // The provider delivered and the user answered before the provider's answer to our request
    // was stored: the message is `sending`, without the provider's id and without sent_at.
    const p8 = await profileIdOf(ctx.db, project.projectId, 'user-8');
    const inFlight = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, name: 'Flash sale', messages: [{ profileId: p8, phone: testPhone(8), status: 'sending' }] });
    await inbound(testPhone(8), 'STOP please', { context: 'provider-id-not-stored-yet' });
    await applyAll(applier);
    const row = await ctx.db.kysely.selectFrom('inbound_messages').select(['campaign_id', 'profile_id']).where('phone', '=', testPhone(8)).executeTakeFirstOrThrow();
    expect(row).toEqual({ campaign_id: inFlight.campaignId, profile_id: p8 });
    expect(await countersOf(ctx.db, inFlight.campaignId)).toMatchObject({ replied: 1 });
  });

  it('attributes a reply to a newer campaign message whose send answer never came (unknown), and settles it as delivered', async () => {
    // The request timed out (unknown) but the message arrived and the user answers it: before, the
    // reply went to an older campaign that had a send time, and the unknown message stayed unknown.
    await seedProfiles(ctx.db, project.projectId, [{ identity: 'timed-out', phone: testPhone(50) }]);
    const profile = await profileIdOf(ctx.db, project.projectId, 'timed-out');
    const now = Date.now();
    const older = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: profile, phone: testPhone(50), status: 'sent', providerMessageId: 'older-50', sentAt: now - 2 * DAY }] });
    const timedOut = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: profile, phone: testPhone(50), status: 'unknown' }] });
    await ctx.db.kysely.updateTable('messages').set({ updated_at: now - 60_000 }).where('id', '=', timedOut.messageIds[0]!).execute();
    await inbound(testPhone(50), 'Yes please');
    await applyAll(applier);
    const row = await ctx.db.kysely.selectFrom('inbound_messages').select('campaign_id').where('phone', '=', testPhone(50)).executeTakeFirstOrThrow();
    expect(row.campaign_id).toBe(timedOut.campaignId);
    expect(await countersOf(ctx.db, timedOut.campaignId)).toMatchObject({ unknown: 0, sent: 1, delivered: 1, replied: 1 });
    expect(await countersOf(ctx.db, older.campaignId)).toMatchObject({ replied: 0 });
    const message = await ctx.db.kysely.selectFrom('messages').select(['status', 'replied_at']).where('id', '=', timedOut.messageIds[0]!).executeTakeFirstOrThrow();
    expect(message).toMatchObject({ status: 'delivered', replied_at: expect.any(Number) });

    // An unknown message older than the latest one sent is not what a new reply answers.
    await seedProfiles(ctx.db, project.projectId, [{ identity: 'timed-out-2', phone: testPhone(51) }]);
    const profile2 = await profileIdOf(ctx.db, project.projectId, 'timed-out-2');
    const stale = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: profile2, phone: testPhone(51), status: 'unknown' }] });
    await ctx.db.kysely.updateTable('messages').set({ updated_at: now - 2 * DAY }).where('id', '=', stale.messageIds[0]!).execute();
    const newer = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: profile2, phone: testPhone(51), status: 'sent', providerMessageId: 'newer-51', sentAt: now - DAY }] });
    await inbound(testPhone(51), 'Count me in');
    await applyAll(applier);
    expect(await countersOf(ctx.db, newer.campaignId)).toMatchObject({ replied: 1 });
    expect(await countersOf(ctx.db, stale.campaignId)).toMatchObject({ replied: 0, unknown: 1 });
  });

  it('counts a replied message as delivered, once, when its delivery report never came: Replied never exceeds Delivered', async () => {
    // Replies prove delivery. Before, a message answered while still `sent` (its DELIVERED report
    // late or lost), `sending` or reported failed counted as replied but not as delivered, and the
    // report's Replied share (of delivered) went over 100 %.
    const phones = [40, 41, 42, 43].map(testPhone);
    await seedProfiles(ctx.db, project.projectId, phones.map((phone, i) => ({ identity: `proof-${i}`, phone })));
    const profiles = await Promise.all(phones.map((_, i) => profileIdOf(ctx.db, project.projectId, `proof-${i}`)));
    const { campaignId } = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      messages: [
        { profileId: profiles[0]!, phone: phones[0]!, status: 'sent', providerMessageId: 'proof-0' },
        { profileId: profiles[1]!, phone: phones[1]!, status: 'sent', providerMessageId: 'proof-1' },
        { profileId: profiles[2]!, phone: phones[2]!, status: 'sending' },
        { profileId: profiles[3]!, phone: phones[3]!, status: 'sent', providerMessageId: 'proof-3' },
      ],
    });
    // The provider reported the last one failed; the user answers it all the same (quoting it).
    expect((await postJson(ctx, gupshup.delivery, [gupshupDlr('proof-3', 'FAILED', { phone: phones[3] })])).statusCode).toBe(200);
    // The second one's DELIVERED report comes before its reply, the usual order.
    expect((await postJson(ctx, gupshup.delivery, [gupshupDlr('proof-1', 'DELIVERED', { phone: phones[1] })])).statusCode).toBe(200);
    await applyAll(applier);
    const repliedAt = Date.now();
    for (const [i, phone] of phones.entries()) await inbound(phone, 'Yes', { ...(i === 3 ? { context: 'proof-3' } : {}), timestamp: repliedAt });
    await inbound(phones[0]!, 'Yes again', { timestamp: repliedAt });
    await applyAll(applier);
    // A late DELIVERED and a READ for the first one: delivered counted once, then read.
    expect((await postJson(ctx, gupshup.delivery, [gupshupDlr('proof-0', 'DELIVERED', { phone: phones[0] }), gupshupDlr('proof-0', 'READ', { phone: phones[0] })])).statusCode).toBe(200);
    await applyAll(applier);

    const rows = await ctx.db.kysely.selectFrom('messages').selectAll().where('campaign_id', '=', campaignId).orderBy('id').execute();
    expect(rows.map((row) => row.status)).toEqual(['read', 'delivered', 'delivered', 'delivered']);
    expect(rows.map((row) => row.delivered_at)).toEqual([repliedAt, expect.any(Number), repliedAt, repliedAt]);
    expect(rows[1]!.delivered_at).toBeLessThan(repliedAt + 1);
    expect(rows[2]).toMatchObject({ sent_at: repliedAt, lease_owner: null, lease_expires_at: null });
    expect(rows[3]).toMatchObject({ error_category: null, error_code: null });
    const counters = await countersOf(ctx.db, campaignId);
    expect(counters).toMatchObject({ targeted: 4, queued: 0, sent: 4, delivered: 4, read: 1, failed: 0, unknown: 0, replied: 4 });
    // The counters are a recount of the message rows.
    expect(counters).toMatchObject({
      queued: rows.filter((row) => row.status === 'queued' || row.status === 'sending').length,
      sent: rows.filter((row) => row.sent_at !== null).length,
      delivered: rows.filter((row) => row.delivered_at !== null).length,
      read: rows.filter((row) => row.read_at !== null).length,
      failed: rows.filter((row) => row.status === 'failed').length,
      unknown: rows.filter((row) => row.status === 'unknown').length,
      replied: rows.filter((row) => row.replied_at !== null).length,
    });
    const failures = await ctx.db.kysely.selectFrom('campaign_failures').select('count').where('campaign_id', '=', campaignId).execute();
    expect(failures.reduce((sum, row) => sum + Number(row.count), 0)).toBe(0);
    const timeline = await ctx.db.kysely
      .selectFrom('campaign_timeline')
      .select((eb) => [eb.fn.sum<number>('delivered').as('delivered'), eb.fn.sum<number>('replied').as('replied')])
      .where('campaign_id', '=', campaignId)
      .executeTakeFirstOrThrow();
    expect({ delivered: Number(timeline.delivered), replied: Number(timeline.replied) }).toEqual({ delivered: 4, replied: 4 });
    // One Notification Delivered per profile, whichever proved the delivery.
    const delivered = await ctx.db.kysely.selectFrom('events').select('profile_id').where('name', '=', 'Notification Delivered').where('profile_id', 'in', profiles).execute();
    expect(delivered.map((row) => row.profile_id).sort()).toEqual([...profiles].sort());
    const report = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}`, headers: project.headers }));
    expect(report.stats).toMatchObject({ delivered: 4, replied: 4 });
  });

  it('STOP from a tracked user sets the phone-level DND and queues one confirmation; START lifts it', async () => {
    const phone = testPhone(4);
    await inbound(phone, '  stop ');
    await applyAll(applier);
    expect(await dnd(phone)).toEqual({ dnd: 1, source: 'keyword' });
    expect(await texts(phone)).toEqual(['keyword_reply: You have been unsubscribed. Reply START to subscribe again.']);
    const [confirmation] = await queued(phone);
    expect(confirmation).toMatchObject({ priority: 1, status: 'queued', provider_id: gupshup.id });

    // Saying it again changes nothing and sends nothing more.
    await inbound(phone, 'UNSUBSCRIBE');
    await applyAll(applier);
    expect(await queued(phone)).toHaveLength(1);

    await inbound(phone, 'Start');
    await applyAll(applier);
    expect(await dnd(phone)).toEqual({ dnd: 0, source: 'keyword' });
    expect(await texts(phone)).toEqual([
      'keyword_reply: You have been unsubscribed. Reply START to subscribe again.',
      'keyword_reply: You have been subscribed again. Reply STOP to unsubscribe.',
    ]);
    await applier.settle();
    expect(optCalls.filter((call) => call.endsWith(phone))).toEqual([`out ${phone}`, `in ${phone}`]);

    await inbound(phone, 'stop promotions');
    await applyAll(applier);
    expect(await dnd(phone)).toEqual({ dnd: 1, source: 'keyword' });
    expect(await queued(phone)).toHaveLength(3);
    // Keyword messages are replies like any other.
    expect(await repliedEvents(await profileIdOf(ctx.db, project.projectId, 'user-4'))).toHaveLength(4);
  });

  it('confirms a STOP from a phone opted out through the subscribe API once, not again within 24 hours', async () => {
    const phone = testPhone(41);
    const subscribe = await ctx.app.inject({ method: 'POST', url: '/api/v1/subscribe', headers: project.headers, payload: { d: [{ type: 'whatsapp', value: phone, status: 'Unsubscribe' }] } });
    expect(json(subscribe)).toMatchObject({ status: 'success', processed: 1 });
    await inbound(phone, 'STOP');
    await applyAll(applier);
    // Nothing changed (already opted out), but the user never had a confirmation.
    expect(await texts(phone)).toEqual(['keyword_reply: You have been unsubscribed. Reply START to subscribe again.']);
    await inbound(phone, 'stop');
    await applyAll(applier);
    expect(await queued(phone)).toHaveLength(1);
  });

  it('uses the project\'s own keywords and confirmations (GET/PATCH /api/v1/settings/keywords)', async () => {
    const defaults = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/settings/keywords', headers: project.headers }));
    expect(defaults).toEqual({
      optOut: { keywords: ['STOP', 'UNSUBSCRIBE', 'STOP PROMOTIONS'], reply: 'You have been unsubscribed. Reply START to subscribe again.' },
      optIn: { keywords: ['START', 'SUBSCRIBE'], reply: 'You have been subscribed again. Reply STOP to unsubscribe.' },
    });
    const bad = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/settings/keywords', headers: project.headers, payload: { optOut: { keywords: ['stop', ' ', 'x'.repeat(60), 'start'] } } });
    expect(bad.statusCode).toBe(422);
    expect(json(bad).error.details.map((problem: { path: string }) => problem.path)).toEqual(['optOut.keywords.1', 'optOut.keywords.2', 'optOut.keywords']);
    expect(json(bad).error.message).toMatch(/"START" cannot both opt out and opt in/);
    const unknownField = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/settings/keywords', headers: project.headers, payload: { optOut: { words: [] } } });
    expect(unknownField.statusCode).toBe(422);

    const patched = await ctx.app.inject({ method: 'PATCH', url: '/api/v1/settings/keywords', headers: project.headers, payload: { optOut: { keywords: ['stop', 'Alto  Ya'], reply: 'Listo, no más mensajes.' } } });
    expect(patched.statusCode).toBe(200);
    expect(json(patched)).toMatchObject({ optOut: { keywords: ['STOP', 'ALTO YA'], reply: 'Listo, no más mensajes.' }, optIn: defaults.optIn });
    const phone = testPhone(5);
    await inbound(phone, 'alto ya');
    await inbound(testPhone(6), 'unsubscribe'); // no longer a keyword: just a reply
    await applyAll(applier);
    expect(await dnd(phone)).toEqual({ dnd: 1, source: 'keyword' });
    expect(await texts(phone)).toEqual(['keyword_reply: Listo, no más mensajes.']);
    expect(await dnd(testPhone(6))).toBeUndefined();

    const other = await ctx.createProject('other');
    expect(json(await ctx.app.inject({ method: 'GET', url: '/api/v1/settings/keywords', headers: other.headers }))).toEqual(defaults);
    await ctx.app.inject({ method: 'PATCH', url: '/api/v1/settings/keywords', headers: project.headers, payload: { optOut: { keywords: defaults.optOut.keywords, reply: defaults.optOut.reply } } });
  });

  it('names the project\'s own keywords in confirmations it never customised, and knows them as its own texts', async () => {
    const defaults = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/settings/keywords', headers: project.headers }));
    // As the dashboard saves: both rules whole, the confirmations untouched.
    const patch = (optOut: string[], optIn: string[]) =>
      ctx.app.inject({
        method: 'PATCH',
        url: '/api/v1/settings/keywords',
        headers: project.headers,
        payload: { optOut: { keywords: optOut, reply: defaults.optOut.reply }, optIn: { keywords: optIn, reply: defaults.optIn.reply } },
      });
    expect((await patch(['basta', 'stop'], ['alta'])).statusCode).toBe(200);
    const phone = testPhone(9);
    await inbound(phone, 'Basta');
    await applyAll(applier);
    await inbound(phone, 'alta');
    await applyAll(applier);
    expect(await texts(phone)).toEqual([
      'keyword_reply: You have been unsubscribed. Reply ALTA to subscribe again.',
      'keyword_reply: You have been subscribed again. Reply BASTA to unsubscribe.',
    ]);
    // An auto-responder echoing the confirmation as sent gets no auto-reply.
    const echoing = '+447911000009';
    await inbound(echoing, 'You have been unsubscribed. Reply ALTA to subscribe again.');
    await applyAll(applier);
    expect(await queued(echoing)).toEqual([]);

    expect((await patch(defaults.optOut.keywords, defaults.optIn.keywords)).statusCode).toBe(200);
  });

  it('auto-replies once per phone per 24 hours to users not tracked, however often they write', async () => {
    const stranger = '+447911123456';
    await inbound(stranger, 'hi');
    await inbound(stranger, 'hi');
    await applyAll(applier);
    await inbound(stranger, 'hello??');
    await applyAll(applier);
    expect(await texts(stranger)).toEqual([`auto_reply: ${AUTO_REPLY}`]);
    expect((await queued(stranger))[0]).toMatchObject({ priority: 1, provider_id: gupshup.id });
    expect(await conversation(stranger)).toMatchObject({ unread: 3, profile_id: null, last_auto_reply_at: expect.any(Number) });
    // 24 hours later, one more.
    await ctx.db.kysely.updateTable('conversations').set({ last_auto_reply_at: Date.now() - DAY - 60_000 }).where('phone', '=', stranger).execute();
    await inbound(stranger, 'anyone?');
    await applyAll(applier);
    expect(await texts(stranger)).toEqual([`auto_reply: ${AUTO_REPLY}`, `auto_reply: ${AUTO_REPLY}`]);
  });

  it('does not auto-reply while an agent is talking with the phone', async () => {
    const stranger = '+447911123499';
    await inbound(stranger, 'hi');
    await applyAll(applier);
    expect(await texts(stranger)).toEqual([`auto_reply: ${AUTO_REPLY}`]);
    const answered = await ctx.app.inject({ method: 'POST', url: `/api/v1/inbox/${encodeURIComponent(stranger)}/reply`, headers: project.headers, payload: { text: 'Hello, this is Maya from support.' } });
    expect(answered.statusCode).toBe(201);
    // A day after the auto-reply, the conversation with the agent goes on: no automatic answer in the middle of it.
    await ctx.db.kysely.updateTable('conversations').set({ last_auto_reply_at: Date.now() - DAY - 60_000 }).where('phone', '=', stranger).execute();
    await inbound(stranger, 'thanks, one more question');
    await applyAll(applier);
    expect(await texts(stranger)).toEqual([`auto_reply: ${AUTO_REPLY}`, 'reply: Hello, this is Maya from support.']);
  });

  it('never auto-replies to our own number, to our own texts, to opted-out phones, to old messages or when switched off', async () => {
    await inbound('+919876543210', 'hi'); // the account's own Mobile Number
    await inbound('+447911000001', AUTO_REPLY.toUpperCase()); // another auto-responder echoing us
    await inbound('+447911000002', 'hi', { timestamp: Date.now() - 2 * DAY }); // arrives after the window closed
    await inbound('+447911000003', 'STOP');
    await applyAll(applier);
    await inbound('+447911000003', 'hi');
    await applyAll(applier);
    expect(await queued('+919876543210')).toEqual([]);
    expect(await queued('+447911000001')).toEqual([]);
    expect(await queued('+447911000002')).toEqual([]);
    expect(await texts('+447911000003')).toEqual(['keyword_reply: You have been unsubscribed. Reply START to subscribe again.']);

    const quiet = await createCallbackAccount(ctx, project, 'gupshup', { nickname: 'No auto reply', credentials: { ...gupshupProviderInput().credentials, mobileNumber: '+919800000000' } });
    await inbound('+447911000004', 'hi', {}, quiet.inbound);
    await applyAll(applier);
    expect(await queued('+447911000004')).toEqual([]);
    expect(await conversation('+447911000004')).toMatchObject({ provider_id: quiet.id, unread: 1 });
  });

  it('keeps a conversation on the account the user wrote to last when an older message to another number arrives late', async () => {
    const second = await createCallbackAccount(ctx, project, 'gupshup', { nickname: 'Second number', credentials: { ...gupshupProviderInput().credentials, mobileNumber: '+919811100000' } });
    const phone = '+447911000042';
    await inbound(phone, 'Hi, about my order', {}, gupshup.inbound);
    await applyAll(applier);
    // Written to the second number 30 hours ago, delivered now: its 24-hour window is long closed.
    await inbound(phone, 'Hello?', { timestamp: Date.now() - 30 * 60 * 60 * 1000, waNumber: '919811100000' }, second.inbound);
    await applyAll(applier);
    expect(await conversation(phone)).toMatchObject({ provider_id: gupshup.id, last_text: 'Hi, about my order', unread: 2 });
    const reply = await ctx.app.inject({ method: 'POST', url: `/api/v1/inbox/${encodeURIComponent(phone)}/reply`, headers: project.headers, payload: { text: 'Your order ships today.' } });
    expect(reply.statusCode).toBe(201);
    expect((await queued(phone)).at(-1)).toMatchObject({ kind: 'reply', provider_id: gupshup.id });
  });

  it('applies Gupshup self-serve user events (opted-out / opted-in) as phone-level DND changes', async () => {
    const event = (type: 'opted-out' | 'opted-in') => ({ app: 'DemoApp', timestamp: Date.now(), version: 2, type: 'user-event', payload: { phone: testPhone(7).slice(1), type } });
    await postJson(ctx, gupshup.inbound, event('opted-out'));
    await applyAll(applier);
    expect(await dnd(testPhone(7))).toEqual({ dnd: 1, source: 'provider' });
    await postJson(ctx, gupshup.inbound, event('opted-in'));
    await applyAll(applier);
    expect(await dnd(testPhone(7))).toEqual({ dnd: 0, source: 'provider' });
    expect(await queued(testPhone(7))).toEqual([]);
  });

  it('keeps another project\'s callbacks away from this project\'s conversations and profiles', async () => {
    const other = await ctx.createProject('tenant B');
    const otherAccount = await createCallbackAccount(ctx, other, 'gupshup', { autoReply: { enabled: true, text: 'B here' } });
    const before = await conversation(testPhone(1));
    await inbound(testPhone(1), 'STOP', {}, otherAccount.inbound);
    await applyAll(applier);
    expect(await conversation(testPhone(1))).toEqual(before);
    expect(await dnd(testPhone(1))).toBeUndefined();
    expect(await conversation(testPhone(1), other.projectId)).toMatchObject({ profile_id: null, unread: 1 });
    const otherDnd = await ctx.db.kysely.selectFrom('phone_dnd').select('dnd').where('project_id', '=', other.projectId).where('phone', '=', testPhone(1)).executeTakeFirst();
    expect(otherDnd).toEqual({ dnd: 1 });
  });

  it('sends the auto-reply through the account with the background services running', async () => {
    const worker = ctx.startWorker([(deps, owner) => new ApplierService(deps, owner), (deps, owner) => new DispatchService(deps, owner)]);
    const stranger = '+447922333444';
    for (const text of ['hi', 'hi', 'hi']) await inbound(stranger, text);
    await waitFor(() => fake.sends.some((send) => send.to === stranger), 20_000, 'the auto-reply to be sent');
    await waitFor(async () => (await ctx.db.kysely.selectFrom('callback_events').select('seq').where('state', '=', 'pending').execute()).length === 0, 20_000, 'every callback applied');
    await waitFor(async () => (await queued(stranger)).every((row) => row.status !== 'queued' && row.status !== 'sending'), 20_000, 'the send result stored');
    const sends = fake.sends.filter((send) => send.to === stranger);
    expect(sends).toEqual([expect.objectContaining({ kind: 'session', body: AUTO_REPLY })]);
    expect(await queued(stranger)).toEqual([expect.objectContaining({ kind: 'auto_reply', status: 'sent' })]);
    await worker.stop();
  });
});
