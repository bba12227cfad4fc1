/**
 * Tenancy through every endpoint that exists: resources are created in project A, then every
 * route of the OpenAPI document that takes an id is called with A's ids and B's credentials. Each
 * must answer exactly like an id that does not exist (404 where the body is valid; a body problem
 * may be reported first, identically for both) and change nothing. A new route with a parameter
 * this test does not know fails the test until it is added here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';
import { gupshupProviderInput } from '../helpers/fixtures.js';
import { seedProfiles, testPhone } from '../helpers/audience.js';

type Ids = Record<string, string>;

/** Which of A's resources fills a path parameter, by path prefix. */
function idFor(path: string, parameter: string, ids: Ids): string | undefined {
  if (parameter === 'projectId') return ids.project;
  if (parameter === 'identity') return ids.identity;
  if (parameter === 'phone') return ids.phone;
  if (path.startsWith('/api/v1/projects/{projectId}/credentials/')) return ids.credentials;
  if (path.startsWith('/api/v1/projects/{projectId}/members/')) return ids.member;
  const resource = /^\/api\/v1\/([a-z-]+)\//.exec(path)?.[1];
  return resource ? ids[resource] : undefined;
}

describe.each(testEngines())('tenancy ($name)', (engine) => {
  let ctx: TestContext;
  let a: TestProject;
  let b: TestProject;
  const ids: Ids = {};

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    a = await ctx.createProject('A');
    b = await ctx.createProject('B');
    const post = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, headers: a.headers, payload });
    ids.project = a.projectId;
    ids.providers = json(await post('/api/v1/providers', gupshupProviderInput())).id;
    ids.templates = json(await post('/api/v1/templates', { providerId: ids.providers, namespace: 'ABC:secret', body: 'Hi {{1}}', attachmentType: 'none' })).id;
    ids.campaigns = json(await post('/api/v1/campaigns', { name: 'A only', providerId: ids.providers, templateId: ids.templates, audience: { all: true }, params: ['x'] })).id;
    await seedProfiles(ctx.db, a.projectId, [{ identity: 'a-user', phone: testPhone(1), properties: { Name: 'A' } }]);
    ids.segments = json(await post('/api/v1/segments', { name: 'A segment', filter: { type: 'property', name: 'Name', op: 'eq', value: 'A' } })).id;
    const upload = await ctx.app.inject({ method: 'POST', url: '/api/v1/imports', headers: { ...a.headers, 'content-type': 'text/csv' }, payload: 'identity,Name\nimported-a,Alpha\n' });
    ids.imports = json(upload).id;
    ids.identity = 'a-user';
    ids.phone = encodeURIComponent(testPhone(1));
    // A's API credentials, the ones its requests below are made with: revoking them from B would show there.
    // A member of A only: taking A from them through B's session must find nobody.
    ids.member = (await ctx.createSession({ projectIds: [a.projectId] })).userId;
    // Users belong to the instance, not to a project: only instance admins see or change them, so
    // B's member must hear the same 403 for A's member as for a user who does not exist.
    ids.users = ids.member;
    ids.credentials = (await ctx.db.kysely.selectFrom('api_credentials').select('id').where('project_id', '=', a.projectId).executeTakeFirstOrThrow()).id;
  });
  afterAll(() => ctx?.close());

  it('answers another project exactly as it answers an id that does not exist', async () => {
    const doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    const checked: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      const parameters = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
      if (parameters.length === 0) continue;
      let url = path;
      let missing = path;
      for (const parameter of parameters) {
        const value = idFor(path, parameter, ids);
        expect(value, `the tenancy test does not know how to fill {${parameter}} in ${path}: add it`).toBeDefined();
        url = url.replace(`{${parameter}}`, value!);
        missing = missing.replace(`{${parameter}}`, parameter === 'phone' ? encodeURIComponent('+14155550999') : '0190aaaa-0000-7000-8000-000000000000');
      }
      for (const method of Object.keys(operations)) {
        const upper = method.toUpperCase() as 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
        const payload = upper === 'GET' || upper === 'DELETE' ? undefined : {};
        // Project routes take API credentials; user routes (…/projects/:id/…, /users/:id) need a session of B's member.
        const instanceRoute = path.startsWith('/api/v1/users/');
        const headers = path.startsWith('/api/v1/projects/') || instanceRoute ? (await ctx.createSession({ projectIds: [b.projectId] })).headers : b.headers;
        const response = await ctx.app.inject({ method: upper, url, headers, payload });
        const absent = await ctx.app.inject({ method: upper, url: missing, headers, payload });
        expect(response.statusCode, `${upper} ${path} from another project`).toBe(absent.statusCode);
        expect(response.statusCode, `${upper} ${path} from another project`).toBeGreaterThanOrEqual(400);
        if (upper === 'GET' || upper === 'DELETE') expect(response.statusCode, `${upper} ${path} from another project`).toBe(instanceRoute ? 403 : 404);
        checked.push(`${upper} ${path}`);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(15);
    // Nothing of A's changed.
    const campaign = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${ids.campaigns}`, headers: a.headers }));
    expect(campaign).toMatchObject({ name: 'A only', state: 'draft' });
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/providers/${ids.providers}`, headers: a.headers })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/templates/${ids.templates}`, headers: a.headers })).statusCode).toBe(200);
  });

  it('lists nothing of another project', async () => {
    const doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    const secrets = Object.values(ids).filter((value) => value.length > 10);
    // Event streams never end, so inject cannot read them; their scoping is tested with them
    // (test/inbox/inbox.test.ts: another project's change is not announced).
    const isEventStream = (operations: Record<string, unknown>) => String((operations.get as { summary?: string }).summary ?? '').startsWith('Server-sent events');
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      if (path.includes('{') || !('get' in operations) || !path.startsWith('/api/v1/') || path.startsWith('/api/v1/projects') || path.startsWith('/api/v1/auth')) continue;
      if (isEventStream(operations)) continue;
      const response = await ctx.app.inject({ method: 'GET', url: path, headers: b.headers });
      for (const secret of secrets) expect(response.body, `GET ${path} leaks ${secret}`).not.toContain(secret);
    }
  });
});
