/**
 * WhatsApp user ids (BSUIDs): a Vonage user with a username writes under their user id alone; the
 * delivery reports of our messages pair the id with their number, so their STOP still opts them
 * out, their reply still reaches their conversation and campaign. Both engines, through the
 * callback routes and the applier.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testEngines } from '../helpers/databases.js';
import { openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { FakeProvider } from '../helpers/fake-provider.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { applyAll, createCallbackAccount, postJson, vonageSignature, type CallbackAccountUrls } from '../helpers/callbacks.js';
import { countersOf, createTemplateRow, profileIdOf, seedCampaign } from '../helpers/campaign-seed.js';
import { nexmoProviderInput } from '../helpers/fixtures.js';
import { Applier } from '../../src/webhooks/applier.js';

const SECRET = 'sig-secret-abcdefgh';

describe.each(testEngines())('WhatsApp user ids ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let vonage: CallbackAccountUrls;
  let otherVonage: CallbackAccountUrls;
  let templateId: string;
  let applier: Applier;
  const fake = new FakeProvider();

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: fake.factory });
    project = await ctx.createProject();
    vonage = await createCallbackAccount(ctx, project, 'nexmo');
    otherVonage = await createCallbackAccount(ctx, project, 'nexmo', { nickname: 'Vonage second', credentials: { ...nexmoProviderInput().credentials, whatsappNumber: '447700900002' } });
    templateId = await createTemplateRow(ctx.db, project.projectId, vonage.id);
    await seedProfiles(ctx.db, project.projectId, Array.from({ length: 4 }, (_, i) => ({ identity: `user-${i}`, phone: testPhone(i) })));
    applier = new Applier(ctx.deps);
  });
  afterAll(() => ctx?.close());

  const post = (url: string, body: Record<string, unknown>) => {
    const text = JSON.stringify(body);
    return postJson(ctx, url, text, { authorization: vonageSignature(text, SECRET) });
  };
  const digits = (phone: string) => phone.replace('+', '');
  const delivered = (messageUuid: string, phone: string, userId: string) => ({
    message_uuid: messageUuid,
    to: digits(phone),
    from: '447700900001',
    timestamp: new Date().toISOString(),
    status: 'delivered',
    channel: 'whatsapp',
    whatsapp: { recipient: { user_id: userId, parent_user_id: `US.ENT${userId.slice(3)}`, wa_id: digits(phone) } },
  });
  const inbound = (from: string, text: string, sender?: { user_id?: string; wa_id?: string }) => ({
    channel: 'whatsapp',
    message_uuid: crypto.randomUUID(),
    to: '447700900001',
    from,
    timestamp: new Date().toISOString(),
    message_type: 'text',
    text,
    profile: { name: 'Username User', username: 'someone' },
    context_status: 'none',
    ...(sender ? { whatsapp: { sender } } : {}),
  });
  const pairs = () => ctx.db.kysely.selectFrom('whatsapp_users').select(['provider_id', 'user_id', 'phone']).where('project_id', '=', project.projectId).orderBy('user_id').execute();
  const dnd = (phone: string) => ctx.db.kysely.selectFrom('phone_dnd').select(['dnd', 'source']).where('project_id', '=', project.projectId).where('phone', '=', phone).executeTakeFirst();
  const inboundTexts = (phone: string) =>
    ctx.db.kysely.selectFrom('inbound_messages').select(['text', 'campaign_id']).where('project_id', '=', project.projectId).where('phone', '=', phone).orderBy('received_at').execute();
  const callbackStates = () => ctx.db.kysely.selectFrom('callback_events').select(['seq', 'state', 'error']).where('project_id', '=', project.projectId).orderBy('seq').execute();

  it('pairs the id with the number from a delivery report, then applies a STOP that names the user by id alone', async () => {
    const phone = testPhone(0);
    const profileId = await profileIdOf(ctx.db, project.projectId, 'user-0');
    const { campaignId } = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: vonage.id,
      templateId,
      messages: [{ profileId, phone, status: 'sent', providerMessageId: 'aaaaaaaa-0000-4000-8000-000000000001' }],
    });
    expect((await post(vonage.delivery, delivered('aaaaaaaa-0000-4000-8000-000000000001', phone, 'US.10000000000000000001'))).statusCode).toBe(200);
    await applyAll(applier);
    expect(await pairs()).toEqual([{ provider_id: vonage.id, user_id: 'US.10000000000000000001', phone }]);

    expect((await post(vonage.inbound, inbound('US.10000000000000000001', 'STOP'))).statusCode).toBe(200);
    await applyAll(applier);
    expect(await dnd(phone)).toEqual({ dnd: 1, source: 'keyword' });
    expect(await inboundTexts(phone)).toEqual([{ text: 'STOP', campaign_id: campaignId }]);
    expect(await countersOf(ctx.db, campaignId)).toMatchObject({ delivered: 1, replied: 1 });
    expect((await callbackStates()).every((row) => row.state === 'applied')).toBe(true);

    // The same report again changes nothing; a user who changed number keeps their id: the pair follows.
    const before = await ctx.db.kysely.selectFrom('whatsapp_users').select('updated_at').where('user_id', '=', 'US.10000000000000000001').executeTakeFirstOrThrow();
    await post(vonage.delivery, delivered('aaaaaaaa-0000-4000-8000-000000000001', phone, 'US.10000000000000000001'));
    await applyAll(applier);
    expect(await ctx.db.kysely.selectFrom('whatsapp_users').select('updated_at').where('user_id', '=', 'US.10000000000000000001').executeTakeFirstOrThrow()).toEqual(before);
    await post(vonage.inbound, inbound('US.10000000000000000001', 'new number', { user_id: 'US.10000000000000000001', wa_id: digits(testPhone(9)) }));
    await applyAll(applier);
    expect((await pairs()).find((pair) => pair.user_id === 'US.10000000000000000001')).toMatchObject({ phone: testPhone(9) });
    await post(vonage.inbound, inbound('US.10000000000000000001', 'back again', { user_id: 'US.10000000000000000001', wa_id: digits(phone) }));
    await applyAll(applier);
    expect((await pairs()).find((pair) => pair.user_id === 'US.10000000000000000001')).toMatchObject({ phone });
  });

  it('pairs them from an inbound message that carries both, and from a report in the same pass, whichever came first', async () => {
    const [phone1, phone2] = [testPhone(1), testPhone(2)];
    await post(vonage.inbound, inbound('US.10000000000000000002', 'hello', { user_id: 'US.10000000000000000002', wa_id: digits(phone1) }));
    await post(vonage.inbound, inbound('US.10000000000000000002', 'again, without my number'));
    // The STOP is stored before the report that pairs its sender; both are applied in one pass.
    const profileId = await profileIdOf(ctx.db, project.projectId, 'user-2');
    await seedCampaign(ctx.db, { projectId: project.projectId, providerId: vonage.id, templateId, messages: [{ profileId, phone: phone2, status: 'sent', providerMessageId: 'aaaaaaaa-0000-4000-8000-000000000002' }] });
    await post(vonage.inbound, inbound('US.10000000000000000003', 'stop'));
    await post(vonage.delivery, delivered('aaaaaaaa-0000-4000-8000-000000000002', phone2, 'US.10000000000000000003'));
    await applyAll(applier);

    expect((await inboundTexts(phone1)).map((row) => row.text)).toEqual(['hello', 'again, without my number']);
    expect(await dnd(phone2)).toEqual({ dnd: 1, source: 'keyword' });
    expect((await pairs()).map((row) => row.user_id)).toEqual(['US.10000000000000000001', 'US.10000000000000000002', 'US.10000000000000000003']);
    expect((await callbackStates()).every((row) => row.state === 'applied')).toBe(true);
  });

  it('keeps a sender never paired under their user id, and moves on to the number once a report pairs them', async () => {
    const phone = testPhone(3);
    const userId = 'US.10000000000000000004';
    await post(vonage.inbound, inbound(userId, 'STOP'));
    await applyAll(applier);
    // Nothing tells the number: the message is applied under the id (a conversation of its own).
    expect((await callbackStates()).every((row) => row.state === 'applied')).toBe(true);
    expect(await inboundTexts(userId)).toEqual([{ text: 'STOP', campaign_id: null }]);
    expect(await dnd(userId)).toEqual({ dnd: 1, source: 'keyword' });
    expect(await dnd(phone)).toBeUndefined();
    const conversation = await ctx.app.inject({ method: 'GET', url: `/api/v1/inbox/${userId}`, headers: project.headers });
    expect(conversation.statusCode, conversation.body).toBe(200);
    // …and the confirmation goes back to the id (Vonage takes a user id as `to`).
    expect(conversation.json()).toMatchObject({
      phone: userId,
      profile: null,
      optedOut: true,
      messages: [
        { direction: 'in', text: 'STOP' },
        { direction: 'out', kind: 'keyword_reply', status: 'queued' },
      ],
    });

    // The number writes too, before anything pairs it with the id: a conversation of its own.
    await post(vonage.inbound, inbound(digits(phone), 'is this the shop?'));
    await applyAll(applier);

    // A report pairs the id with the number: the opt-out and the conversation move to the number.
    const profileId = await profileIdOf(ctx.db, project.projectId, 'user-3');
    await seedCampaign(ctx.db, { projectId: project.projectId, providerId: vonage.id, templateId, messages: [{ profileId, phone, status: 'sent', providerMessageId: 'aaaaaaaa-0000-4000-8000-000000000003' }] });
    await post(vonage.delivery, delivered('aaaaaaaa-0000-4000-8000-000000000003', phone, userId));
    await applyAll(applier);
    expect(await dnd(phone)).toEqual({ dnd: 1, source: 'keyword' });
    expect(await dnd(userId)).toBeUndefined();
    const merged = (await ctx.app.inject({ method: 'GET', url: `/api/v1/inbox/${encodeURIComponent(phone)}`, headers: project.headers })).json();
    // The id's address now names the number's conversation (a dashboard still showing it follows).
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/inbox/${userId}`, headers: project.headers })).json()).toEqual(merged);
    expect(merged).toMatchObject({ phone, unread: 2, optedOut: true, lastText: 'is this the shop?', profile: { identity: 'user-3' } });
    expect(merged.messages.map((message: { direction: string; kind: string | null; text: string }) => `${message.direction} ${message.kind ?? ''}: ${message.text}`)).toEqual([
      'in : STOP',
      'out keyword_reply: You have been unsubscribed. Reply START to subscribe again.',
      'in : is this the shop?',
      'out campaign: Hi x',
    ]);

    // STOP again under the id: now the number's, already opted out and confirmed: nothing more.
    await post(vonage.inbound, inbound(userId, 'STOP'));
    await applyAll(applier);
    expect(await dnd(phone)).toEqual({ dnd: 1, source: 'keyword' });
    const confirmations = await ctx.db.kysely.selectFrom('messages').select('phone').where('project_id', '=', project.projectId).where('kind', '=', 'keyword_reply').where('phone', 'in', [phone, userId]).execute();
    expect(confirmations).toEqual([{ phone }]);
  });

  it('answers a reply or a mark-read sent to a paired id in the number\'s conversation; an id never seen stays 404', async () => {
    const phone = testPhone(3);
    const userId = 'US.10000000000000000004'; // paired by the test before
    const reply = await ctx.app.inject({ method: 'POST', url: `/api/v1/inbox/${userId}/reply`, headers: project.headers, payload: { text: 'Thanks, noted.' } });
    expect(reply.statusCode, reply.body).toBe(201);
    const queued = await ctx.db.kysely.selectFrom('messages').select(['phone', 'kind']).where('id', '=', reply.json().id).executeTakeFirstOrThrow();
    expect(queued).toEqual({ phone, kind: 'reply' });
    const read = await ctx.app.inject({ method: 'POST', url: `/api/v1/inbox/${userId}/read`, headers: project.headers });
    expect(read.json()).toMatchObject({ phone, unread: 0, lastText: 'Thanks, noted.' });
    expect(await ctx.db.kysely.selectFrom('conversations').select('phone').where('project_id', '=', project.projectId).where('phone', '=', userId).execute()).toEqual([]);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/inbox/US.19999999999999999999', headers: project.headers })).statusCode).toBe(404);
  });

  it.runIf(engine.name === 'postgres')('keeps a reply written while its user id is being paired: it joins the number\'s conversation', async () => {
    const phone = testPhone(1);
    const userId = 'US.10000000000000000015';
    await post(vonage.inbound, inbound(userId, 'anyone there?'));
    await applyAll(applier);
    // An applier pass pairing the id holds the id's conversation row (it is moved first) while the
    // agent's reply is written: the reply waits, finds the conversation gone and follows the pair.
    const pairing = ctx.db.kysely.transaction().execute(async (trx) => {
      await trx.deleteFrom('conversations').where('project_id', '=', project.projectId).where('phone', '=', userId).execute();
      const replying = ctx.app.inject({ method: 'POST', url: `/api/v1/inbox/${userId}/reply`, headers: project.headers, payload: { text: 'Yes, here.' } });
      // Until the reply is waiting for the row (not before: then it would simply follow the pair).
      for (let waited = 0; ; waited += 20) {
        const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like 'update "conversations"%'`.execute(ctx.db.kysely);
        if (waiting.rows[0]!.n > 0) break;
        if (waited > 10_000) throw new Error('the reply never waited for the conversation row');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await trx.insertInto('whatsapp_users').values({ provider_id: vonage.id, user_id: userId, project_id: project.projectId, phone, updated_at: Date.now() }).execute();
      await trx.updateTable('inbound_messages').set({ phone }).where('project_id', '=', project.projectId).where('phone', '=', userId).execute();
      await trx.insertInto('conversations').values({ project_id: project.projectId, phone, provider_id: vonage.id, unread: 1, updated_at: Date.now(), last_inbound_at: Date.now(), last_text: 'anyone there?', last_direction: 'in' }).onConflict((c) => c.columns(['project_id', 'phone']).doNothing()).execute();
      return { replying }; // not awaited here: the reply waits for this transaction to end
    });
    const reply = await (await pairing).replying;
    expect(reply.statusCode, reply.body).toBe(201);
    expect(await ctx.db.kysely.selectFrom('messages').select('phone').where('id', '=', reply.json().id).executeTakeFirstOrThrow()).toEqual({ phone });
    expect(await ctx.db.kysely.selectFrom('messages').select('id').where('project_id', '=', project.projectId).where('phone', '=', userId).execute()).toEqual([]);
  });

  it('pairs a sender never paired by the message of ours they quote', async () => {
    const phone = testPhone(5);
    await seedProfiles(ctx.db, project.projectId, [{ identity: 'user-5', phone }]);
    const profileId = await profileIdOf(ctx.db, project.projectId, 'user-5');
    const { campaignId } = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: vonage.id,
      templateId,
      messages: [{ profileId, phone, status: 'sent', providerMessageId: 'aaaaaaaa-0000-4000-8000-000000000005' }],
    });
    await post(vonage.inbound, { ...inbound('US.10000000000000000005', 'Yes please'), context_status: 'available', context: { message_uuid: 'aaaaaaaa-0000-4000-8000-000000000005', message_from: '447700900001' } });
    await applyAll(applier);
    expect(await inboundTexts(phone)).toEqual([{ text: 'Yes please', campaign_id: campaignId }]);
    expect((await pairs()).find((pair) => pair.user_id === 'US.10000000000000000005')).toEqual({ provider_id: vonage.id, user_id: 'US.10000000000000000005', phone });
  });

  it('never uses a pair of another account', async () => {
    expect((await post(otherVonage.inbound, inbound('US.10000000000000000001', 'hi from afar'))).statusCode).toBe(200);
    await applyAll(applier);
    const stored = await ctx.db.kysely.selectFrom('inbound_messages').select(['phone', 'text']).where('provider_id', '=', otherVonage.id).execute();
    expect(stored).toEqual([{ phone: 'US.10000000000000000001', text: 'hi from afar' }]);
  });

  it('forgets the pairs of a deleted account', async () => {
    await ctx.db.kysely.updateTable('campaigns').set({ state: 'completed' }).where('provider_id', '=', vonage.id).execute();
    const response = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/providers/${vonage.id}`, headers: project.headers });
    expect(response.statusCode, response.body).toBeLessThan(300);
    expect(await pairs()).toEqual([]);
  });
});
