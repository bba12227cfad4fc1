import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { FakeProvider } from '../helpers/fake-provider.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { applyAll, createCallbackAccount, fixtureNames, gupshupDlr, isReceiptFixture, postJson, replayFixture, vonageSignature, type CallbackAccountUrls } from '../helpers/callbacks.js';
import { countersOf, createTemplateRow, profileIdOf, seedCampaign } from '../helpers/campaign-seed.js';
import { Applier, APPLIED_RETENTION_MS, DEFAULT_APPLIER_OPTIONS, MAX_ATTEMPTS, PENDING_RECEIPT_TTL_MS } from '../../src/webhooks/applier.js';
import { SendResultWriter } from '../../src/campaigns/send-results.js';
import type { ProviderClients } from '../../src/providers/provider-clients.js';

describe.each(testEngines())('callback applier: delivery receipts ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let gupshup: CallbackAccountUrls;
  let nexmo: CallbackAccountUrls;
  let templateId: string;
  let applier: Applier;
  const fake = new FakeProvider();
  const SECRET = 'sig-secret-abcdefgh';

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: fake.factory });
    project = await ctx.createProject();
    gupshup = await createCallbackAccount(ctx, project, 'gupshup');
    nexmo = await createCallbackAccount(ctx, project, 'nexmo');
    templateId = await createTemplateRow(ctx.db, project.projectId, gupshup.id);
    await seedProfiles(ctx.db, project.projectId, Array.from({ length: 10 }, (_, i) => ({ identity: `user-${i}`, phone: testPhone(i) })));
    applier = new Applier(ctx.deps);
  });
  afterAll(() => ctx?.close());

  const message = (id: string) => ctx.db.kysely.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const eventsOf = async (profileId: string) =>
    (await ctx.db.kysely.selectFrom('events').select(['name']).where('profile_id', '=', profileId).orderBy('id').execute()).map((row) => row.name);
  const failures = (campaignId: string) => ctx.db.kysely.selectFrom('campaign_failures').select(['category', 'count']).where('campaign_id', '=', campaignId).execute();

  it('applies a DLR batch by provider message id: statuses, counters, failure categories and profile events; duplicates change nothing', async () => {
    const profiles = await Promise.all([0, 1, 2].map((i) => profileIdOf(ctx.db, project.projectId, `user-${i}`)));
    const { campaignId, messageIds } = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      messages: [0, 1, 2].map((i) => ({ profileId: profiles[i]!, phone: testPhone(i), status: 'sent' as const, providerMessageId: `gs-a-${i}` })),
    });
    const batch = [gupshupDlr('gs-a-0', 'DELIVERED'), gupshupDlr('gs-a-1', 'READ'), gupshupDlr('gs-a-2', 'FAILED', { errorCode: '1002' })];
    expect((await postJson(ctx, gupshup.delivery, batch)).statusCode).toBe(200);
    await applyAll(applier);

    expect(await message(messageIds[0]!)).toMatchObject({ status: 'delivered', delivered_at: expect.any(Number), read_at: null });
    expect(await message(messageIds[1]!)).toMatchObject({ status: 'read', delivered_at: expect.any(Number), read_at: expect.any(Number) });
    expect(await message(messageIds[2]!)).toMatchObject({ status: 'failed', error_category: 'invalid_number', error_code: '1002' });
    const counters = await countersOf(ctx.db, campaignId);
    expect(counters).toMatchObject({ sent: 3, delivered: 2, read: 1, failed: 1, queued: 0 });
    expect(await failures(campaignId)).toEqual([{ category: 'invalid_number', count: 1 }]);
    expect(await eventsOf(profiles[0]!)).toEqual(['Notification Delivered']);
    expect(await eventsOf(profiles[1]!)).toEqual(['Notification Delivered', 'Notification Viewed']);
    expect(await eventsOf(profiles[2]!)).toEqual(['Notification Failed']);
    const states = await ctx.db.kysely.selectFrom('callback_events').select(['state', 'applied_at']).execute();
    expect(states.every((row) => row.state === 'applied' && row.applied_at !== null)).toBe(true);

    // The same batch again, and stale receipts (SENT after READ, FAILED after DELIVERED): no-ops.
    await postJson(ctx, gupshup.delivery, batch);
    await postJson(ctx, gupshup.delivery, [gupshupDlr('gs-a-1', 'SENT'), gupshupDlr('gs-a-0', 'FAILED')]);
    await applyAll(applier);
    expect(await countersOf(ctx.db, campaignId)).toEqual(counters);
    expect(await message(messageIds[0]!)).toMatchObject({ status: 'delivered' });
    expect(await eventsOf(profiles[1]!)).toEqual(['Notification Delivered', 'Notification Viewed']);

    // A later DELIVERED overturns a failure (the provider's retry succeeded).
    await postJson(ctx, gupshup.delivery, [gupshupDlr('gs-a-2', 'DELIVERED')]);
    await applyAll(applier);
    expect(await message(messageIds[2]!)).toMatchObject({ status: 'delivered', error_category: null });
    expect(await countersOf(ctx.db, campaignId)).toMatchObject({ delivered: 3, failed: 0 });
    expect(await failures(campaignId)).toEqual([{ category: 'invalid_number', count: 0 }]);
  });

  it('matches by our message id (clientRef) when the provider id is not stored yet, and settles unknown messages', async () => {
    const profile = await profileIdOf(ctx.db, project.projectId, 'user-3');
    const profile4 = await profileIdOf(ctx.db, project.projectId, 'user-4');
    const { campaignId, messageIds } = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: nexmo.id,
      templateId,
      messages: [
        { profileId: profile, phone: testPhone(3), status: 'sending' },
        { profileId: profile4, phone: testPhone(4), status: 'unknown' },
      ],
    });
    const statuses = [
      { message_uuid: 'vg-1', to: testPhone(3).slice(1), from: '447700900001', timestamp: new Date().toISOString(), status: 'delivered', client_ref: messageIds[0] },
      { message_uuid: 'vg-2', to: testPhone(4).slice(1), from: '447700900001', timestamp: new Date().toISOString(), status: 'submitted', client_ref: messageIds[1] },
    ];
    for (const status of statuses) {
      const body = JSON.stringify(status);
      expect((await postJson(ctx, nexmo.delivery, body, { authorization: vonageSignature(body, SECRET) })).statusCode).toBe(200);
    }
    await applyAll(applier);
    expect(await message(messageIds[0]!)).toMatchObject({ status: 'delivered', provider_message_id: 'vg-1', lease_owner: null });
    expect(await message(messageIds[1]!)).toMatchObject({ status: 'sent', provider_message_id: 'vg-2' });
    expect(await countersOf(ctx.db, campaignId)).toMatchObject({ queued: 0, unknown: 0, sent: 2, delivered: 1 });
    expect(await eventsOf(profile)).toEqual(['Notification Sent', 'Notification Delivered']);
    expect(await eventsOf(profile4)).toEqual(['Notification Sent']);

    // The send result arriving after the receipt keeps the receipt's newer status.
    const writer = new SendResultWriter(ctx.deps, { maxAttempts: 3 });
    const row = await message(messageIds[0]!);
    writer.add({ id: row.id, project_id: row.project_id, campaign_id: row.campaign_id, profile_id: row.profile_id, provider_id: row.provider_id, phone: row.phone, kind: row.kind, payload: row.payload, attempts: 1, lease_expires_at: 0 }, { ok: true, providerMessageId: 'vg-1', raw: { request: { method: 'POST', url: 'x', body: '' } } });
    await writer.close();
    expect(await message(messageIds[0]!)).toMatchObject({ status: 'delivered' });
    expect(await countersOf(ctx.db, campaignId)).toMatchObject({ queued: 0, sent: 2, delivered: 1 });
  });

  it('keeps a receipt whose provider id is not stored yet and applies it when the id arrives; expires old ones', async () => {
    const profile = await profileIdOf(ctx.db, project.projectId, 'user-5');
    const { campaignId, messageIds } = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      messages: [{ profileId: profile, phone: testPhone(5), status: 'sending' }],
    });
    await postJson(ctx, gupshup.delivery, [gupshupDlr('gs-late-1', 'READ'), gupshupDlr('gs-late-1', 'DELIVERED'), gupshupDlr('gs-late-1', 'READ')]);
    await applyAll(applier);
    const pending = await ctx.db.kysely.selectFrom('pending_receipts').select(['provider_id', 'provider_message_id', 'status']).where('provider_message_id', '=', 'gs-late-1').orderBy('status').execute();
    expect(pending).toEqual([
      { provider_id: gupshup.id, provider_message_id: 'gs-late-1', status: 'delivered' },
      { provider_id: gupshup.id, provider_message_id: 'gs-late-1', status: 'read' },
    ]);
    expect(await message(messageIds[0]!)).toMatchObject({ status: 'sending' });

    const writer = new SendResultWriter(ctx.deps, { maxAttempts: 3 });
    const row = await message(messageIds[0]!);
    writer.add({ id: row.id, project_id: row.project_id, campaign_id: row.campaign_id, profile_id: row.profile_id, provider_id: row.provider_id, phone: row.phone, kind: row.kind, payload: row.payload, attempts: 1, lease_expires_at: 0 }, { ok: true, providerMessageId: 'gs-late-1', raw: { request: { method: 'POST', url: 'x', body: '' } } });
    await writer.close();
    await applyAll(applier);
    expect(await message(messageIds[0]!)).toMatchObject({ status: 'read', provider_message_id: 'gs-late-1' });
    expect(await countersOf(ctx.db, campaignId)).toMatchObject({ queued: 0, sent: 1, delivered: 1, read: 1 });
    expect(await eventsOf(profile)).toEqual(['Notification Sent', 'Notification Delivered', 'Notification Viewed']);
    expect(await ctx.db.kysely.selectFrom('pending_receipts').select('id').where('provider_message_id', '=', 'gs-late-1').execute()).toEqual([]);

    await postJson(ctx, gupshup.delivery, [gupshupDlr('never-ours', 'DELIVERED')]);
    await applyAll(applier);
    expect(await applier.expirePendingReceipts(Date.now())).toBe(0);
    expect(await applier.expirePendingReceipts(Date.now() + PENDING_RECEIPT_TTL_MS + 1000)).toBeGreaterThanOrEqual(1);
    expect(await ctx.db.kysely.selectFrom('pending_receipts').select('id').where('provider_message_id', '=', 'never-ours').execute()).toEqual([]);
  });

  it('settles an unknown message from receipts without a reference by account and phone, only when no other message could be meant', async () => {
    // Gupshup self-serve receipts carry the recipient but none of our ids: a send whose answer never
    // came (unknown, no provider id) can only be found by account and phone.
    const phoneApplier = new Applier(ctx.deps, { ...DEFAULT_APPLIER_OPTIONS, phoneMatchEveryMs: 0 });
    const people = Array.from({ length: 6 }, (_, i) => ({ identity: `by-phone-${i}`, phone: testPhone(40 + i) }));
    await seedProfiles(ctx.db, project.projectId, people);
    const profiles = await Promise.all(people.map((person) => profileIdOf(ctx.db, project.projectId, person.identity)));
    const { campaignId, messageIds } = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      messages: [
        { profileId: profiles[0]!, phone: testPhone(40), status: 'unknown' }, // the one to settle
        { profileId: profiles[1]!, phone: testPhone(41), status: 'unknown' }, // another message to this phone is in flight
        { profileId: profiles[2]!, phone: testPhone(42), status: 'unknown' }, // its receipts name two provider ids
        { profileId: profiles[3]!, phone: testPhone(43), status: 'unknown' }, // the receipt carries a reference, not ours
        { profileId: profiles[4]!, phone: testPhone(44), status: 'unknown' }, // two unknown messages to this phone
      ],
    });
    const other = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      messages: [
        { profileId: profiles[1]!, phone: testPhone(41), status: 'sending' },
        { profileId: profiles[4]!, phone: testPhone(44), status: 'unknown' },
      ],
    });
    const selfServe = (gsId: string, type: 'sent' | 'delivered' | 'read', phone: string) => ({
      app: 'DemoAPI', timestamp: Date.now(), version: 2, type: 'message-event',
      payload: { id: `wa-${gsId}`, gsId, type, destination: phone.slice(1), payload: { ts: Math.floor(Date.now() / 1000) } },
    });
    for (const body of [
      selfServe('ss-40', 'sent', testPhone(40)), selfServe('ss-40', 'delivered', testPhone(40)),
      selfServe('ss-41', 'delivered', testPhone(41)),
      selfServe('ss-42a', 'delivered', testPhone(42)), selfServe('ss-42b', 'delivered', testPhone(42)),
      selfServe('ss-44', 'delivered', testPhone(44)),
    ]) expect((await postJson(ctx, gupshup.delivery, body)).statusCode).toBe(200);
    await postJson(ctx, gupshup.delivery, [gupshupDlr('gs-43', 'DELIVERED', { phone: testPhone(43).slice(1), extra: '0191a1b2-0000-7000-8000-000000000000' })]);
    await applyAll(phoneApplier);

    expect(await message(messageIds[0]!)).toMatchObject({ status: 'delivered', provider_message_id: 'ss-40' });
    expect(await eventsOf(profiles[0]!)).toEqual(['Notification Sent', 'Notification Delivered']);
    for (const id of [messageIds[1]!, messageIds[2]!, messageIds[3]!, messageIds[4]!]) expect(await message(id)).toMatchObject({ status: 'unknown', provider_message_id: null });
    expect(await countersOf(ctx.db, campaignId)).toMatchObject({ unknown: 4, sent: 1, delivered: 1 });
    const pending = await ctx.db.kysely.selectFrom('pending_receipts').select(['provider_message_id', 'phone']).where('provider_message_id', 'in', ['ss-40', 'ss-41', 'ss-42a', 'ss-42b', 'gs-43', 'ss-44']).orderBy('provider_message_id').execute();
    expect(pending).toEqual([
      { provider_message_id: 'gs-43', phone: null },
      { provider_message_id: 'ss-41', phone: testPhone(41) },
      { provider_message_id: 'ss-42a', phone: testPhone(42) },
      { provider_message_id: 'ss-42b', phone: testPhone(42) },
      { provider_message_id: 'ss-44', phone: testPhone(44) },
    ]);

    // The message in flight gets its own answer: the receipt goes to it by id, not to the unknown one.
    const writer = new SendResultWriter(ctx.deps, { maxAttempts: 3 });
    const inFlight = await message(other.messageIds[0]!);
    writer.add({ id: inFlight.id, project_id: inFlight.project_id, campaign_id: inFlight.campaign_id, profile_id: inFlight.profile_id, provider_id: inFlight.provider_id, phone: inFlight.phone, kind: inFlight.kind, payload: inFlight.payload, attempts: 1, lease_expires_at: 0 }, { ok: true, providerMessageId: 'ss-41', raw: { request: { method: 'POST', url: 'x', body: '' } } });
    await writer.close();
    await applyAll(phoneApplier);
    expect(await message(other.messageIds[0]!)).toMatchObject({ status: 'delivered', provider_message_id: 'ss-41' });
    expect(await message(messageIds[1]!)).toMatchObject({ status: 'unknown', provider_message_id: null });

    // A receipt from before the message existed is someone else's.
    const late = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: profiles[5]!, phone: testPhone(45), status: 'unknown' }] });
    const old = selfServe('ss-45', 'delivered', testPhone(45));
    old.payload.payload.ts = Math.floor((Date.now() - 60 * 60 * 1000) / 1000);
    await postJson(ctx, gupshup.delivery, old);
    await applyAll(phoneApplier);
    expect(await message(late.messageIds[0]!)).toMatchObject({ status: 'unknown', provider_message_id: null });

    // A message that went unknown days ago is not what a receipt arriving now is about.
    const stale = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: profiles[5]!, phone: testPhone(46), status: 'unknown' }] });
    const daysAgo = Date.now() - 3 * 24 * 60 * 60 * 1000;
    await ctx.db.kysely.updateTable('messages').set({ created_at: daysAgo, updated_at: daysAgo }).where('id', '=', stale.messageIds[0]!).execute();
    await postJson(ctx, gupshup.delivery, selfServe('ss-46', 'delivered', testPhone(46)));
    await applyAll(phoneApplier);
    expect(await message(stale.messageIds[0]!)).toMatchObject({ status: 'unknown', provider_message_id: null });
  });

  it('marks callbacks that cannot be read any more invalid, and retries one that throws without blocking the others', async () => {
    await ctx.db.kysely
      .insertInto('callback_events')
      .values({ project_id: project.projectId, provider_id: gupshup.id, provider_type: 'gupshup', kind: 'delivery', received_at: Date.now(), method: 'POST', content_type: 'application/json', body: '{broken', query: null, signature_ok: null, state: 'pending', error: null, attempts: 0, applied_at: null })
      .execute();
    await applyAll(applier);
    const broken = await ctx.db.kysely.selectFrom('callback_events').select(['state', 'error']).where('body', '=', '{broken').executeTakeFirstOrThrow();
    expect(broken.state).toBe('invalid');
    expect(broken.error).toMatch(/unreadable when applied: body: not valid JSON/);

    // An account whose lookup throws (e.g. its credentials cannot be decrypted).
    const failing = await createCallbackAccount(ctx, project, 'gupshup', { nickname: 'Failing' });
    const providers = {
      get: async (id: string) => {
        if (id === failing.id) throw new Error('cannot decrypt the credentials');
        return ctx.deps.providers.get(id);
      },
    } as unknown as ProviderClients;
    const fragile = new Applier({ ...ctx.deps, providers });
    const profile = await profileIdOf(ctx.db, project.projectId, 'user-6');
    const { messageIds } = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, messages: [{ profileId: profile, phone: testPhone(6), status: 'sent', providerMessageId: 'gs-ok-1' }] });
    await postJson(ctx, failing.inbound, { mobile: testPhone(7).slice(1), type: 'text', text: 'hello', timestamp: String(Date.now()), replyId: 'fails-1' });
    await postJson(ctx, gupshup.delivery, [gupshupDlr('gs-ok-1', 'DELIVERED')]);
    let now = Date.now();
    await applyAll(fragile, now);
    expect(await message(messageIds[0]!)).toMatchObject({ status: 'delivered' });
    const stuck = () => ctx.db.kysely.selectFrom('callback_events').select(['state', 'attempts', 'error', 'retry_at']).where('provider_id', '=', failing.id).executeTakeFirstOrThrow();
    expect(await stuck()).toMatchObject({ state: 'pending', attempts: 1, error: 'attempt 1: cannot decrypt the credentials', retry_at: now + 1000 });
    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      now += 60_000;
      await applyAll(fragile, now);
    }
    expect(await stuck()).toMatchObject({ state: 'invalid', attempts: MAX_ATTEMPTS, error: `attempt ${MAX_ATTEMPTS}: cannot decrypt the credentials` });
  });

  it('applies every recorded fixture variant: nothing left pending or refused, inbound stored, user events applied', async () => {
    const fresh = await ctx.createProject('fixtures');
    const g = await createCallbackAccount(ctx, fresh, 'gupshup');
    const n = await createCallbackAccount(ctx, fresh, 'nexmo');
    const names = [...fixtureNames('gupshup'), ...fixtureNames('nexmo')].filter((name) => !name.endsWith('v3-meta-format.json'));
    for (const name of names) {
      const account = name.startsWith('gupshup/') ? g : n;
      const response = await replayFixture(ctx, isReceiptFixture(name) ? account.delivery : account.inbound, name, name.startsWith('nexmo/') ? { signWith: SECRET } : {});
      expect(response.statusCode, name).toBe(200);
    }
    await applyAll(applier);
    const states = await ctx.db.kysely.selectFrom('callback_events').select(['state', 'error']).where('project_id', '=', fresh.projectId).execute();
    expect(states).toHaveLength(names.length);
    expect(states.filter((row) => row.state !== 'applied')).toEqual([]);
    const inbound = await ctx.db.kysely.selectFrom('inbound_messages').select(['provider_id', 'message_type']).where('project_id', '=', fresh.projectId).execute();
    const inboundFixtures = names.filter((name) => /inbound|selfserve-message/.test(name));
    // The Vonage v0.1 and v1 text fixtures are the same documented message (same message_uuid), and
    // so are Gupshup Enterprise's JSON and form-encoded samples (no replyId: the same content id):
    // each stored once.
    expect(inbound).toHaveLength(inboundFixtures.length - 2);
    expect(new Set(inbound.map((row) => row.message_type))).toEqual(new Set(['text', 'image', 'button', 'interactive', 'location', 'document']));
    const optOuts = await ctx.db.kysely.selectFrom('phone_dnd').select(['phone', 'dnd', 'source']).where('project_id', '=', fresh.projectId).execute();
    // User events (opted-in/out, Meta's stop/resume preference) and the STOP PROMOTIONS quick reply.
    expect(new Set(optOuts.map((row) => row.source))).toEqual(new Set(['provider', 'keyword']));
    // Receipts for messages that are not in this database wait as pending receipts.
    const pending = await ctx.db.kysely.selectFrom('pending_receipts').select('provider_id').where('provider_id', 'in', [g.id, n.id]).execute();
    expect(pending.length).toBeGreaterThan(0);
  });

  it('prunes applied callbacks after their retention, oldest first, and keeps pending ones', async () => {
    const old = Date.now() - APPLIED_RETENTION_MS - 60_000;
    const row = (state: 'applied' | 'pending', receivedAt: number) => ({
      project_id: project.projectId, provider_id: gupshup.id, provider_type: 'gupshup' as const, kind: 'delivery' as const, received_at: receivedAt, method: 'POST',
      content_type: null, body: `prune-${state}-${receivedAt}`, query: null, signature_ok: null, state, error: null, attempts: 0, applied_at: null,
    });
    await ctx.db.kysely.updateTable('callback_events').set({ received_at: old }).where('state', '=', 'applied').execute();
    await ctx.db.kysely.insertInto('callback_events').values([row('applied', Date.now()), row('pending', old)]).execute();
    const before = await ctx.db.kysely.selectFrom('callback_events').select(['state', 'received_at']).execute();
    const deleted = await applier.pruneLog(Date.now());
    expect(deleted).toBe(before.filter((event) => event.state === 'applied' && event.received_at === old).length);
    const after = await ctx.db.kysely.selectFrom('callback_events').select(['state', 'body']).execute();
    expect(after.filter((event) => event.state === 'applied').map((event) => event.body)).toEqual([expect.stringMatching(/^prune-applied-/)]);
    expect(after.some((event) => event.state === 'pending' && event.body.startsWith('prune-pending-'))).toBe(true);
    await ctx.db.kysely.deleteFrom('callback_events').where('body', 'like', 'prune-pending-%').execute();
  });

  it('only touches messages of the provider account whose URL received the receipt (tenancy)', async () => {
    const other = await ctx.createProject('other');
    const otherAccount = await createCallbackAccount(ctx, other, 'gupshup');
    const profile = await profileIdOf(ctx.db, project.projectId, 'user-8');
    const { campaignId, messageIds } = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      messages: [{ profileId: profile, phone: testPhone(8), status: 'sent', providerMessageId: 'gs-victim-1' }],
    });
    // Another project's URL, our message's provider id and even our message id as the client reference.
    await postJson(ctx, otherAccount.delivery, [gupshupDlr('gs-victim-1', 'READ', { extra: messageIds[0] })]);
    await applyAll(applier);
    expect(await message(messageIds[0]!)).toMatchObject({ status: 'sent', read_at: null });
    expect(await countersOf(ctx.db, campaignId)).toMatchObject({ sent: 1, delivered: 0, read: 0 });
    expect(await eventsOf(profile)).toEqual([]);
    const kept = await ctx.db.kysely.selectFrom('pending_receipts').select('provider_id').where('provider_message_id', '=', 'gs-victim-1').execute();
    expect(kept).toEqual([{ provider_id: otherAccount.id }]);
  });
});
