/**
 * Realistic mistakes against the write endpoints of PRODUCT §4.2 — no credentials, a misspelt
 * field, a body sent with the wrong Content-Type, a bad query value — answer a 4xx in the error
 * shape that names the field, says why and what is allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject, type TestSession } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';

describe.each(testEngines())('bad input to the REST API ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  let templateId: string;
  let campaignId: string;
  let admin: TestSession;
  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    admin = await ctx.createSession({ isAdmin: true, projectIds: [project.projectId] });
    const post = async (url: string, payload: object) => {
      const response = await ctx.app.inject({ method: 'POST', url, headers: project.headers, payload });
      if (response.statusCode !== 201) throw new Error(`${url}: ${response.body}`);
      return json(response).id as string;
    };
    providerId = await post('/api/v1/providers', gupshupProviderInput());
    templateId = await post('/api/v1/templates', { providerId, namespace: 'ABC:hello', body: 'Hi {{1}}', attachmentType: 'none' });
    campaignId = await post('/api/v1/campaigns', { name: 'Hello', providerId, templateId, audience: { all: true }, params: ['x'] });
  });
  afterAll(() => ctx?.close());

  it('answers 401 to a caller without credentials before looking at the body', async () => {
    for (const url of ['/api/v1/providers', '/api/v1/templates', '/api/v1/campaigns', '/api/v1/segments', '/api/v1/upload']) {
      const response = await ctx.app.inject({ method: 'POST', url, payload: {} });
      expect(response.statusCode, url).toBe(401);
      expect(json(response).error.code, url).toBe('unauthorized');
    }
  });

  // A misspelt optional field used to be dropped silently: `sendat` made a campaign send at once,
  // `ratePerSec` left the rate at 80, `{"type":"nexmo"}` in a PATCH answered 200 and changed nothing.
  it.each([
    ['POST', '/api/v1/providers', () => ({ ...gupshupProviderInput(), ratePerSec: 5 }), 'ratePerSec', 'ratePerSecond'],
    ['PATCH', '/api/v1/providers/:provider', () => ({ type: 'nexmo' }), 'type', 'nickname'],
    ['POST', '/api/v1/templates', () => ({ providerId, namespace: 'ABC:other', body: 'Hi', attachmentType: 'none', lang: 'pt_BR' }), 'lang', 'language'],
    ['PATCH', '/api/v1/templates/:template', () => ({ text: 'Hi' }), 'text', 'body'],
    ['POST', '/api/v1/campaigns', () => ({ name: 'Later', providerId, templateId, audience: { all: true }, params: ['x'], sendat: '2030-01-01T09:00:00Z' }), 'sendat', 'sendAt'],
    ['PATCH', '/api/v1/campaigns/:campaign', () => ({ rate: 5 }), 'rate', 'ratePerSecond'],
    ['POST', '/api/v1/campaigns/preview', () => ({ templateId, params: ['x'], profile: 'u1' }), 'profile', 'identity'],
    ['POST', '/api/v1/providers/:provider/test', () => ({ to: '+14155550100', templateId, values: ['x'] }), 'values', 'params'],
  ])('%s %s refuses an unknown field with a 422 naming it and the allowed ones', async (method, path, body, unknown, allowed) => {
    const url = path.replace(':provider', providerId).replace(':template', templateId).replace(':campaign', campaignId);
    const response = await ctx.app.inject({ method: method as 'POST' | 'PATCH', url, headers: project.headers, payload: body() });
    expect(response.statusCode, response.body).toBe(422);
    const error = json(response).error;
    expect(error.code).toBe('validation_failed');
    expect(error.details).toEqual([{ path: 'body', message: expect.stringMatching(new RegExp(`^unknown field\\(s\\): ${unknown} \\(allowed: .*\\b${allowed}\\b`)) }]);
  });

  // The audience used to be stored with the stray field, and every answer showing the campaign
  // (its page, the whole campaign list) then failed with a 500.
  it('refuses a field beside the audience kind, and the campaign list still answers', async () => {
    const payload = { name: 'Stray', providerId, templateId, audience: { all: true, foo: 1 }, params: ['x'] };
    for (const [method, url] of [['POST', '/api/v1/campaigns'], ['PATCH', `/api/v1/campaigns/${campaignId}`]] as const) {
      const response = await ctx.app.inject({ method, url, headers: project.headers, payload: method === 'POST' ? payload : { audience: payload.audience } });
      expect(response.statusCode, `${method} ${response.body}`).toBe(422);
      expect(json(response).error.details).toContainEqual({ path: 'audience.foo', message: 'is not an audience field: use exactly one of segmentId, all or identities' });
    }
    const list = await ctx.app.inject({ method: 'GET', url: '/api/v1/campaigns', headers: project.headers });
    expect(list.statusCode, list.body).toBe(200);
    expect(json(list).items.map((campaign: { name: string }) => campaign.name)).not.toContain('Stray');
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}`, headers: project.headers })).statusCode).toBe(200);
    // One saved that way before: shown with its kind only.
    await ctx.db.kysely.updateTable('campaigns').set({ audience: JSON.stringify({ all: true, foo: 1 }) }).where('id', '=', campaignId).execute();
    const stored = await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}`, headers: project.headers });
    expect(stored.statusCode, stored.body).toBe(200);
    expect(json(stored).audience).toEqual({ all: true });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/campaigns', headers: project.headers })).statusCode).toBe(200);
    await ctx.db.kysely.updateTable('campaigns').set({ audience: JSON.stringify({ all: true }) }).where('id', '=', campaignId).execute();
  });

  // These were still dropped: `frequencyCapp` estimated the reach without the cap (200), and an
  // object inside a body (an auto reply, DND hours, a frequency cap) kept only the fields it knew.
  const dnd = { from: '21:00', to: '09:00', timezone: 'Asia/Kolkata', action: 'delay' };
  it.each([
    ['POST', '/api/v1/audience/estimate', 'project', () => ({ audience: { all: true }, frequencyCapp: { messages: 1, days: 7 } }), 'body', 'frequencyCapp', 'frequencyCap'],
    ['POST', '/api/v1/audience/estimate', 'project', () => ({ audience: { all: true }, frequencyCap: { messages: 1, days: 7, perDay: 1 } }), 'frequencyCap', 'perDay', 'days'],
    ['POST', '/api/v1/auth/login', 'nobody', () => ({ email: 'a@example.com', password: 'correct horse battery', remember: true }), 'body', 'remember', 'password'],
    ['POST', '/api/v1/auth/setup', 'nobody', () => ({ token: 'x', email: 'a@example.com', password: 'correct horse battery', project: 'Mine' }), 'body', 'project', 'projectName'],
    ['POST', '/api/v1/auth/project', 'admin', () => ({ projectId: project.projectId, id: project.projectId }), 'body', 'id', 'projectId'],
    ['POST', '/api/v1/projects/:project/credentials', 'admin', () => ({ lable: 'CRM' }), 'body', 'lable', 'label'],
    ['PATCH', '/api/v1/providers/:provider', 'project', () => ({ autoReply: { enabled: true, txt: 'hello' } }), 'autoReply', 'txt', 'text'],
    ['POST', '/api/v1/providers', 'project', () => gupshupProviderInput({ autoReply: { enabled: false, text: '', delay: 5 } }), 'autoReply', 'delay', 'enabled'],
    ['PATCH', '/api/v1/campaigns/:campaign', 'project', () => ({ dnd: { ...dnd, days: ['sat'] } }), 'dnd', 'days', 'timezone'],
    ['POST', '/api/v1/campaigns', 'project', () => ({ name: 'Capped', providerId, templateId, audience: { all: true }, params: ['x'], frequencyCap: { messages: 1, days: 7, hours: 2 } }), 'frequencyCap', 'hours', 'messages'],
  ])('%s %s refuses an unknown field (%s headers) with a 422 naming it, where it is and the allowed ones', async (method, path, who, body, where, unknown, allowed) => {
    const url = path.replace(':provider', providerId).replace(':campaign', campaignId).replace(':project', project.projectId);
    const headers = who === 'project' ? project.headers : who === 'admin' ? admin.headers : {};
    const response = await ctx.app.inject({ method: method as 'POST' | 'PATCH', url, headers, payload: body() });
    expect(response.statusCode, response.body).toBe(422);
    expect(json(response).error.details).toEqual([{ path: where, message: expect.stringMatching(new RegExp(`^unknown field\\(s\\): ${unknown} \\(allowed: .*\\b${allowed}\\b`)) }]);
  });

  // An empty PATCH answered 200 and moved updatedAt for templates, provider accounts and campaigns, while
  // segments refused it: each says which fields may be changed now.
  it.each([
    ['/api/v1/templates/:template', 'send at least one of providerId, namespace, body, attachmentType, language'],
    ['/api/v1/providers/:provider', 'send at least one of nickname, isDefault, ratePerSecond, autoReply, dailyRecipientLimit, credentials'],
    ['/api/v1/segments/:segment', 'send name, filter or both'],
    ['/api/v1/settings/keywords', 'send optOut, optIn or both'],
    ['/api/v1/campaigns/:campaign', 'send at least one of name, providerId, templateId, audience, params, mediaUrl, sendAt, ratePerSecond, dnd, cutoffAt, conversionEvent, frequencyCap'],
  ])('PATCH %s with an empty body is a 422 naming the fields that may be changed, and changes nothing', async (path, message) => {
    const segment = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/segments',
      headers: project.headers,
      payload: { name: 'Named A', filter: { type: 'property', name: 'Name', op: 'eq', value: 'A' } },
    });
    const url = path.replace(':template', templateId).replace(':provider', providerId).replace(':segment', json(segment).id).replace(':campaign', campaignId);
    const before = await ctx.app.inject({ method: 'GET', url, headers: project.headers });
    const response = await ctx.app.inject({ method: 'PATCH', url, headers: project.headers, payload: {} });
    expect(response.statusCode, response.body).toBe(422);
    expect(json(response).error).toEqual({ code: 'validation_failed', message: `body: ${message}`, details: [{ path: 'body', message }] });
    const after = await ctx.app.inject({ method: 'GET', url, headers: project.headers });
    expect(json(after)).toEqual(json(before));
  });

  it('leaves the resource unchanged when a PATCH is refused', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: `/api/v1/providers/${providerId}`, headers: project.headers });
    expect(json(response).type).toBe('gupshup');
  });

  it('answers 415 naming the Content-Type when a JSON body is not sent as application/json', async () => {
    const asText = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/templates',
      headers: { ...project.headers, 'content-type': 'text/plain' },
      payload: JSON.stringify({ providerId, namespace: 'ABC:plain', body: 'Hi', attachmentType: 'none' }),
    });
    expect(asText.statusCode).toBe(415);
    expect(json(asText).error).toEqual({
      code: 'unsupported_media_type',
      message: 'Unsupported Content-Type "text/plain": send the body as JSON with Content-Type: application/json.',
    });
    const asForm = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/subscribe',
      headers: { ...project.headers, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'd=x',
    });
    expect(asForm.statusCode).toBe(415);
    expect(json(asForm).error.message).toMatch(/^Unsupported Content-Type "application\/x-www-form-urlencoded": send the body as JSON/);
  });

  it('takes a bodiless action sent with Content-Type: application/json, and says what is wrong with a broken JSON body', async () => {
    const headers = { ...project.headers, 'content-type': 'application/json' };
    const clone = await ctx.app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/clone`, headers, payload: '' });
    expect(clone.statusCode, clone.body).toBe(201);
    const empty = await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers, payload: '' });
    expect(empty.statusCode).toBe(400);
    expect(json(empty).error).toEqual({ code: 'invalid_json', message: 'The request body is empty: send a JSON object.' });
    const broken = await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers, payload: '{"providerId": "x",}' });
    expect(broken.statusCode).toBe(400);
    expect(json(broken).error.code).toBe('invalid_json');
    expect(json(broken).error.message).toMatch(/^The request body is not valid JSON: .*position 19/);
    const poisoned = await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers, payload: '{"__proto__": {"admin": true}}' });
    expect(poisoned.statusCode).toBe(400);
    expect(json(poisoned).error.message).toMatch(/forbidden key/);
  });

  // Parsed, such bodies overflowed the stack of the recursive code after the parser (segment filter
  // validation, the upload's echo of a refused record) and answered a 500.
  it('refuses a body nested deeper than 64 levels with a 422, and takes one at the limit', async () => {
    const headers = { ...project.headers, 'content-type': 'application/json' };
    let filter = '{"type":"property","name":"City","operator":"equals","value":"Pune"}';
    for (let i = 0; i < 1000; i++) filter = `{"type":"and","filters":[${filter}]}`;
    const deepBodies: Array<[string, string]> = [
      ['/api/v1/segments/estimate', `{"filter":${filter}}`],
      ['/api/v1/upload', `{"d":[{"type":"profile","identity":"deep","profileData":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}]}`],
    ];
    for (const [url, payload] of deepBodies) {
      const response = await ctx.app.inject({ method: 'POST', url, headers, payload });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(422);
      expect(json(response).error.details).toEqual([{ path: 'body', message: 'nests objects and lists more than 64 levels deep; no request needs more' }]);
    }
    const atTheLimit = `{"d":[{"type":"profile","identity":"deep","profileData":{"a":${'['.repeat(60)}1${']'.repeat(60)}}}]}`;
    const upload = await ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers, payload: atTheLimit });
    expect(upload.statusCode, upload.body).not.toBe(500);
    expect(json(upload).error?.details?.[0]?.message ?? '').not.toMatch(/levels deep/);
  });

  it('still takes a CSV import sent as text/plain', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/imports?filename=people.csv',
      headers: { ...project.headers, 'content-type': 'text/plain' },
      payload: 'identity,Name\nu1,Ann\n',
    });
    expect(response.statusCode, response.body).toBe(202);
  });

  it('says what a query parameter should be', async () => {
    // Every way of missing the range gets the range (zod's own words were "Too small: expected number to be >=1").
    for (const value of ['ten', '0', '1.5', '201', '']) {
      const limit = await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns?limit=${value}`, headers: project.headers });
      expect(limit.statusCode, value).toBe(422);
      expect(json(limit).error.details, value).toEqual([{ path: 'querystring.limit', message: 'must be a whole number from 1 to 200' }]);
    }
    const log = await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}/messages?limit=501`, headers: project.headers });
    expect(json(log).error.details).toEqual([{ path: 'querystring.limit', message: 'must be a whole number from 1 to 500' }]);
    const state = await ctx.app.inject({ method: 'GET', url: '/api/v1/campaigns?state=done', headers: project.headers });
    expect(state.statusCode).toBe(422);
    expect(json(state).error.details).toEqual([
      { path: 'querystring.state', message: 'must be one of "draft", "scheduled", "running", "paused", "completed", "stopped", "failed"' },
    ]);
  });

  // A value refused by the route schema (an enum, a wrong type, a missing field) used to hide the
  // service's checks of the other fields until it was fixed: two rounds to learn what was wrong.
  it.each([
    [
      'a provider account with an unknown type, a blank nickname and rate 0',
      '/api/v1/providers',
      () => ({ ...gupshupProviderInput(), type: 'twilio', nickname: '  ', ratePerSecond: 0 }),
      // The schema's problems (the rate's bounds are in it) come before the service's.
      ['type', 'ratePerSecond', 'nickname'],
    ],
    [
      'a provider account with isDefault "yes" and incomplete credentials',
      '/api/v1/providers',
      () => gupshupProviderInput({ isDefault: 'yes', credentials: { ...gupshupProviderInput().credentials, mobileNumber: 'call me' } }),
      ['isDefault', 'credentials.mobileNumber'],
    ],
    [
      'a campaign with a bad DND action, too few params and an unreadable sendAt',
      '/api/v1/campaigns',
      () => ({ name: 'Mixed', providerId, templateId, audience: { all: true }, params: [], sendAt: 'tomorrow', dnd: { from: '21:00', to: '09:00', timezone: 'Asia/Kolkata', action: 'later' } }),
      ['dnd.action', 'params', 'sendAt'],
    ],
    [
      'a campaign without a name and with an empty audience',
      '/api/v1/campaigns',
      () => ({ providerId, templateId, audience: {}, params: ['x'] }),
      ['name', 'audience'],
    ],
  ])('POST names every problem of %s in one answer', async (_what, url, body, paths) => {
    const response = await ctx.app.inject({ method: 'POST', url, headers: project.headers, payload: body() });
    expect(response.statusCode, response.body).toBe(422);
    const error = json(response).error;
    expect(error.code).toBe('validation_failed');
    expect(error.details.map((problem: { path: string }) => problem.path)).toEqual(paths);
  });

  // The same for changes: a refused value no longer hides the checks of the other fields.
  it.each([
    [
      'a provider account with isDefault "yes", a blank nickname and the auto reply on without text',
      () => `/api/v1/providers/${providerId}`,
      () => ({ isDefault: 'yes', nickname: ' ', autoReply: { enabled: true } }),
      ['isDefault', 'nickname', 'autoReply.text'],
    ],
    [
      'a provider account with rate "fast" and a malformed phone number',
      () => `/api/v1/providers/${providerId}`,
      () => ({ ratePerSecond: 'fast', credentials: { mobileNumber: 'call me' } }),
      ['ratePerSecond', 'credentials.mobileNumber'],
    ],
    [
      'a draft campaign with a bad DND action, too few params and an unreadable sendAt',
      () => `/api/v1/campaigns/${campaignId}`,
      () => ({ params: [], sendAt: 'tomorrow', dnd: { from: '21:00', to: '09:00', timezone: 'Asia/Kolkata', action: 'later' } }),
      ['dnd.action', 'params', 'sendAt'],
    ],
  ])('PATCH names every problem of %s in one answer, and changes nothing', async (_what, url, body, paths) => {
    const before = json(await ctx.app.inject({ method: 'GET', url: url(), headers: project.headers }));
    const response = await ctx.app.inject({ method: 'PATCH', url: url(), headers: project.headers, payload: body() });
    expect(response.statusCode, response.body).toBe(422);
    const error = json(response).error;
    expect(error.code).toBe('validation_failed');
    expect(error.details.map((problem: { path: string }) => problem.path)).toEqual(paths);
    expect(json(await ctx.app.inject({ method: 'GET', url: url(), headers: project.headers }))).toEqual(before);
  });

  // Text the database cannot store — a NUL character (PostgreSQL refuses it in text and JSON) or
  // half of a UTF-16 surrogate pair — anywhere in a JSON body is a 422 naming the field, on both
  // engines, never a 500 (PostgreSQL) or data stored on one engine only (SQLite).
  const send = (method: 'POST' | 'PATCH', url: string, payload: object) => ctx.app.inject({ method, url, headers: project.headers, payload });

  const cases: Array<[string, 'POST' | 'PATCH', () => string, () => object, string]> = [
    ['a campaign name', 'POST', () => '/api/v1/campaigns', () => ({ name: 'Spring\u0000sale', providerId, templateId, audience: { all: true }, params: ['x'] }), 'name'],
    ['a campaign value', 'PATCH', () => `/api/v1/campaigns/${campaignId}`, () => ({ params: ['a\u0000b'] }), 'params.0'],
    ['a template body', 'POST', () => '/api/v1/templates', () => ({ providerId, namespace: 'ABC:nul', body: 'Hi\u0000 {{1}}', attachmentType: 'none' }), 'body'],
    ['a provider nickname', 'PATCH', () => `/api/v1/providers/${providerId}`, () => ({ nickname: 'Main\u0000' }), 'nickname'],
    ['an identity in a campaign audience', 'PATCH', () => `/api/v1/campaigns/${campaignId}`, () => ({ audience: { identities: ['u1', 'u\u0000'] } }), 'audience.identities.1'],
    ['an auto-reply text with half a surrogate pair', 'PATCH', () => `/api/v1/providers/${providerId}`, () => ({ autoReply: { enabled: true, text: 'Thanks \ud83d' } }), 'autoReply.text'],
  ];
  it.each(cases)('refuses %s with a 422 naming the field', async (_what, method, url, body, path) => {
    const response = await send(method, url(), body());
    expect(response.statusCode, response.body).toBe(422);
    expect(json(response).error.details).toEqual([{ path, message: expect.stringMatching(/NUL character|surrogate pair/) }]);
  });

  it('takes text that only looks like such an escape, and whole emoji (surrogate pairs)', async () => {
    const response = await send('PATCH', `/api/v1/campaigns/${campaignId}`, { name: 'Back\\u0000slash 🎉' });
    expect(response.statusCode, response.body).toBe(200);
    expect(json(response).name).toBe('Back\\u0000slash 🎉');
  });

  it('leaves the upload call to refuse such a record alone, storing the others', async () => {
    const response = await send('POST', '/api/v1/upload', {
      d: [
        { identity: 'fine', type: 'profile', profileData: { Name: 'Fine' } },
        { identity: 'bad\u0000', type: 'profile', profileData: { Name: 'Bad' } },
      ],
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(json(response)).toMatchObject({ status: 'partial', processed: 1 });
  });
});
