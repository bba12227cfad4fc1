import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject } from '../helpers/context.js';

describe.each(testEngines())('error shapes ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
  });
  afterAll(() => ctx?.close());

  it('answers unknown API routes with a 404 in the error shape', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(json(response)).toEqual({ error: { code: 'not_found', message: 'No route for GET /api/v1/nothing-here.' } });
  });

  it('answers unknown non-GET routes with JSON too', async () => {
    const response = await ctx.app.inject({ method: 'DELETE', url: '/whatever' });
    expect(response.statusCode).toBe(404);
    expect(json(response).error.code).toBe('not_found');
  });

  it('answers paths the router cannot read in the error shape: a broken %-escape (400), an over-long path parameter (414)', async () => {
    const badUrl = await ctx.app.inject({ method: 'GET', url: '/api/v1/profiles/%E0%A4%A', headers: project.headers });
    expect(badUrl.statusCode).toBe(400);
    expect(json(badUrl)).toEqual({
      error: {
        code: 'bad_url',
        message: 'The path "/api/v1/profiles/%E0%A4%A" is not valid percent-encoding: a "%" must start a percent-encoded UTF-8 character (e.g. %20 for a space, %C3%A9 for é); send %25 for a "%" itself.',
      },
    });
    expect(badUrl.headers['x-content-type-options']).toBe('nosniff');
    // Without credentials too: the router answers before authentication.
    expect(json(await ctx.app.inject({ method: 'GET', url: '/api/v1/campaigns/%ZZ' })).error.code).toBe('bad_url');

    const tooLong = await ctx.app.inject({ method: 'GET', url: `/api/v1/profiles/${'a'.repeat(3000)}`, headers: project.headers });
    expect(tooLong.statusCode).toBe(414);
    const body = json(tooLong);
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe('uri_too_long');
    expect(body.error.message).toContain('is longer than 2048 characters (counted as sent, percent-encoded), the most a path parameter may have.');
    // The path is quoted, not echoed whole.
    expect(body.error.message.length).toBeLessThan(400);
    // At the limit the request is routed: no such profile.
    const atLimit = await ctx.app.inject({ method: 'GET', url: `/api/v1/profiles/${'a'.repeat(2048)}`, headers: project.headers });
    expect(atLimit.statusCode).toBe(404);
    expect(json(atLimit).error.code).toBe('not_found');
  });

  it('answers requests the HTTP parser refuses in the error shape: headers too large (431), not HTTP (400)', async () => {
    const address = new URL(await ctx.app.listen({ port: 0, host: '127.0.0.1' }));
    /** Sends raw bytes and reads the answer until the server closes the connection. */
    const raw = (request: string) =>
      new Promise<{ status: number; headers: string; body: string }>((resolve, reject) => {
        const socket = connect(Number(address.port), address.hostname);
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
        socket.on('error', reject);
        socket.on('close', () => {
          const [head = '', body = ''] = received.split('\r\n\r\n');
          resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
        });
        socket.write(request);
      });

    const huge = await raw(`GET /api/v1/auth/state HTTP/1.1\r\nHost: wacast.test\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge.status).toBe(431);
    expect(huge.headers).toContain('content-type: application/json');
    expect(JSON.parse(huge.body)).toEqual({
      error: { code: 'headers_too_large', message: expect.stringMatching(/^The request's headers are larger than the \d+ bytes \(\d+ KiB\) the server reads/) },
    });

    const notHttp = await raw('BREW /coffee HTTP/1.1\r\nHost: wacast.test\r\n\r\n');
    expect(notHttp.status).toBe(400);
    expect(JSON.parse(notHttp.body)).toEqual({ error: { code: 'bad_request', message: expect.stringMatching(/^The request is not valid HTTP\/1\.1: .+\.$/) } });
    expect(notHttp.headers).toContain('x-content-type-options: nosniff');
  });

  it('names the problem in malformed JSON with a 400', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": "a@b.co", "password": ',
    });
    expect(response.statusCode).toBe(400);
    const body = json(response);
    expect(body.error.code).toBe('invalid_json');
    expect(body.error.message).toMatch(/not valid JSON/);
  });

  it('refuses bodies over the limit with a 413 that says the limit, in bytes and MiB', async () => {
    const payload = JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(2 * 1024 * 1024) });
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(413);
    expect(json(response)).toEqual({
      error: {
        code: 'payload_too_large',
        message: `The request body is larger than this endpoint's limit of 1048576 bytes (1 MiB): this one has ${Buffer.byteLength(payload)} bytes.`,
      },
    });
    // The upload API takes 10 MiB: its refusals say so.
    const upload = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/upload',
      headers: { ...project.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ d: [{ identity: 'a', type: 'profile', profileData: { Name: 'x'.repeat(11 * 1024 * 1024) } }] }),
    });
    expect(upload.statusCode).toBe(413);
    expect(json(upload).error.message).toMatch(/^The request body is larger than this endpoint's limit of 10485760 bytes \(10 MiB\)/);
  });

  it('lists every invalid field with a 422', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 5 } });
    expect(response.statusCode).toBe(422);
    const body = json(response);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'email', message: 'expected string, got number' },
        { path: 'password', message: 'is required' },
      ]),
    );
  });

  it('asks for credentials with a 401 and refuses wrong ones', async () => {
    const none = await ctx.app.inject({ method: 'GET', url: `/api/v1/auth/me` });
    expect(none.statusCode).toBe(401);
    expect(json(none).error.code).toBe('unauthorized');
    const wrong = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/projects/${project.projectId}/credentials`,
      headers: { 'x-wacast-account-id': project.accountId, 'x-wacast-passcode': 'nope' },
    });
    expect(wrong.statusCode).toBe(403);
  });

  it('serves health, metrics and the OpenAPI document', async () => {
    const health = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(json(health)).toEqual({ status: 'ok', database: 'ok', engine: engine.name });
    // From the server itself (inject connects from 127.0.0.1), with no WACAST_METRICS_TOKEN set.
    const metrics = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('wacast_http_requests_total');
    const openapi = await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(openapi.statusCode).toBe(200);
    const doc = json(openapi);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/v1/auth/login');
    expect(doc.paths['/api/v1/auth/login'].post.requestBody).toBeDefined();
  });

  it('describes every route of the product contract (PRODUCT §4.2) with a summary', async () => {
    const doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    const contract: Array<[string, string]> = [
      ['post', '/api/v1/providers'],
      ['get', '/api/v1/providers'],
      ['get', '/api/v1/providers/{id}'],
      ['patch', '/api/v1/providers/{id}'],
      ['delete', '/api/v1/providers/{id}'],
      ['post', '/api/v1/providers/{id}/test'],
      ['post', '/api/v1/templates'],
      ['get', '/api/v1/templates'],
      ['get', '/api/v1/templates/{id}'],
      ['patch', '/api/v1/templates/{id}'],
      ['delete', '/api/v1/templates/{id}'],
      ['post', '/api/v1/upload'],
      ['post', '/1/upload'],
      ['post', '/api/v1/subscribe'],
      ['get', '/api/v1/profiles/{identity}'],
      ['post', '/api/v1/segments'],
      ['get', '/api/v1/segments'],
      ['post', '/api/v1/segments/{id}/estimate'],
      ['post', '/api/v1/campaigns'],
      ...(['publish', 'pause', 'resume', 'stop', 'clone'].map((action) => ['post', `/api/v1/campaigns/{id}/${action}`]) as Array<[string, string]>),
      ['get', '/api/v1/campaigns/{id}'],
      ['get', '/api/v1/campaigns/{id}/messages'],
      ['get', '/api/v1/inbox'],
      ['post', '/api/v1/inbox/{phone}/reply'],
      ['post', '/api/v1/inbox/{phone}/read'],
      ['post', '/api/v1/inbox/{phone}/unread'],
      ['get', '/api/v1/inbox/counts'],
      ['get', '/healthz'],
      ['get', '/metrics'],
    ];
    const missing = contract.filter(([method, path]) => typeof doc.paths[path]?.[method]?.summary !== 'string' || doc.paths[path][method].summary.length === 0);
    expect(missing).toEqual([]);
    // Health needs no credentials, and the document says so; metrics take the scrape token or an
    // admin's session (test/api/metrics-access.test.ts), and the document names both.
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.paths['/metrics'].get.security).toEqual([{ metricsToken: [] }, { session: [] }]);
    expect(doc.components.securitySchemes.metricsToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/metrics'].get.description).toContain('WACAST_METRICS_TOKEN');
  });

  it('lists the error answers of each route in the OpenAPI document, with the error shape', async () => {
    const doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    const statuses = (method: string, path: string) => Object.keys(doc.paths[path][method].responses).sort();
    // A create with a body: unreadable body, auth, validation, size.
    expect(statuses('post', '/api/v1/providers')).toEqual(['201', '400', '401', '403', '413', '415', '422']);
    // A get by id: auth (and a session with no project open, 400 no_project) and not found.
    expect(statuses('get', '/api/v1/campaigns/{id}')).toEqual(['200', '400', '401', '403', '404']);
    // State changes: 409 for an illegal one, as PRODUCT §4.2 says.
    for (const action of ['publish', 'pause', 'resume', 'stop', 'clone']) {
      expect(statuses('post', `/api/v1/campaigns/{id}/${action}`), action).toContain('409');
    }
    expect(statuses('patch', '/api/v1/campaigns/{id}')).toContain('409');
    // Limited endpoints: 429.
    expect(statuses('post', '/api/v1/auth/login')).toEqual(['200', '400', '401', '413', '415', '422', '429']);
    expect(statuses('post', '/api/v1/campaigns/send-test')).toContain('429');
    expect(statuses('post', '/api/v1/providers/{id}/test')).toContain('429');
    // The message log (PRODUCT §4.2) gives its entries' shape, not just "200".
    const log = doc.paths['/api/v1/campaigns/{id}/messages'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(log.properties)).toEqual(['items', 'nextCursor']);
    expect(log.properties.items.items.required).toEqual(expect.arrayContaining(['id', 'status', 'phone', 'sentAt', 'repliedAt', 'convertedAt']));
    // Public health check: no auth errors. Metrics: no or wrong credentials, or not an admin.
    expect(statuses('get', '/healthz')).toEqual(['200', '503']);
    expect(statuses('get', '/metrics')).toEqual(['200', '401', '403']);
    expect(doc.paths['/metrics'].get.responses['401'].description).toContain('WACAST_METRICS_TOKEN');
    const notFound = doc.paths['/api/v1/campaigns/{id}'].get.responses['404'];
    expect(notFound.description).toMatch(/not_found/);
    const schema = notFound.content['application/json'].schema;
    expect(schema.required).toEqual(['error']);
    expect(schema.properties.error.required).toEqual(['code', 'message']);

    // What the document says matches what the API answers.
    const headers = { 'x-wacast-account-id': project.accountId, 'x-wacast-passcode': project.passcode };
    const missing = await ctx.app.inject({ method: 'GET', url: '/api/v1/campaigns/nope', headers });
    expect(missing.statusCode).toBe(404);
    expect(Object.keys(json(missing).error).sort()).toEqual(['code', 'message']);
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/api/v1/campaigns/nope' });
    expect(anonymous.statusCode).toBe(401);
    const wrongType = await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: { ...headers, 'content-type': 'text/plain' }, payload: 'x' });
    expect(wrongType.statusCode).toBe(415);
  });

  it('describes the event streams as text/event-stream and /metrics as Prometheus text, as they answer', async () => {
    const doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    // Every stream the code opens is documented as one (found by summary, as the dashboard's pages use them).
    const streams = Object.entries(doc.paths as Record<string, Record<string, { summary?: string; responses: Record<string, any> }>>)
      .filter(([, operations]) => operations.get?.summary?.startsWith('Server-sent events'))
      .map(([path]) => path)
      .sort();
    expect(streams).toEqual(['/api/v1/campaigns/{id}/events', '/api/v1/inbox/events']);
    for (const [path, event] of [
      ['/api/v1/campaigns/{id}/events', 'campaign'],
      ['/api/v1/inbox/events', 'conversations'],
    ] as const) {
      const ok = doc.paths[path].get.responses['200'];
      expect(Object.keys(ok.content), path).toEqual(['text/event-stream']);
      expect(ok.content['text/event-stream'].schema.type, path).toBe('string');
      expect(ok.content['text/event-stream'].schema.examples[0], path).toContain(`event: ${event}\ndata: {`);
      expect(ok.description, path).toContain(`\`event: ${event}\``);
      expect(ok.description, path).toContain(': keep-alive');
      // Refusals before the stream opens are JSON, in the error shape.
      expect(doc.paths[path].get.responses['401'].content['application/json'].schema.required, path).toEqual(['error']);
    }
    expect(doc.paths['/api/v1/inbox/events'].get.responses['200'].description).toContain('{"all": true}');

    // /metrics: the content type it is served with, and every metric family it serves, by name.
    const response = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    const served = [...new Set([...response.body.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!))];
    expect(served.length).toBeGreaterThan(5);
    const metrics = doc.paths['/metrics'].get.responses['200'];
    expect(Object.keys(metrics.content)).toEqual([response.headers['content-type']]);
    expect(String(response.headers['content-type'])).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.content[String(response.headers['content-type'])].schema.type).toBe('string');
    for (const name of served) expect(metrics.description, name).toContain(`\`${name}\``);
    expect(metrics.description).toContain('# HELP');
  });

  it('sends the security headers on API answers, 404s and dashboard pages, but not on provider callbacks', async () => {
    for (const url of ['/api/v1/auth/me', '/api/v1/nothing-here', '/healthz']) {
      const response = await ctx.app.inject({ method: 'GET', url });
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['referrer-policy'], url).toBe('no-referrer');
    }
    if (existsSync(fileURLToPath(new URL('../../dist/web/index.html', import.meta.url)))) {
      const page = await ctx.app.inject({ method: 'GET', url: '/campaigns', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(page.headers['x-frame-options']).toBe('DENY');
    }
    // Callbacks skip the site's hooks (cookies, sessions, headers): their answers stay bare.
    const callback = await ctx.app.inject({ method: 'POST', url: '/hooks/gupshup/not-a-token/delivery', payload: 'x', headers: { 'content-type': 'text/plain' } });
    expect(callback.statusCode).toBe(404);
    expect(json(callback).error.code).toBe('not_found');
    expect(callback.headers['x-content-type-options']).toBeUndefined();
  });
});
