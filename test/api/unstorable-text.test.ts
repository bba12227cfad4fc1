import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';

/**
 * Text the database cannot store — a NUL character (PostgreSQL refuses it in text and JSON) or
 * half of a UTF-16 surrogate pair — sent in any JSON body is a 422 naming the field, on both
 * engines, never a 500 (PostgreSQL) or data stored on one engine only (SQLite).
 */
describe.each(testEngines())('text the database cannot store ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  let templateId: string;
  let campaignId: string;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
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
