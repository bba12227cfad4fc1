import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../../test/helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../../test/helpers/context.js';
import { newId } from '../ids.js';
import { toJson } from '../storage/json.js';

describe.each(testEngines())('profiles API ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let other: TestProject;
  const nowS = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject('A');
    other = await ctx.createProject('B');
    const d: unknown[] = [
      { identity: 'alice@example.com', type: 'profile', profileData: { Name: 'Alice Martin', Phone: '+14155550101', 'MSG-whatsapp': true } },
      { identity: 'alan', type: 'profile', profileData: { Name: 'alan Turing', Phone: '+447911123456' } },
      { identity: 'bob', type: 'profile', profileData: { Name: 'Bob', Phone: '+919876500001' } },
      { identity: 'folder/with space ü', type: 'profile', profileData: { Name: 'Odd Identity' } },
      ...Array.from({ length: 60 }, (_, i) => ({ identity: 'bob', type: 'event', evtName: i % 2 ? 'App Opened' : 'Purchase', ts: nowS - 3600 * (60 - i), evtData: { n: i } })),
    ];
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d } });
    expect(json(response).status).toBe('success');
    await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: other.headers, payload: { d: [{ identity: 'zed', type: 'profile', profileData: { Name: 'Alfred' } }] } });
  });
  afterAll(() => ctx?.close());

  const get = (url: string, as: TestProject = project) => ctx.app.inject({ method: 'GET', url, headers: as.headers });

  it('returns a profile with its latest 50 events, newest first', async () => {
    const body = json(await get('/api/v1/profiles/bob'));
    expect(body).toMatchObject({ identity: 'bob', phone: '+919876500001', properties: { Name: 'Bob' }, whatsappReachable: false });
    expect(body.reachability).toMatchObject({ reachable: false, reason: 'not_opted_in', reasonText: expect.stringContaining('MSG-whatsapp') });
    expect(body.events).toHaveLength(50);
    expect(body.events[0]).toMatchObject({ name: 'App Opened', properties: { n: 59 }, ts: (nowS - 3600) * 1000 });
    expect(body.events[49].properties.n).toBe(10);
  });

  it('pages through the event timeline, optionally one event name', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ properties: { n: number } }>; nextCursor: string | null } = json(await get(`/api/v1/profiles/bob/events?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
      seen.push(...page.items.map((event: { properties: { n: number } }) => event.properties.n));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => 59 - i));
    const purchases = json(await get('/api/v1/profiles/bob/events?name=purchase&limit=100'));
    expect(purchases.items).toHaveLength(30);
    expect(purchases.items.every((event: { name: string }) => event.name === 'Purchase')).toBe(true);
    expect((await get('/api/v1/profiles/bob/events?cursor=garbage')).statusCode).toBe(422);
  });

  it('finds profiles by identity, phone or name prefix', async () => {
    const search = async (q: string) => json(await get(`/api/v1/profiles?q=${encodeURIComponent(q)}`)).items.map((p: { identity: string }) => p.identity).sort();
    expect(await search('al')).toEqual(['alan', 'alice@example.com']);
    expect(await search('ALICE m')).toEqual(['alice@example.com']);
    expect(await search('+1 415 555')).toEqual(['alice@example.com']);
    expect(await search('91 98765')).toEqual(['bob']);
    expect(await search('4479')).toEqual(['alan']);
    expect(await search('folder/')).toEqual(['folder/with space ü']);
    expect(await search('nobody')).toEqual([]);
    const all = json(await get('/api/v1/profiles'));
    // Newest first; profiles created in one call get ids in identity order.
    expect(all.items.map((p: { identity: string }) => p.identity)).toEqual(['folder/with space ü', 'bob', 'alice@example.com', 'alan']);
    expect(all.items[2]).toMatchObject({ name: 'Alice Martin', phone: '+14155550101', whatsappReachable: true });
    const first = json(await get('/api/v1/profiles?limit=3'));
    expect(first.nextCursor).toBe(first.items[2].id);
    const rest = json(await get(`/api/v1/profiles?limit=3&cursor=${first.nextCursor}`));
    expect(rest).toEqual({ items: [all.items[3]], nextCursor: null });
  });

  it('finds a name typed as it is stored, whatever its letters, and ignores case as the database does', async () => {
    const d = [
      { identity: 'u-elodie', type: 'profile', profileData: { Name: 'Élodie Durand' } },
      { identity: 'u-ivan', type: 'profile', profileData: { Name: 'Иван Петров' } },
      { identity: 'u-omer', type: 'profile', profileData: { Name: 'ÖMER Yılmaz' } },
    ];
    expect(json(await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d } })).status).toBe('success');
    const search = async (q: string) => json(await get(`/api/v1/profiles?q=${encodeURIComponent(q)}`)).items.map((p: { identity: string }) => p.identity);
    for (const typed of ['Élodie', 'Élodie D', 'ÉLODIE', 'élodie du'.replace('é', 'É')]) expect(await search(typed), typed).toEqual(['u-elodie']);
    expect(await search('Иван')).toEqual(['u-ivan']);
    expect(await search('ÖMER y')).toEqual(['u-omer']);
    // Other letters than ASCII ones typed in another case than stored: found on both engines.
    for (const typed of ['élodie', 'ÉLODIE DU', 'иван п', 'ИВАН', 'иВАН ПЕТ', 'ömer', 'Ömer yıl']) expect(await search(typed), typed).toEqual([typed.startsWith('é') || typed.startsWith('É') ? 'u-elodie' : /^[иИ]/.test(typed) ? 'u-ivan' : 'u-omer']);
  });

  it('finds a name in an irregular mix of cases where the database folds its letters', async () => {
    const d = [{ identity: 'u-mac', type: 'profile', profileData: { Name: 'Юрий МакДональд' } }];
    expect(json(await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d } })).status).toBe('success');
    const search = async (q: string) => json(await get(`/api/v1/profiles?q=${encodeURIComponent(q)}`)).items.map((p: { identity: string }) => p.identity);
    expect(await search('юрий м')).toEqual(['u-mac']);
    expect(await search('Юрий МакД')).toEqual(['u-mac']);
    // SQLite's lower() folds ASCII letters only: "макдональд" is looked for as typed, in capitals
    // and capitalised (caseSpellings), none of them "МакДональд". PostgreSQL's folds every letter.
    expect(await search('юрий макдональд')).toEqual(engine.name === 'postgres' ? ['u-mac'] : []);
  });

  it('accepts any identity, URL-encoded, up to the 512-character limit', async () => {
    const body = json(await get(`/api/v1/profiles/${encodeURIComponent('folder/with space ü')}`));
    expect(body.identity).toBe('folder/with space ü');
    const long = `${'ü'.repeat(300)}@${'x'.repeat(211)}`;
    expect(long).toHaveLength(512);
    await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: project.headers, payload: { d: [{ identity: long, type: 'profile', profileData: { Name: 'Long' } }] } });
    const response = await get(`/api/v1/profiles/${encodeURIComponent(long)}/events`);
    expect(response.statusCode).toBe(200);
    expect(json(await get(`/api/v1/profiles/${encodeURIComponent(long)}`)).properties).toEqual({ Name: 'Long' });
  });

  it('lists the messages a profile received, newest first, with the campaign name', async () => {
    const profileId = json(await get('/api/v1/profiles/alice%40example.com')).id as string;
    const now = Date.now();
    const providerId = newId();
    const templateId = newId();
    const campaignId = newId();
    await ctx.db.kysely
      .insertInto('provider_accounts')
      .values({ id: providerId, project_id: project.projectId, type: 'gupshup', nickname: 'g', is_default: 1, rate_per_second: 80, auto_reply_enabled: 0, auto_reply_text: null, callback_token: newId(), credentials_ciphertext: 'x', credentials_public: toJson({}), created_at: now, updated_at: now })
      .execute();
    await ctx.db.kysely.insertInto('templates').values({ id: templateId, project_id: project.projectId, provider_id: providerId, namespace: 'ABC:hi', body: 'Hi {{1}}', placeholder_count: 1, attachment_type: 'none', language: 'en', created_at: now, updated_at: now }).execute();
    await ctx.db.kysely
      .insertInto('campaigns')
      .values({ id: campaignId, project_id: project.projectId, name: 'Spring sale', provider_id: providerId, template_id: templateId, audience: toJson({ all: true }), params: toJson([]), media_url: null, send_at: null, rate_per_second: null, dnd: null, cutoff_at: null, conversion_event: null, state: 'completed', state_reason: null, cloned_from: null, created_at: now, updated_at: now, published_at: now, started_at: now, completed_at: now })
      .execute();
    const message = (id: string, createdAt: number, status: 'delivered' | 'skipped', campaign: string | null) => ({
      id, project_id: project.projectId, campaign_id: campaign, profile_id: profileId, provider_id: providerId, phone: '+14155550101', kind: campaign ? ('campaign' as const) : ('reply' as const), priority: 5, status,
      skip_reason: status === 'skipped' ? 'dnd' : null, payload: toJson({}), provider_message_id: status === 'delivered' ? 'pm-1' : null, error_category: null, error_code: null, error_detail: null,
      attempts: 1, available_at: createdAt, lease_owner: null, lease_expires_at: null, created_at: createdAt, updated_at: createdAt, sent_at: null, delivered_at: status === 'delivered' ? createdAt + 5 : null, read_at: null, failed_at: null,
    });
    const first = newId(now - 2000);
    const second = newId(now - 1000);
    await ctx.db.kysely.insertInto('messages').values([message(first, now - 2000, 'delivered', campaignId), message(second, now - 1000, 'skipped', null)]).execute();

    const page = json(await get('/api/v1/profiles/alice%40example.com/messages?limit=1'));
    expect(page.items).toEqual([expect.objectContaining({ id: second, status: 'skipped', skipReason: 'dnd', campaignId: null, campaignName: null, kind: 'reply' })]);
    const next = json(await get(`/api/v1/profiles/alice%40example.com/messages?limit=1&cursor=${encodeURIComponent(page.nextCursor)}`));
    expect(next).toEqual({ items: [expect.objectContaining({ id: first, status: 'delivered', campaignId, campaignName: 'Spring sale', providerMessageId: 'pm-1', deliveredAt: now - 1995 })], nextCursor: null });
    expect(json(await get('/api/v1/profiles/bob/messages')).items).toEqual([]);
  });

  it("answers 404 for another project's profiles and for unknown ones", async () => {
    for (const url of ['/api/v1/profiles/bob', '/api/v1/profiles/bob/events', '/api/v1/profiles/bob/messages']) {
      const response = await get(url, other);
      expect(response.statusCode, url).toBe(404);
      expect(json(response).error).toEqual({ code: 'not_found', message: 'Profile "bob" not found.' });
    }
    expect(json(await get('/api/v1/profiles?q=bo', other)).items).toEqual([]);
    expect(json(await get('/api/v1/profiles?q=al', other)).items.map((p: { identity: string }) => p.identity)).toEqual(['zed']);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/profiles/bob' })).statusCode).toBe(401);
  });

  it('answers 404 or 422, not a server error, for a NUL character in an identity or a search', async () => {
    // PostgreSQL cannot compare text holding a NUL; no stored identity can hold one.
    for (const url of ['/api/v1/profiles/bo%00b', '/api/v1/profiles/bo%00b/events', '/api/v1/profiles/bo%00b/messages']) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(404);
      expect(json(response).error.code).toBe('not_found');
    }
    const search = await get('/api/v1/profiles?q=bo%00b');
    expect(search.statusCode).toBe(422);
    expect(json(search).error.details).toEqual([{ path: 'querystring.q', message: 'contains the NUL character (U+0000), which text may not hold' }]);
    const events = await get('/api/v1/profiles/bob/events?name=Pur%00chase');
    expect(events.statusCode).toBe(422);
    expect(json(events).error.details).toEqual([{ path: 'querystring.name', message: 'contains the NUL character (U+0000), which text may not hold' }]);
  });
});
