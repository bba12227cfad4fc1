/**
 * The OpenAPI document (/api/v1/openapi.json) against what the server does: who may call each
 * operation, and the statuses it answers. Every operation of the document is called without
 * credentials, with project API credentials, with a dashboard session and with the session of a
 * user without a project, and the answers are held against the document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject, type TestSession } from '../helpers/context.js';
import { gupshupProviderInput, nexmoProviderInput } from '../helpers/fixtures.js';

type Operation = { security?: Array<Record<string, string[]>>; responses: Record<string, { content?: Record<string, unknown> }> };
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

describe.each(testEngines())('the OpenAPI document ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let admin: TestSession;
  let doc: { paths: Record<string, Record<string, Operation>> };
  let operations: Array<{ method: Method; path: string; operation: Operation }>;
  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    admin = await ctx.createSession({ isAdmin: true, projectIds: [project.projectId] });
    doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, operation]) => ({ method: method.toUpperCase() as Method, path, operation })),
    );
  });
  afterAll(() => ctx?.close());

  /** Calls the operation with made-up path parameters and, for a write, an empty JSON object. */
  const call = (method: Method, path: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
    ctx.app.inject({ method, url: path.replace(/\{[^}]+\}/g, 'nope'), headers, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });

  const schemesOf = (operation: Operation) => (operation.security ?? []).map((alternative) => Object.keys(alternative).sort().join('+')).sort();

  it('says who may call each operation, as config.auth: nobody for login and setup, the session for the dashboard, API credentials or the session for project data', () => {
    const by = (path: string, method = 'get') => schemesOf(operations.find((entry) => entry.path === path && entry.method === method.toUpperCase())!.operation);
    // Every operation says it: nothing is left to a document-wide default.
    expect(operations.filter(({ operation }) => operation.security === undefined).map(({ method, path }) => `${method} ${path}`)).toEqual([]);
    for (const [path, method] of [['/api/v1/auth/login', 'post'], ['/api/v1/auth/setup', 'post'], ['/api/v1/auth/state', 'get'], ['/healthz', 'get']] as const) {
      expect(by(path, method), path).toEqual([]);
    }
    for (const [path, method] of [['/api/v1/auth/me', 'get'], ['/api/v1/auth/logout', 'post'], ['/api/v1/auth/project', 'post'], ['/api/v1/projects', 'get'], ['/api/v1/projects', 'post'], ['/api/v1/users', 'get'], ['/api/v1/storage', 'get']] as const) {
      expect(by(path, method), path).toEqual(['session']);
    }
    for (const [path, method] of [['/api/v1/campaigns', 'post'], ['/api/v1/providers/{id}', 'delete'], ['/api/v1/upload', 'post'], ['/1/upload', 'post'], ['/api/v1/inbox', 'get']] as const) {
      expect(by(path, method), path).toEqual(['accountId+passcode', 'session']);
    }
    // Its own scrape token or an admin's session, checked by the route itself.
    expect(by('/metrics')).toEqual(['metricsToken', 'session']);
  });

  it('matches what each operation answers without credentials, with API credentials and with a session, and lists every status it answered', async () => {
    const mismatches: string[] = [];
    const undocumented: string[] = [];
    const note = (method: Method, path: string, operation: Operation, response: LightMyRequestResponse) => {
      if (!(String(response.statusCode) in operation.responses)) undocumented.push(`${method} ${path} → ${response.statusCode} ${response.body.slice(0, 120)}`);
    };
    // A user who can open no project: project routes answer 400 no_project.
    const projectless = await ctx.createSession();
    for (const { method, path, operation } of operations) {
      // Checked by the route itself, from the connection's address (test/api/metrics-access.test.ts).
      if (path === '/metrics') continue;
      const schemes = schemesOf(operation);
      const name = `${method} ${path}`;
      const anonymous = await call(method, path);
      note(method, path, operation, anonymous);
      if (schemes.length === 0 ? [401, 403].includes(anonymous.statusCode) : anonymous.statusCode !== 401) {
        mismatches.push(`${name} without credentials: ${anonymous.statusCode}, document: ${schemes.join(' | ') || 'public'}`);
      }
      if (schemes.length === 0) continue;
      // A stream answered would stay open: only its refusals are called.
      const streams = Object.keys(operation.responses['200']?.content ?? {}).includes('text/event-stream');
      if (!streams || !schemes.includes('accountId+passcode')) {
        const withKey = await call(method, path, project.headers);
        note(method, path, operation, withKey);
        if (schemes.includes('accountId+passcode') ? [401, 403].includes(withKey.statusCode) : withKey.statusCode !== 403) {
          mismatches.push(`${name} with API credentials: ${withKey.statusCode}, document: ${schemes.join(' | ')}`);
        }
      }
      if (!streams) {
        // Logging out ends the session the other calls use.
        const session = path === '/api/v1/auth/logout' ? await ctx.createSession({ isAdmin: true }) : admin;
        const withSession = await call(method, path, session.headers);
        note(method, path, operation, withSession);
        if ([401, 403].includes(withSession.statusCode)) mismatches.push(`${name} with an admin's session: ${withSession.statusCode} ${withSession.body}`);
      }
      if (schemes.includes('accountId+passcode') && !streams) {
        const withoutProject = await call(method, path, projectless.headers);
        note(method, path, operation, withoutProject);
      }
    }
    expect(mismatches).toEqual([]);
    expect(undocumented).toEqual([]);
  });

  it('lists the conflicts and not-founds of routes whose path does not reveal them, and they are answered', async () => {
    const statuses = (method: string, path: string) => Object.keys(doc.paths[path]![method]!.responses);
    const description = (method: string, path: string, status: number) => (doc.paths[path]![method]!.responses[String(status)] as { description: string }).description;
    expect(statuses('post', '/api/v1/templates')).toContain('409');
    expect(description('post', '/api/v1/templates', 409)).toContain('template_exists');
    for (const method of ['patch', 'delete']) {
      expect(statuses(method, '/api/v1/templates/{id}'), method).toContain('409');
      expect(description(method, '/api/v1/templates/{id}', 409), method).toContain('template_in_use');
    }
    expect(description('patch', '/api/v1/templates/{id}', 409)).toContain('template_exists');
    expect(description('delete', '/api/v1/providers/{id}', 409)).toContain('provider_in_use');
    expect(description('delete', '/api/v1/segments/{id}', 409)).toContain('segment_in_use');
    expect(statuses('post', '/api/v1/campaigns/preview')).toContain('404');
    expect(statuses('post', '/api/v1/audience/estimate')).toContain('404');
    expect(statuses('post', '/api/v1/auth/project')).toContain('404');
    expect(statuses('post', '/api/v1/auth/setup')).toEqual(expect.arrayContaining(['403', '409']));
    expect(description('get', '/api/v1/campaigns/{id}', 400)).toContain('no_project');

    // Each is what the API answers.
    const headers = project.headers;
    const post = (url: string, payload: object) => ctx.app.inject({ method: 'POST', url, headers, payload });
    const providerId = json(await post('/api/v1/providers', gupshupProviderInput())).id as string;
    const template = { providerId, namespace: 'ABC:hello', body: 'Hi {{1}}' };
    const templateId = json(await post('/api/v1/templates', template)).id as string;
    const segmentId = json(await post('/api/v1/segments', { name: 'A', filter: { type: 'property', name: 'Name', op: 'eq', value: 'A' } })).id as string;
    expect(json(await post('/api/v1/templates', template)).error.code).toBe('template_exists');
    expect((await post('/api/v1/campaigns/preview', { templateId: 'nope', params: [] })).statusCode).toBe(404);
    expect((await post('/api/v1/audience/estimate', { audience: { segmentId: 'nope' } })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/project', headers: admin.headers, payload: { projectId: 'nope' } })).statusCode).toBe(404);
    const campaign = json(await post('/api/v1/campaigns', { name: 'Later', providerId, templateId, audience: { segmentId }, params: ['x'], sendAt: Date.now() + 86_400_000 }));
    expect(json(await post(`/api/v1/campaigns/${campaign.id}/publish`, {})).state).toBe('scheduled');
    const conflicts: Array<[string, string, string]> = [
      ['PATCH', `/api/v1/templates/${templateId}`, 'template_in_use'],
      ['DELETE', `/api/v1/templates/${templateId}`, 'template_in_use'],
      ['DELETE', `/api/v1/providers/${providerId}`, 'provider_in_use'],
      ['DELETE', `/api/v1/segments/${segmentId}`, 'segment_in_use'],
    ];
    for (const [method, url, code] of conflicts) {
      const response = await ctx.app.inject({ method: method as 'PATCH' | 'DELETE', url, headers, ...(method === 'PATCH' ? { payload: { body: 'Hello {{1}}' } } : {}) });
      expect(response.statusCode, url).toBe(409);
      expect(json(response).error.code, url).toBe(code);
    }
  });

  it('gives the request fields their real types and bounds, and the CSV export its content type', async () => {
    const body = (method: string, path: string) =>
      (doc.paths[path]![method] as unknown as { requestBody: { content: Record<string, { schema: { properties: Record<string, any> } }> } }).requestBody.content['application/json']!.schema.properties;
    // A provider account's rate: a whole number 1–10,000, as newAccountProblems checks.
    for (const [method, path] of [['post', '/api/v1/providers'], ['patch', '/api/v1/providers/{id}']]) {
      expect(body(method!, path!).ratePerSecond, path).toMatchObject({ type: 'integer', minimum: 1, maximum: 10_000 });
    }
    // A campaign's: a whole number from 1, at most its account's (10,000 at most), or null.
    for (const [method, path] of [['post', '/api/v1/campaigns'], ['patch', '/api/v1/campaigns/{id}']]) {
      expect(body(method!, path!).ratePerSecond.anyOf, path).toEqual([{ type: 'integer', minimum: 1, maximum: 10_000 }, { type: 'null' }]);
      expect(body(method!, path!).frequencyCap.anyOf[0].properties, path).toEqual({
        messages: { type: 'integer', minimum: 1, maximum: 100 },
        days: { type: 'integer', minimum: 1, maximum: 90 },
      });
    }
    // The schema refuses what the service did, in its words.
    const providerId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: gupshupProviderInput({ nickname: 'Rates' }) })).id as string;
    for (const rate of [0, 2.5, 10_001]) {
      const response = await ctx.app.inject({ method: 'PATCH', url: `/api/v1/providers/${providerId}`, headers: project.headers, payload: { ratePerSecond: rate } });
      expect(json(response).error.details, String(rate)).toEqual([{ path: 'ratePerSecond', message: 'must be a whole number from 1 to 10,000' }]);
    }

    // The message log: JSON, or with format=csv a text/csv file, as it is served.
    const ok = doc.paths['/api/v1/campaigns/{id}/messages']!.get!.responses['200']!;
    expect(Object.keys(ok.content!)).toEqual(['application/json', 'text/csv']);
    const csv = ok.content!['text/csv'] as { schema: { type: string; examples: string[] } };
    expect(csv.schema.type).toBe('string');
    const templateId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/templates', headers: project.headers, payload: { providerId, namespace: 'ABC:rates', body: 'Hi' } })).id as string;
    const campaignId = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/campaigns', headers: project.headers, payload: { name: 'Log', providerId, templateId, audience: { all: true }, params: [] } })).id as string;
    const served = await ctx.app.inject({ method: 'GET', url: `/api/v1/campaigns/${campaignId}/messages?format=csv`, headers: project.headers });
    expect(served.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.schema.examples[0]!.split('\n')[0]).toBe(served.body.split('\n')[0]);
  });

  it("gives a provider account's credentials the fields and lengths the API checks, for each type", async () => {
    const credentialsOf = (method: string, path: string) =>
      (doc.paths[path]![method] as unknown as { requestBody: { content: Record<string, { schema: { properties: Record<string, any> } }> } }).requestBody.content['application/json']!.schema.properties.credentials;
    const [gupshup, nexmo] = credentialsOf('post', '/api/v1/providers').anyOf;
    expect([gupshup.title, nexmo.title]).toEqual(['gupshup', 'nexmo']);
    expect([gupshup.required, nexmo.required]).toEqual([['mobileNumber'], ['whatsappNumber']]);
    // The fields are the ones the API allows (it names them when refusing another).
    for (const [input, schema] of [[gupshupProviderInput(), gupshup], [nexmoProviderInput(), nexmo]] as const) {
      const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: { ...input, credentials: { ...input.credentials, pin: '1234' } } });
      const refusal = (json(response).error.details as Array<{ path: string; message: string }>).find((problem) => problem.path === 'credentials.pin')!;
      const allowed = /\(allowed: ([^)]+)\)/.exec(refusal.message)![1]!.split(', ');
      expect(Object.keys(schema.properties), input.type).toEqual(allowed);
    }
    // Lengths as checked; secrets said to be masked.
    expect(gupshup.properties.notificationUserId.maxLength).toBe(50);
    const tooLong = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/providers',
      headers: project.headers,
      payload: gupshupProviderInput({ credentials: { ...gupshupProviderInput().credentials, notificationUserId: '1'.repeat(51) } }),
    });
    expect(json(tooLong).error.details).toContainEqual({ path: 'credentials.notificationUserId', message: 'must be at most 50 characters' });
    expect(nexmo.properties.privateKey.description).toContain('masked');
    // A change: every field optional, null clears it.
    const [gupshupChange] = credentialsOf('patch', '/api/v1/providers/{id}').anyOf;
    expect(gupshupChange.required).toBeUndefined();
    expect(gupshupChange.properties.apiKey.anyOf[1]).toEqual({ type: 'null' });
  });
});
