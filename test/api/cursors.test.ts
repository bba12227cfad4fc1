/**
 * List cursors: a `cursor` the list did not return is a 422 on `cursor` on every list endpoint,
 * whatever the list's cursor encoding (row id, `<ms>:<id>`, sequence number, opaque). A garbage
 * cursor used to answer the first page again, so a client following cursors looped over page one.
 * The cursors the lists do return keep paging as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';
import { createTemplateRow, profileIdOf, seedCampaign } from '../helpers/campaign-seed.js';
import { createImport } from '../../src/audience/imports.service.js';
import { newId } from '../../src/ids.js';

const refused = [{ path: 'cursor', message: expect.stringMatching(/^is not a cursor this list returned: pass the nextCursor of the previous page unchanged/) }];

describe.each(testEngines())('list cursors ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let providerId: string;
  let campaignId: string;
  const nowS = Math.floor(Date.now() / 1000);

  const get = (url: string) => ctx.app.inject({ method: 'GET', url, headers: project.headers });

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    const provider = await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput() });
    expect(provider.statusCode, provider.body).toBe(201);
    providerId = json(provider).id;
    const templateId = await createTemplateRow(ctx.db, project.projectId, providerId);
    for (const name of ['First', 'Second', 'Third']) {
      const segment = await ctx.app.inject({ method: 'POST', url: '/api/v1/segments', headers: project.headers, payload: { name, filter: { type: 'property', name: 'City', op: 'eq', value: name } } });
      expect(segment.statusCode, segment.body).toBe(201);
    }
    await seedProfiles(ctx.db, project.projectId, [1, 2, 3].map((n) => ({ identity: `p${n}`, phone: testPhone(n) })));
    const upload = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/upload',
      headers: project.headers,
      payload: { d: [1, 2, 3].map((n) => ({ identity: 'p1', type: 'event', evtName: 'Opened', ts: nowS - n * 60, evtData: { n } })) },
    });
    expect(json(upload).status).toBe('success');
    const profiles = await Promise.all([1, 2, 3].map((n) => profileIdOf(ctx.db, project.projectId, `p${n}`)));
    // p1 has a message in each campaign: its message list has two pages of one.
    await seedCampaign(ctx.db, { projectId: project.projectId, providerId, templateId, name: 'Older', messages: [{ profileId: profiles[0]!, phone: testPhone(1), status: 'sent', providerMessageId: 'pm-0' }] });
    campaignId = (
      await seedCampaign(ctx.db, {
        projectId: project.projectId,
        providerId,
        templateId,
        name: 'Newer',
        messages: [1, 2, 3].map((n) => ({ profileId: profiles[n - 1]!, phone: testPhone(n), status: 'sent' as const, providerMessageId: `pm-${n}` })),
      })
    ).campaignId;
    for (const filename of ['a.csv', 'b.csv', 'c.csv']) await createImport(ctx.db, project.projectId, { filename, sizeBytes: 10, source: 'cli' });
  });
  afterAll(() => ctx?.close());

  // Per list: cursors it could not have returned. Garbage, empty, another encoding, a truncated copy.
  const id = newId();
  const common = ['garbage', '', 'not base64 json!'];
  const byId = [...common, `${Date.now()}:${id}`, id.slice(0, -1), id.toUpperCase(), '12345'];
  const byTimeAndId = [...common, id, `${Date.now()}:`, `${Date.now()}:${id.slice(0, -1)}`, `soon:${id}`, '12345'];
  const bySeq = [...common, id, '-1', '1.5', '1e3'];
  const opaque = [...common, id, Buffer.from('["x"]').toString('base64url'), Buffer.from('[1,2]').toString('base64url')];
  const lists = (): Array<[string, string[]]> => [
    ['/api/v1/segments', byId],
    ['/api/v1/campaigns', byId],
    [`/api/v1/campaigns/${campaignId}/messages`, byId],
    [`/api/v1/campaigns/${campaignId}/activity`, byId],
    ['/api/v1/profiles', byId],
    ['/api/v1/profiles/p1/events', byTimeAndId],
    ['/api/v1/profiles/p1/messages', byTimeAndId],
    ['/api/v1/imports', byId],
    [`/api/v1/providers/${providerId}/callbacks/rejected`, bySeq],
    ['/api/v1/inbox', opaque],
  ];

  it('refuses a cursor the list did not return with a 422 on cursor, on every list', async () => {
    for (const [path, cursors] of lists()) {
      for (const cursor of cursors) {
        const response = await get(`${path}?limit=1&cursor=${encodeURIComponent(cursor)}`);
        expect(response.statusCode, `${path} cursor=${JSON.stringify(cursor)}: ${response.body}`).toBe(422);
        expect(json(response).error, `${path} cursor=${JSON.stringify(cursor)}`).toMatchObject({ code: 'validation_failed', details: refused });
      }
    }
  });

  it('says so in the OpenAPI document', async () => {
    const document = json(await get('/api/v1/openapi.json'));
    const cursor = document.paths['/api/v1/campaigns/{id}/messages'].get.parameters.find((parameter: { name: string }) => parameter.name === 'cursor');
    expect(cursor.description).toMatch(/nextCursor of the previous page/);
  });

  it('pages with the cursors the lists return, exactly as before', async () => {
    const paged = [
      '/api/v1/segments',
      '/api/v1/campaigns',
      `/api/v1/campaigns/${campaignId}/messages`,
      '/api/v1/profiles',
      '/api/v1/profiles/p1/events',
      '/api/v1/profiles/p1/messages',
      '/api/v1/imports',
    ];
    for (const path of paged) {
      const all = json(await get(`${path}?limit=100`));
      expect(all.items.length, path).toBeGreaterThanOrEqual(2);
      const seen: unknown[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page++) {
        const response = await get(`${path}?limit=1${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
        expect(response.statusCode, `${path}: ${response.body}`).toBe(200);
        const body: { items: unknown[]; nextCursor: string | null } = json(response);
        seen.push(...body.items);
        cursor = body.nextCursor;
        if (cursor === null) break;
      }
      expect(seen, path).toEqual(all.items);
    }
  });
});
