import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { seedProfiles } from '../helpers/audience.js';
import { applyAll, createCallbackAccount, gupshupInbound, postJson, type CallbackAccountUrls } from '../helpers/callbacks.js';
import { createTemplateRow, profileIdOf, seedCampaign } from '../helpers/campaign-seed.js';
import { eventStreamReader } from '../helpers/event-stream.js';
import { Applier } from '../../src/webhooks/applier.js';
import { conversationListQuery, unreadCountQuery } from '../../src/inbox/inbox.service.js';
import { sql, type Compilable } from 'kysely';

const DAY = 24 * 60 * 60 * 1000;

describe.each(testEngines())('Inbox filters, name search and mark as unread ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let other: TestProject;
  let gupshup: CallbackAccountUrls;
  let otherGupshup: CallbackAccountUrls;
  let applier: Applier;
  let springId: string;
  let summerId: string;
  let otherCampaignId: string;
  // asha: profile "Asha Patel", answers Spring sale. ravi: profile "Ravi Kumar", answers Summer sale, read.
  // mumbai: no profile, sender name "Asha from Mumbai", two unread. zed: no profile, answered Spring sale two days ago.
  // ashanti: no profile, sender name "ASHANTI". lena: wrote without a profile, one named "Lena Later" imported since.
  const asha = '+14155550101';
  const ravi = '+14155550102';
  const mumbai = '+447911400001';
  const zed = '+447911400002';
  const ashanti = '+447911400003';
  const lena = '+447911400004';
  const elsewhere = '+447911499999';
  const unicode = '+447911400009'; // a sender named "Élodie Ωmega", added by the last test only

  const url = (phone: string, suffix = '') => `/api/v1/inbox/${encodeURIComponent(phone)}${suffix}`;
  const get = (path: string, headers = project.headers) => ctx.app.inject({ method: 'GET', url: path, headers });
  const post = (path: string, headers = project.headers) => ctx.app.inject({ method: 'POST', url: path, headers });
  const phones = async (query: string, headers = project.headers) => {
    const response = await get(`/api/v1/inbox?${query}`, headers);
    expect(response.statusCode, response.body).toBe(200);
    return (json(response).items as Array<{ phone: string }>).map((item) => item.phone).sort();
  };
  const sorted = (...list: string[]) => [...list].sort();

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    other = await ctx.createProject('Other');
    gupshup = await createCallbackAccount(ctx, project, 'gupshup');
    otherGupshup = await createCallbackAccount(ctx, other, 'gupshup', { nickname: 'Other account' });
    const templateId = await createTemplateRow(ctx.db, project.projectId, gupshup.id, 'ABC:hello', 'Hello {{1}}');
    const otherTemplateId = await createTemplateRow(ctx.db, other.projectId, otherGupshup.id, 'ABC:hello', 'Hello {{1}}');
    await seedProfiles(ctx.db, project.projectId, [
      { identity: 'asha', phone: asha, properties: { Name: 'Asha Patel' } },
      { identity: 'ravi', phone: ravi, properties: { Name: 'Ravi Kumar' } },
      { identity: 'ashok', phone: '+14155550109', properties: { Name: 'ASHOK' } }, // no conversation
    ]);
    await seedProfiles(ctx.db, other.projectId, [
      { identity: 'xavier', phone: mumbai, properties: { Name: 'Xavier Elsewhere' } },
      { identity: 'asha-b', phone: elsewhere, properties: { Name: 'Asha Other' } },
    ]);
    const now = Date.now();
    springId = (
      await seedCampaign(ctx.db, {
        projectId: project.projectId,
        providerId: gupshup.id,
        templateId,
        name: 'Spring sale',
        messages: [
          { profileId: await profileIdOf(ctx.db, project.projectId, 'asha'), phone: asha, status: 'sent', providerMessageId: 'spring-asha', sentAt: now - 60_000 },
          { profileId: null, phone: zed, status: 'sent', providerMessageId: 'spring-zed', sentAt: now - 3 * DAY },
        ],
      })
    ).campaignId;
    summerId = (
      await seedCampaign(ctx.db, {
        projectId: project.projectId,
        providerId: gupshup.id,
        templateId,
        name: 'Summer sale',
        messages: [{ profileId: await profileIdOf(ctx.db, project.projectId, 'ravi'), phone: ravi, status: 'sent', providerMessageId: 'summer-ravi', sentAt: now - 60_000 }],
      })
    ).campaignId;
    otherCampaignId = (
      await seedCampaign(ctx.db, {
        projectId: other.projectId,
        providerId: otherGupshup.id,
        templateId: otherTemplateId,
        name: 'Spring sale',
        messages: [{ profileId: null, phone: elsewhere, status: 'sent', providerMessageId: 'other-spring', sentAt: now - 60_000 }],
      })
    ).campaignId;
    applier = new Applier(ctx.deps);
    await postJson(ctx, gupshup.inbound, { ...gupshupInbound(zed, 'maybe', { context: 'spring-zed', timestamp: now - 2 * DAY }), name: 'Zed' });
    await postJson(ctx, gupshup.inbound, gupshupInbound(asha, 'yes please', { context: 'spring-asha' }));
    await postJson(ctx, gupshup.inbound, gupshupInbound(ravi, 'how much?', { context: 'summer-ravi' }));
    await postJson(ctx, gupshup.inbound, { ...gupshupInbound(mumbai, 'hello'), name: 'Asha from Mumbai' });
    await postJson(ctx, gupshup.inbound, { ...gupshupInbound(mumbai, 'anyone?'), name: 'Asha from Mumbai' });
    await postJson(ctx, gupshup.inbound, { ...gupshupInbound(ashanti, 'hi'), name: 'ASHANTI' });
    await postJson(ctx, gupshup.inbound, { ...gupshupInbound(lena, 'hey'), name: 'L.' });
    await postJson(ctx, otherGupshup.inbound, { ...gupshupInbound(elsewhere, 'other project', { context: 'other-spring' }), name: 'Asha Elsewhere' });
    await postJson(ctx, otherGupshup.inbound, { ...gupshupInbound(zed, 'other project too'), name: 'Asha Too' });
    await applyAll(applier);
    await seedProfiles(ctx.db, project.projectId, [{ identity: 'lena', phone: lena, properties: { Name: 'Lena Later' } }]);
    expect((await post(url(ravi, '/read'))).statusCode).toBe(200);
  });
  afterAll(() => ctx?.close());

  it('filters unread conversations, open or closed windows, and replies to a campaign', async () => {
    expect(await phones('')).toEqual(sorted(asha, ravi, mumbai, zed, ashanti, lena));
    expect(await phones('unread=true')).toEqual(sorted(asha, mumbai, zed, ashanti, lena));
    expect(await phones('unread=false')).toEqual(sorted(asha, ravi, mumbai, zed, ashanti, lena));
    expect(await phones('window=open')).toEqual(sorted(asha, ravi, mumbai, ashanti, lena));
    expect(await phones('window=closed')).toEqual([zed]);
    expect(await phones(`campaignId=${springId}`)).toEqual(sorted(asha, zed));
    expect(await phones(`campaignId=${summerId}`)).toEqual([ravi]);
    // Another project's campaign, or none of that id: nothing, never that project's conversations.
    expect(await phones(`campaignId=${otherCampaignId}`)).toEqual([]);
    expect(await phones('campaignId=no-such-campaign')).toEqual([]);
    expect(await phones(`campaignId=${springId}`, other.headers)).toEqual([]);
    const listed = json(await get(`/api/v1/inbox?campaignId=${springId}`)).items as Array<{ campaign: { id: string; name: string } | null }>;
    expect(listed.map((item) => item.campaign)).toEqual([
      { id: springId, name: 'Spring sale' },
      { id: springId, name: 'Spring sale' },
    ]);
  });

  it('combines filters: every one given must hold', async () => {
    expect(await phones(`campaignId=${springId}&window=open`)).toEqual([asha]);
    expect(await phones(`campaignId=${springId}&window=closed&unread=true`)).toEqual([zed]);
    expect(await phones(`campaignId=${summerId}&unread=true`)).toEqual([]);
    expect(await phones('unread=true&window=open&q=asha')).toEqual(sorted(asha, mumbai, ashanti));
    expect(await phones(`unread=true&q=asha&campaignId=${springId}`)).toEqual([asha]);
    expect(await phones('window=open&q=447911')).toEqual(sorted(mumbai, ashanti, lena));
    // Pages follow the filters: one at a time, the cursor keeps them.
    const first = json(await get('/api/v1/inbox?unread=true&window=open&limit=2'));
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = json(await get(`/api/v1/inbox?unread=true&window=open&limit=2&cursor=${first.nextCursor}`));
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].map((item: { phone: string }) => item.phone).sort()).toEqual(sorted(asha, mumbai, ashanti, lena));
  });

  it('searches the profile Name and the sender name by the start of any word, ASCII case ignored, and phones by digits', async () => {
    // Profile "Asha Patel", sender names "Asha from Mumbai" and "ASHANTI"; "ASHOK" has no conversation.
    expect(await phones('q=asha')).toEqual(sorted(asha, mumbai, ashanti));
    expect(await phones('q=ASH')).toEqual(sorted(asha, mumbai, ashanti));
    expect(await phones(`q=${encodeURIComponent('  asha   PATEL ')}`)).toEqual([asha]);
    expect(await phones(`q=${encodeURIComponent('Asha from')}`)).toEqual([mumbai]);
    expect(await phones('q=ashanti')).toEqual([ashanti]);
    expect(await phones('q=ravi')).toEqual([ravi]);
    // The start of any word of a name: the profile's, the sender's, or the profile found by phone.
    expect(await phones('q=patel')).toEqual([asha]);
    expect(await phones('q=PAT')).toEqual([asha]);
    expect(await phones('q=mumbai')).toEqual([mumbai]);
    expect(await phones(`q=${encodeURIComponent('from mum')}`)).toEqual([mumbai]);
    expect(await phones('q=later')).toEqual([lena]);
    // Not the middle of a word.
    expect(await phones('q=tel')).toEqual([]);
    expect(await phones('q=umbai')).toEqual([]);
    // The profile imported after the sender wrote, as the list shows it.
    expect(await phones('q=lena')).toEqual([lena]);
    const [later] = json(await get('/api/v1/inbox?q=lena')).items;
    expect(later).toMatchObject({ phone: lena, profile: { identity: 'lena', name: 'Lena Later' }, senderName: 'L.' });
    // Phones: contained digits, however they are written.
    expect(await phones(`q=${encodeURIComponent('+44 7911-400')}`)).toEqual(sorted(mumbai, zed, ashanti, lena));
    expect(await phones('q=5550101')).toEqual([asha]);
    // A name is not a phone: "L." is a sender name only, no digits to match.
    expect(await phones('q=L.')).toEqual([lena]);
    expect(await phones('q=nobody')).toEqual([]);
    // Text that looks like HTML or SQL patterns is only text.
    expect(await phones(`q=${encodeURIComponent("%' or 1=1 --")}`)).toEqual([]);
    expect(await phones(`q=${encodeURIComponent('_')}`)).toEqual([]);
  });

  it('never matches another project: its profiles, sender names or conversations', async () => {
    // The other project has a profile "Xavier Elsewhere" with mumbai's phone, and conversations of senders named "Asha …".
    expect(await phones('q=xavier')).toEqual([]);
    expect(await phones('q=elsewhere')).toEqual([]);
    expect(await phones('q=other')).toEqual([]);
    expect(await phones(`q=${encodeURIComponent('asha other')}`)).toEqual([]);
    expect(await phones(`q=${encodeURIComponent('asha elsewhere')}`)).toEqual([]);
    expect(await phones(`q=${encodeURIComponent('asha too')}`)).toEqual([]);
    expect(await phones('q=447911499999')).toEqual([]);
    expect(await phones('q=asha', other.headers)).toEqual(sorted(elsewhere, zed));
    expect(await phones('q=xavier', other.headers)).toEqual([]); // a profile, but no conversation with that phone there
  });

  it('refuses a bad filter with the parameter and what is allowed', async () => {
    const window = await get('/api/v1/inbox?window=soon');
    expect(window.statusCode).toBe(422);
    expect(json(window).error.details[0].path).toBe('querystring.window');
    const nul = await get('/api/v1/inbox?q=as%00ha');
    expect(nul.statusCode).toBe(422);
    expect(json(nul).error.details).toEqual([{ path: 'querystring.q', message: 'contains the NUL character (U+0000), which text may not hold' }]);
    const long = await get(`/api/v1/inbox?q=${'a'.repeat(101)}`);
    expect(long.statusCode).toBe(422);
    expect(json(long).error.details[0].path).toBe('querystring.q');
    const empty = await get('/api/v1/inbox?campaignId=');
    expect(empty.statusCode).toBe(422);
    expect(json(empty).error.details[0].path).toBe('querystring.campaignId');
    // An empty search is no search.
    expect(await phones('q=')).toHaveLength(6);
  });

  it('counts the conversations with unread messages, per project', async () => {
    expect(json(await get('/api/v1/inbox/counts'))).toEqual({ unread: 5 });
    expect(json(await get('/api/v1/inbox/counts', other.headers))).toEqual({ unread: 2 });
  });

  it('marks a conversation unread: 1, or the unread count it already has', async () => {
    const marked = await post(url(ravi, '/unread'));
    expect(marked.statusCode).toBe(200);
    expect(json(marked)).toMatchObject({ phone: ravi, unread: 1, profile: { identity: 'ravi' } });
    expect(await phones('unread=true')).toEqual(sorted(asha, ravi, mumbai, zed, ashanti, lena));
    expect(json(await get('/api/v1/inbox/counts'))).toEqual({ unread: 6 });
    expect(json(await post(url(mumbai, '/unread')))).toMatchObject({ unread: 2 });
    // Read again, then unread again.
    expect(json(await post(url(ravi, '/read')))).toMatchObject({ unread: 0 });
    expect(json(await get('/api/v1/inbox/counts'))).toEqual({ unread: 5 });
    expect(json(await post(url(ravi, '/unread')))).toMatchObject({ unread: 1 });
    expect(json(await get(url(ravi)))).toMatchObject({ unread: 1 });
    // The other project's count did not move.
    expect(json(await get('/api/v1/inbox/counts', other.headers))).toEqual({ unread: 2 });
  });

  it('answers 404 for an unknown phone or another project\'s conversation, 422 for a bad phone', async () => {
    const unknown = await post(url('+14155559999', '/unread'));
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown).error.code).toBe('not_found');
    const foreign = await post(url(elsewhere, '/unread'));
    expect(foreign.statusCode).toBe(404);
    expect(json(foreign).error.code).toBe('not_found');
    expect(json(foreign).error.message).not.toContain('Other');
    expect(json(await get(url(elsewhere), other.headers))).toMatchObject({ unread: 1 });
    const bad = await post(url('not-a-phone', '/unread'));
    expect(bad.statusCode).toBe(422);
    expect(json(bad).error.details).toEqual([{ path: 'phone', message: 'must be an E.164 phone number (URL-encoded, e.g. %2B919876543210) or a WhatsApp user id (US.13491208655302741918)' }]);
  });

  it('announces a conversation marked unread or read on the event stream, to its project only', async () => {
    const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const response = await fetch(`${address}/api/v1/inbox/events`, { headers: project.headers, signal: controller.signal });
    const otherController = new AbortController();
    const otherResponse = await fetch(`${address}/api/v1/inbox/events`, { headers: other.headers, signal: otherController.signal });
    const { readUntil, received } = eventStreamReader(response);
    const otherStream = eventStreamReader(otherResponse);
    try {
      await readUntil(': connected');
      await otherStream.readUntil(': connected');
      expect((await post(url(asha, '/read'))).statusCode).toBe(200);
      await readUntil(`data: ${JSON.stringify({ phones: [asha] })}\n\n`);
      expect((await post(url(zed, '/unread'))).statusCode).toBe(200);
      await readUntil(`data: ${JSON.stringify({ phones: [zed] })}\n\n`);
      expect(received().split('event: conversations')).toHaveLength(3);
      // The other project heard nothing: only its own changes reach it.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(otherStream.received()).not.toContain('event: conversations');
    } finally {
      controller.abort();
      otherController.abort();
    }
  });

  it('reads the unread conversations and the profile names through their indexes (query plans)', async () => {
    // PostgreSQL prefers reading a table this small whole: forbid it, so the plan shows which index it can use.
    const plan = (query: Compilable) =>
      ctx.db.kysely.connection().execute(async (connection) => {
        const { sql: text, parameters } = query.compile();
        if (engine.name === 'postgres') await sql`set enable_seqscan = off`.execute(connection);
        try {
          const explain = engine.name === 'postgres' ? `explain ${text}` : `explain query plan ${text}`;
          const { rows } = await connection.executeQuery<Record<string, string>>({ sql: explain, parameters, query: { kind: 'RawNode' } } as never);
          return rows.map((row) => row['QUERY PLAN'] ?? row.detail).join('\n');
        } finally {
          if (engine.name === 'postgres') await sql`reset enable_seqscan`.execute(connection);
        }
      });
    const deps = { db: ctx.db };
    expect(await plan(unreadCountQuery(deps, project.projectId))).toContain('conversations_unread');
    expect(await plan(conversationListQuery(deps, project.projectId, { q: 'asha', limit: 50 }, Date.now()))).toContain('profiles_name_search');
    // Several casings of the search (caseSpellings), each still a range of the name index.
    expect(await plan(conversationListQuery(deps, project.projectId, { q: 'аша п', limit: 50 }, Date.now()))).toContain('profiles_name_search');
    if (engine.name === 'sqlite') {
      expect(await plan(conversationListQuery(deps, project.projectId, { unread: true, limit: 50 }, Date.now()))).toContain('USING INDEX conversations_unread');
      expect(await plan(conversationListQuery(deps, project.projectId, { limit: 50 }, Date.now()))).toContain('USING INDEX conversations_recent');
    }
  });

  it('finds a sender name typed as it is stored, whatever its letters', async () => {
    const before = await phones('');
    await postJson(ctx, gupshup.inbound, { ...gupshupInbound(unicode, 'bonjour'), name: 'Élodie Ωmega' });
    await applyAll(applier);
    expect(await phones(`q=${encodeURIComponent('Élodie')}`)).toEqual([unicode]);
    expect(await phones(`q=${encodeURIComponent('ÉLODIE ω'.replace('ω', 'Ω'))}`)).toEqual([unicode]);
    expect(await phones(`q=${encodeURIComponent('Ωmega')}`)).toEqual([unicode]);
    // Other letters than ASCII ones typed in another case than stored: found on both engines
    // (on SQLite, whose lower() folds ASCII letters only, through caseSpellings).
    expect(await phones(`q=${encodeURIComponent('ωmega')}`)).toEqual([unicode]);
    expect(await phones(`q=${encodeURIComponent('élodie ω')}`)).toEqual([unicode]);
    expect((await phones('')).filter((phone) => !before.includes(phone))).toEqual([unicode]);
  });
});
