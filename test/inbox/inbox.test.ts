import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { FakeProvider, waitFor } from '../helpers/fake-provider.js';
import { seedPhoneDnd, seedProfiles, testPhone } from '../helpers/audience.js';
import { applyAll, createCallbackAccount, gupshupDlr, gupshupInbound, postJson, replayFixture, vonageSignature, type CallbackAccountUrls } from '../helpers/callbacks.js';
import { createTemplateRow, profileIdOf, seedCampaign } from '../helpers/campaign-seed.js';
import { eventStreamReader } from '../helpers/event-stream.js';
import { Applier } from '../../src/webhooks/applier.js';
import { DispatchService } from '../../src/campaigns/dispatch.service.js';

const DAY = 24 * 60 * 60 * 1000;

describe.each(testEngines())('Inbox API ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let gupshup: CallbackAccountUrls;
  let templateId: string;
  let campaignId: string;
  let applier: Applier;
  const fake = new FakeProvider();
  const tracked = testPhone(1);
  const stranger = '+447911123456';
  const quiet = testPhone(2); // wrote two days ago: the window is closed

  const url = (phone: string, suffix = '') => `/api/v1/inbox/${encodeURIComponent(phone)}${suffix}`;
  const get = (path: string, headers = project.headers) => ctx.app.inject({ method: 'GET', url: path, headers });
  const post = (path: string, payload: object, headers = project.headers) => ctx.app.inject({ method: 'POST', url: path, headers, payload });

  beforeAll(async () => {
    ctx = await openTestContext(engine, { providerFactory: fake.factory });
    project = await ctx.createProject();
    gupshup = await createCallbackAccount(ctx, project, 'gupshup');
    templateId = await createTemplateRow(ctx.db, project.projectId, gupshup.id, 'ABC:follow_up', 'Hello {{1}}, we tried to reach you about {{2}}.');
    await seedProfiles(ctx.db, project.projectId, [
      { identity: 'alice', phone: tracked, properties: { Name: 'Alice <b>Doe</b>' } },
      { identity: 'bob', phone: quiet, properties: {} },
    ]);
    const alice = await profileIdOf(ctx.db, project.projectId, 'alice');
    campaignId = (
      await seedCampaign(ctx.db, {
        projectId: project.projectId,
        providerId: gupshup.id,
        templateId,
        name: 'Spring sale',
        messages: [{ profileId: alice, phone: tracked, status: 'sent', providerMessageId: 'camp-1', sentAt: Date.now() - 60_000 }],
      })
    ).campaignId;
    applier = new Applier(ctx.deps);
    await postJson(ctx, gupshup.inbound, gupshupInbound(quiet, 'Call me later', { timestamp: Date.now() - 2 * DAY }));
    await postJson(ctx, gupshup.delivery, [gupshupDlr('camp-1', 'READ')]);
    await postJson(ctx, gupshup.inbound, gupshupInbound(tracked, '<script>alert(1)</script> yes!', { context: 'camp-1' }));
    await postJson(ctx, gupshup.inbound, gupshupInbound(stranger, 'hi'));
    await applyAll(applier);
  });
  afterAll(() => ctx?.close());

  it('lists conversations newest first with profile, campaign, unread count and window state', async () => {
    const response = await get('/api/v1/inbox');
    expect(response.statusCode).toBe(200);
    const { items, nextCursor } = json(response);
    expect(nextCursor).toBeNull();
    expect(items.map((item: { phone: string }) => item.phone)).toEqual([stranger, tracked, quiet]);
    const alice = items[1];
    expect(alice).toMatchObject({
      phone: tracked,
      providerId: gupshup.id,
      profile: { identity: 'alice', name: 'Alice <b>Doe</b>' },
      lastText: '<script>alert(1)</script> yes!',
      lastDirection: 'in',
      unread: 1,
      campaign: { id: campaignId, name: 'Spring sale' },
      windowOpen: true,
    });
    expect(alice.windowClosesAt).toBeGreaterThan(Date.now() + DAY - 60_000);
    expect(items[0]).toMatchObject({ profile: null, campaign: null, windowOpen: true });
    expect(items[2]).toMatchObject({ windowOpen: false, profile: { identity: 'bob', name: null } });
  });

  it('shows the profile of a sender who had none when they first wrote, once a profile with that phone exists', async () => {
    // A Mexican user writes in WhatsApp's old +52 1 spelling; the profile is imported later, with the current one.
    const newcomer = '+5215512340000';
    await postJson(ctx, gupshup.inbound, gupshupInbound(newcomer, 'Hola, quiero información'));
    await applyAll(applier);
    expect(json(await get(url(newcomer))).profile).toBeNull();

    await seedProfiles(ctx.db, project.projectId, [{ identity: 'carla', phone: '+525512340000', properties: { Name: 'Carla' } }]);
    const carla = await profileIdOf(ctx.db, project.projectId, 'carla');
    const expected = { id: carla, identity: 'carla', name: 'Carla' };
    expect(json(await get(url(newcomer))).profile).toEqual(expected);
    expect(json(await get(`/api/v1/inbox?phone=5512340000`)).items[0].profile).toEqual(expected);
    expect(json(await post(url(newcomer, '/read'), {})).profile).toEqual(expected);
    // An agent's answer goes into that profile's messages too.
    expect((await post(url(newcomer, '/reply'), { text: 'Hola Carla' })).statusCode).toBe(201);
    const reply = await ctx.db.kysely.selectFrom('messages').select('profile_id').where('project_id', '=', project.projectId).where('phone', '=', newcomer).where('kind', '=', 'reply').executeTakeFirstOrThrow();
    expect(reply.profile_id).toBe(carla);
    await ctx.db.kysely.deleteFrom('messages').where('project_id', '=', project.projectId).where('phone', '=', newcomer).execute();
    await ctx.db.kysely.deleteFrom('conversations').where('project_id', '=', project.projectId).where('phone', '=', newcomer).execute();
    await ctx.db.kysely.deleteFrom('inbound_messages').where('project_id', '=', project.projectId).where('phone', '=', newcomer).execute();
  });

  it('pages with a cursor and finds conversations by phone digits', async () => {
    const first = json(await get('/api/v1/inbox?limit=2'));
    expect(first.items).toHaveLength(2);
    const second = json(await get(`/api/v1/inbox?limit=2&cursor=${first.nextCursor}`));
    expect(second).toMatchObject({ items: [expect.objectContaining({ phone: quiet })], nextCursor: null });
    const found = json(await get(`/api/v1/inbox?phone=${encodeURIComponent('7911 123')}`));
    expect(found.items.map((item: { phone: string }) => item.phone)).toEqual([stranger]);
    expect((await get('/api/v1/inbox?cursor=garbage')).statusCode).toBe(422);
    // Well-formed but not a time a page could end at: a fraction, a number past any bigint.
    for (const parts of ['[1.5,"x"]', '[1e400,"x"]', '[-1e300,"x"]']) {
      const cursor = Buffer.from(parts).toString('base64url');
      for (const path of ['/api/v1/inbox', url(tracked)]) {
        const answer = await get(`${path}${path.includes('?') ? '&' : '?'}cursor=${cursor}`);
        expect(answer.statusCode, `${path} ${parts}: ${answer.body}`).toBe(422);
        expect(json(answer).error.details[0].path).toBe('cursor');
      }
    }
    expect((await get('/api/v1/inbox?phone=abc')).statusCode).toBe(422);
    expect((await get('/api/v1/inbox?limit=0')).statusCode).toBe(422);
  });

  it('shows one conversation: inbound and outbound messages in order, delivery ticks and campaign context', async () => {
    const response = await get(url(tracked));
    expect(response.statusCode).toBe(200);
    const conversation = json(response);
    expect(conversation).toMatchObject({ phone: tracked, unread: 1, nextCursor: null });
    expect(conversation.messages).toEqual([
      expect.objectContaining({ direction: 'out', kind: 'campaign', status: 'read', ticks: 'read', text: 'Hi x', campaign: { id: campaignId, name: 'Spring sale' }, readAt: expect.any(Number) }),
      expect.objectContaining({ direction: 'in', text: '<script>alert(1)</script> yes!', messageType: 'text', campaign: { id: campaignId, name: 'Spring sale' }, ticks: null }),
    ]);
    // The same phone without the +, or with a + that a form turned into a space, is the same conversation.
    expect((await get(`/api/v1/inbox/${tracked.slice(1)}`)).statusCode).toBe(200);
    expect((await get(url('+1'))).statusCode).toBe(422);
    expect((await get(url('+14155550199'))).statusCode).toBe(404);
  });

  it("leaves a campaign's queued message out of the conversation until it is sent", async () => {
    const scheduled = await seedCampaign(ctx.db, {
      projectId: project.projectId,
      providerId: gupshup.id,
      templateId,
      name: 'Next week',
      messages: [{ profileId: await profileIdOf(ctx.db, project.projectId, 'alice'), phone: tracked, status: 'queued' }],
    });
    const outbound = async () => json(await get(url(tracked))).messages.filter((message: { direction: string }) => message.direction === 'out').map((message: { id: string }) => message.id);
    expect(await outbound()).not.toContain(scheduled.messageIds[0]);
    await ctx.db.kysely.updateTable('messages').set({ status: 'sending' }).where('id', '=', scheduled.messageIds[0]!).execute();
    expect(await outbound()).toContain(scheduled.messageIds[0]);
    await ctx.db.kysely.deleteFrom('messages').where('campaign_id', '=', scheduled.campaignId).execute();
  });

  it('pages through a long conversation, oldest first within a page', async () => {
    for (let i = 0; i < 5; i++) await postJson(ctx, gupshup.inbound, gupshupInbound(stranger, `message ${i}`, { timestamp: Date.now() + i }));
    await applyAll(applier);
    const first = json(await get(`${url(stranger)}?limit=3`));
    expect(first.messages.map((message: { text: string }) => message.text)).toEqual(['message 2', 'message 3', 'message 4']);
    const second = json(await get(`${url(stranger)}?limit=3&cursor=${first.nextCursor}`));
    expect(second.messages.map((message: { text: string }) => message.text)).toEqual(['hi', 'message 0', 'message 1']);
    expect(second.nextCursor).toBeNull();
    // A cursor this conversation did not return used to be ignored on lists; here it is a 422 on cursor.
    for (const cursor of ['garbage', '', Buffer.from('["x"]').toString('base64url')]) {
      const bad = await get(`${url(stranger)}?limit=3&cursor=${encodeURIComponent(cursor)}`);
      expect(bad.statusCode, cursor).toBe(422);
      expect(json(bad).error.details).toEqual([{ path: 'cursor', message: expect.stringContaining('nextCursor') }]);
    }
  });

  it('queues a free-text reply inside the 24-hour window and sends it through the provider account first', async () => {
    const response = await post(url(tracked, '/reply'), { text: '  Sure, here is your code: SPRING10  ' });
    expect(response.statusCode).toBe(201);
    const reply = json(response);
    expect(reply).toMatchObject({ direction: 'out', kind: 'reply', status: 'queued', ticks: 'pending', text: 'Sure, here is your code: SPRING10' });
    const row = await ctx.db.kysely.selectFrom('messages').select(['priority', 'campaign_id', 'provider_id', 'phone']).where('id', '=', reply.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ priority: 0, campaign_id: null, provider_id: gupshup.id, phone: tracked });
    const summary = json(await get('/api/v1/inbox')).items.find((item: { phone: string }) => item.phone === tracked);
    expect(summary).toMatchObject({ lastText: 'Sure, here is your code: SPRING10', lastDirection: 'out', lastOutboundAt: expect.any(Number) });

    const worker = ctx.startWorker([(deps, owner) => new DispatchService(deps, owner)]);
    await waitFor(() => fake.sends.some((send) => send.clientRef === reply.id), 20_000, 'the reply to be sent');
    expect(fake.sends.find((send) => send.clientRef === reply.id)).toMatchObject({ kind: 'session', to: tracked, body: 'Sure, here is your code: SPRING10' });
    await waitFor(async () => json(await get(url(tracked))).messages.at(-1).ticks === 'sent', 20_000, 'the reply marked sent');
    await worker.stop();
  });

  it('announces each new tick of a reply to the open Inbox: sent by the dispatcher, delivered and read by receipts', async () => {
    const changes: string[] = [];
    const unsubscribe = ctx.deps.bus.on('conversation-changed', (projectId, phone) => {
      if (projectId === project.projectId && phone === tracked) changes.push(phone);
    });
    try {
      const reply = json(await post(url(tracked, '/reply'), { text: 'Anything else?' }));
      expect(changes).toHaveLength(1); // queued
      const worker = ctx.startWorker([(deps, owner) => new DispatchService(deps, owner)]);
      await waitFor(async () => json(await get(url(tracked))).messages.find((message: { id: string }) => message.id === reply.id)?.ticks === 'sent', 20_000, 'the reply marked sent');
      await worker.stop();
      await waitFor(() => changes.length === 2, 5_000, 'the sent tick announced');

      const providerMessageId = fake.sends.find((send) => send.clientRef === reply.id)!.providerMessageId;
      await postJson(ctx, gupshup.delivery, [gupshupDlr(providerMessageId, 'DELIVERED', { phone: tracked })]);
      await applyAll(applier);
      expect(changes).toHaveLength(3);
      await postJson(ctx, gupshup.delivery, [gupshupDlr(providerMessageId, 'READ', { phone: tracked })]);
      await postJson(ctx, gupshup.delivery, [gupshupDlr(providerMessageId, 'READ', { phone: tracked })]); // a duplicate changes nothing
      await applyAll(applier);
      expect(changes).toHaveLength(4);
      expect(json(await get(url(tracked))).messages.find((message: { id: string }) => message.id === reply.id).ticks).toBe('read');
    } finally {
      unsubscribe();
    }
  });

  it('refuses free text outside the window (409 window_closed) and sends a template instead', async () => {
    const closed = await post(url(quiet, '/reply'), { text: 'Hello?' });
    expect(closed.statusCode).toBe(409);
    expect(json(closed).error).toMatchObject({ code: 'window_closed', message: expect.stringMatching(/Send a template instead/) });

    const template = await post(url(quiet, '/reply'), { templateId, params: ['Bob', 'your order'] });
    expect(template.statusCode).toBe(201);
    expect(json(template)).toMatchObject({ kind: 'reply', messageType: 'template', text: 'Hello Bob, we tried to reach you about your order.' });

    const problems = async (payload: object) => {
      const response = await post(url(quiet, '/reply'), payload);
      expect(response.statusCode).toBe(422);
      return json(response).error.details.map((problem: { path: string }) => problem.path);
    };
    expect(await problems({ templateId, params: ['only one'] })).toEqual(['params']);
    expect(await problems({ templateId, params: ['Bob', ' '] })).toEqual(['params.1']);
    // Sent as typed: Liquid copied from a campaign would reach the user as written.
    expect(await problems({ templateId, params: ['{{ Profile.Name }}', 'your {% if x %}order{% endif %}'] })).toEqual(['params.0', 'params.1']);
    expect(await problems({ templateId: 'nope', params: [] })).toEqual(['templateId']);
    expect(await problems({ text: 'x', templateId, params: ['a', 'b'] })).toEqual(['templateId']);
    expect(await problems({})).toEqual(['text']);
    expect(await problems({ text: '   ' })).toEqual(['text']);
    const otherAccount = await createCallbackAccount(ctx, project, 'gupshup', { nickname: 'Second number' });
    const otherTemplate = await createTemplateRow(ctx.db, project.projectId, otherAccount.id, 'ABC:other', 'Hi');
    expect(await problems({ templateId: otherTemplate, params: [] })).toEqual(['templateId']);

    await seedPhoneDnd(ctx.db, project.projectId, quiet);
    const optedOut = await post(url(quiet, '/reply'), { templateId, params: ['Bob', 'x'] });
    expect(optedOut.statusCode).toBe(409);
    expect(json(optedOut).error.code).toBe('phone_opted_out');
  });

  it('says when the user opted out, and refuses templates to a profile with MSG-dndWhatsApp true as to an opted-out phone', async () => {
    const dana = testPhone(3);
    await seedProfiles(ctx.db, project.projectId, [{ identity: 'dana', phone: dana, properties: { Name: 'Dana' }, dnd: true }]);
    await postJson(ctx, gupshup.inbound, gupshupInbound(dana, 'Where is my order?', { timestamp: Date.now() - 2 * DAY }));
    const stopper = testPhone(4);
    await postJson(ctx, gupshup.inbound, gupshupInbound(stopper, 'STOP'));
    await applyAll(applier);
    const summary = async (phone: string) => json(await get(url(phone)));
    expect(await summary(dana)).toMatchObject({ optedOut: true, windowOpen: false });
    expect(await summary(stopper)).toMatchObject({ optedOut: true, windowOpen: true });
    expect(await summary(stranger)).toMatchObject({ optedOut: false });
    expect(json(await get('/api/v1/inbox')).items.find((item: { phone: string }) => item.phone === dana)).toMatchObject({ optedOut: true });

    const refused = await post(url(dana, '/reply'), { templateId, params: ['Dana', 'your order'] });
    expect(refused.statusCode).toBe(409);
    expect(json(refused).error).toMatchObject({ code: 'profile_dnd', message: expect.stringMatching(/^The profile dana has MSG-dndWhatsApp true/) });
    expect(json(await post(url(stopper, '/reply'), { templateId, params: ['you', 'STOP'] })).error.code).toBe('phone_opted_out');
    // The user who wrote STOP can still be answered inside the window.
    expect((await post(url(stopper, '/reply'), { text: 'Done, no more offers.' })).statusCode).toBe(201);
  });

  it('refuses templates to a profile that has not opted in to WhatsApp (409 profile_not_opted_in), and says so', async () => {
    const [fay, gus] = [testPhone(5), testPhone(6)];
    await seedProfiles(ctx.db, project.projectId, [
      { identity: 'fay', phone: fay, properties: { Name: 'Fay' }, optedIn: null },
      { identity: 'gus', phone: gus, properties: { Name: 'Gus' }, optedIn: false },
    ]);
    await postJson(ctx, gupshup.inbound, gupshupInbound(fay, 'Any news?', { timestamp: Date.now() - 2 * DAY }));
    await postJson(ctx, gupshup.inbound, gupshupInbound(gus, 'Hello'));
    await applyAll(applier);
    expect(json(await get(url(fay)))).toMatchObject({ notOptedIn: true, optedOut: false, windowOpen: false });
    expect(json(await get('/api/v1/inbox')).items.find((item: { phone: string }) => item.phone === gus)).toMatchObject({ notOptedIn: true, windowOpen: true });
    expect(json(await get(url(tracked)))).toMatchObject({ notOptedIn: false });
    expect(json(await get(url(stranger)))).toMatchObject({ notOptedIn: false });

    for (const [phone, identity] of [[fay, 'fay'], [gus, 'gus']] as const) {
      const refused = await post(url(phone, '/reply'), { templateId, params: ['you', 'your order'] });
      expect(refused.statusCode).toBe(409);
      expect(json(refused).error).toMatchObject({ code: 'profile_not_opted_in', message: expect.stringMatching(new RegExp(`^The profile ${identity} has not opted in to WhatsApp \\(MSG-whatsapp is not true\\)`)) });
      expect(json(refused).error.message).toMatch(/set MSG-whatsapp to true/i);
    }
    const queued = await ctx.db.kysely.selectFrom('messages').select('id').where('project_id', '=', project.projectId).where('phone', 'in', [fay, gus]).execute();
    expect(queued).toEqual([]);
    // A free-text answer to what the user wrote stays possible inside the window.
    expect((await post(url(gus, '/reply'), { text: 'Hi Gus, how can we help?' })).statusCode).toBe(201);

    const doc = json(await get('/api/v1/openapi.json'));
    const conflict = doc.paths['/api/v1/inbox/{phone}/reply'].post.responses['409'];
    expect(conflict).toBeDefined();
    for (const code of ['window_closed', 'phone_opted_out', 'profile_dnd', 'profile_not_opted_in', 'provider_deleted']) expect(conflict.description).toContain(code);
  });

  it('marks a conversation read', async () => {
    const response = await post(url(stranger, '/read'), {});
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({ phone: stranger, unread: 0 });
    expect(json(await get('/api/v1/inbox?unread=true')).items.map((item: { phone: string }) => item.phone)).not.toContain(stranger);
  });

  it('answers 404 for another project\'s conversations and lists none of them', async () => {
    const other = await ctx.createProject('other');
    expect(json(await get('/api/v1/inbox', other.headers)).items).toEqual([]);
    for (const response of [
      await get(url(tracked), other.headers),
      await post(url(tracked, '/reply'), { text: 'hi' }, other.headers),
      await post(url(tracked, '/read'), {}, other.headers),
    ]) {
      expect(response.statusCode).toBe(404);
    }
    expect((await get('/api/v1/inbox', {})).statusCode).toBe(401);
  });

  it('gives only http(s) media URLs: a javascript: or data: URL from a callback never becomes a link', async () => {
    const phone = '+447911123777';
    const image = (url: string) => {
      const { text: _text, ...fields } = gupshupInbound(phone, '', { type: 'image' });
      return { ...fields, image: JSON.stringify({ url, signature: '', caption: `from ${url.slice(0, 10)}` }) };
    };
    await postJson(ctx, gupshup.inbound, image('https://cdn.example.com/cat.jpg?sig='));
    await postJson(ctx, gupshup.inbound, image('javascript:alert(document.cookie)//'));
    await postJson(ctx, gupshup.inbound, image('data:text/html,<script>alert(1)</script>'));
    await postJson(ctx, gupshup.inbound, { ...gupshupInbound(phone, 'plain text'), mediaUrl: 'JavaScript:alert(1)' });
    await applyAll(applier);
    const messages = json(await get(url(phone))).messages as Array<{ text: string; mediaUrl: string | null }>;
    expect(messages.map((message) => message.mediaUrl)).toEqual(['https://cdn.example.com/cat.jpg?sig=', null, null, null]);
  });

  it('gives the coordinates, name and address of a shared location from every provider, and none that are not coordinates', async () => {
    const nexmo = await createCallbackAccount(ctx, project, 'nexmo');
    expect((await replayFixture(ctx, gupshup.inbound, 'gupshup/enterprise-inbound-location.json')).statusCode).toBe(200);
    expect((await replayFixture(ctx, gupshup.inbound, 'gupshup/selfserve-message-location.json')).statusCode).toBe(200);
    expect((await replayFixture(ctx, nexmo.inbound, 'nexmo/inbound-v1-location.json', { signWith: 'sig-secret-abcdefgh' })).statusCode).toBe(200);
    const phone = '+447911000777';
    const place = (location: unknown) => ({ ...gupshupInbound(phone, ''), text: undefined, type: 'location', location: JSON.stringify(location) });
    await postJson(ctx, gupshup.inbound, place({ latitude: '95', longitude: '10' }));
    await postJson(ctx, gupshup.inbound, place({ latitude: 'javascript:alert(1)', longitude: '10' }));
    await postJson(ctx, gupshup.inbound, place({ latitude: -33.8568, longitude: 151.2153, name: ' Sydney Opera House ', address: '<b>Bennelong Point</b>' }));
    await applyAll(applier);

    const only = async (from: string) => {
      const messages = json(await get(url(from))).messages as Array<{ messageType: string; text: string | null; location: unknown }>;
      return messages.map(({ messageType, text, location }) => ({ messageType, text, location }));
    };
    const bangalore = { messageType: 'location', text: null, location: { latitude: 12.9716, longitude: 77.5946, name: null, address: null } };
    expect(await only('+919917443994')).toEqual([bangalore]);
    expect(await only('+918898702134')).toEqual([bangalore]);
    expect(await only('+447700900000')).toEqual([
      { messageType: 'location', text: null, location: { latitude: 51.5072, longitude: -0.1276, name: 'Trafalgar Square', address: 'London WC2N 5DN' } },
    ]);
    expect((await only(phone)).map((message) => message.location)).toEqual([
      null,
      null,
      { latitude: -33.8568, longitude: 151.2153, name: 'Sydney Opera House', address: '<b>Bennelong Point</b>' },
    ]);
  });

  it('announces changed conversations of its project over server-sent events', async () => {
    const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const response = await fetch(`${address}/api/v1/inbox/events`, { headers: project.headers, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const { readUntil, received } = eventStreamReader(response);
    try {
      await readUntil(': connected');
      ctx.deps.bus.emit('conversation-changed', 'another-project', '+15550000001');
      const newcomer = '+447911123999';
      await postJson(ctx, gupshup.inbound, gupshupInbound(newcomer, 'hello there'));
      await applyAll(applier);
      await readUntil('event: conversations');
      await readUntil('\n\n');
      const event = received().slice(received().indexOf('event: conversations'));
      const data = JSON.parse(event.split('\n')[1]!.replace(/^data: /, ''));
      expect(data).toEqual({ phones: [newcomer] });
    } finally {
      controller.abort();
    }
  });

  it('keeps the campaign context of the latest campaign message when an older one\'s delivery report, or an older reply, is applied late', async () => {
    const phone = testPhone(30);
    await seedProfiles(ctx.db, project.projectId, [{ identity: 'erin', phone, properties: {} }]);
    const erin = await profileIdOf(ctx.db, project.projectId, 'erin');
    const now = Date.now();
    // Two days ago the send of "Autumn teaser" timed out (outcome unknown); yesterday "Winter sale" was sent.
    const older = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, name: 'Autumn teaser', messages: [{ profileId: erin, phone, status: 'unknown' }] });
    await ctx.db.kysely.updateTable('messages').set({ created_at: now - 2 * DAY, updated_at: now - 2 * DAY }).where('id', '=', older.messageIds[0]!).execute();
    const newer = await seedCampaign(ctx.db, { projectId: project.projectId, providerId: gupshup.id, templateId, name: 'Winter sale', messages: [{ profileId: erin, phone, status: 'sent', providerMessageId: 'winter-30', sentAt: now - DAY }] });
    // Today the older message's report comes: read an hour ago (matched by our id, echoed in `extra`).
    await postJson(ctx, gupshup.delivery, [gupshupDlr('autumn-30', 'READ', { phone, extra: older.messageIds[0], eventTs: now - 60 * 60 * 1000 })]);
    await applyAll(applier);
    await postJson(ctx, gupshup.inbound, gupshupInbound(phone, 'Is the sale still on?', { timestamp: now - 60_000 }));
    await applyAll(applier);
    const conversation = json(await get(url(phone)));
    expect(conversation.campaign).toEqual({ id: newer.campaignId, name: 'Winter sale' });
    expect(conversation.messages.map((message: { text: string; campaign: { name: string } | null }) => message.campaign?.name)).toEqual(['Autumn teaser', 'Winter sale', 'Winter sale']);

    // A reply written before the latest one, whose callback is applied after it, does not move the context back.
    await postJson(ctx, gupshup.inbound, gupshupInbound(phone, 'Loved the teaser', { context: 'autumn-30', timestamp: now - 2 * 60_000 }));
    await applyAll(applier);
    expect(json(await get(url(phone))).campaign).toEqual({ id: newer.campaignId, name: 'Winter sale' });
    const listed = json(await get(`/api/v1/inbox?phone=${phone.slice(1)}`)).items[0];
    expect(listed).toMatchObject({ phone, campaign: { id: newer.campaignId, name: 'Winter sale' }, lastText: 'Is the sale still on?' });
  });

  it('gives the WhatsApp profile name senders set (Gupshup name / sender.name, Vonage profile.name) as text, the latest one', async () => {
    const nexmo = await createCallbackAccount(ctx, project, 'nexmo', { nickname: 'Vonage names' });
    const [enterprise, selfserve, vonage] = ['+447911300001', '+447911300002', '+447911300003'];
    const hostile = '<img src=x onerror=alert(1)> Zoë';
    await postJson(ctx, gupshup.inbound, { ...gupshupInbound(enterprise, 'first', { timestamp: Date.now() - 60_000 }), name: 'Old Name' });
    await postJson(ctx, gupshup.inbound, { ...gupshupInbound(enterprise, 'second'), name: hostile });
    // An older message applied late, and one without a name, keep the latest name.
    await postJson(ctx, gupshup.inbound, { ...gupshupInbound(enterprise, 'late', { timestamp: Date.now() - 120_000 }), name: 'Older Name' });
    const { name: _none, ...nameless } = gupshupInbound(enterprise, 'third');
    await postJson(ctx, gupshup.inbound, nameless);
    await postJson(ctx, gupshup.inbound, {
      app: 'DemoApp', timestamp: Date.now(), version: 2, type: 'message',
      payload: { id: 'ss-name-1', source: selfserve.slice(1), type: 'text', payload: { text: 'Hi' }, sender: { phone: selfserve.slice(1), name: 'Andy', country_code: '44', dial_code: selfserve.slice(3) } },
    });
    const body = JSON.stringify({ channel: 'whatsapp', message_uuid: 'aaaaaaaa-bbbb-cccc-dddd-00000000a0a0', to: '447700900000', from: vonage.slice(1), timestamp: new Date().toISOString(), message_type: 'text', text: 'hello', profile: { name: 'Jane Smith' } });
    expect((await postJson(ctx, nexmo.inbound, body, { authorization: vonageSignature(body, 'sig-secret-abcdefgh') })).statusCode).toBe(200);
    await applyAll(applier);

    expect(json(await get(url(enterprise)))).toMatchObject({ profile: null, senderName: hostile });
    expect(json(await get(url(selfserve)))).toMatchObject({ profile: null, senderName: 'Andy' });
    expect(json(await get(url(vonage)))).toMatchObject({ profile: null, senderName: 'Jane Smith' });
    const listed = json(await get('/api/v1/inbox?phone=4479113000')).items as Array<{ phone: string; senderName: string | null }>;
    expect(Object.fromEntries(listed.map((item) => [item.phone, item.senderName]))).toEqual({ [enterprise]: hostile, [selfserve]: 'Andy', [vonage]: 'Jane Smith' });
    // Tracked users are shown by their profile; the name they set in WhatsApp comes too (gupshupInbound sends "Someone").
    expect(json(await get(url(tracked)))).toMatchObject({ profile: { identity: 'alice' }, senderName: 'Someone' });
  });
});
