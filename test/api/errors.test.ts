import { existsSync } from 'node:fs';
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

  it('refuses bodies over the limit with a 413', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.statusCode).toBe(413);
    expect(json(response).error.code).toBe('payload_too_large');
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
      ['get', '/healthz'],
      ['get', '/metrics'],
    ];
    const missing = contract.filter(([method, path]) => typeof doc.paths[path]?.[method]?.summary !== 'string' || doc.paths[path][method].summary.length === 0);
    expect(missing).toEqual([]);
    // Health and metrics need no credentials, and the document says so.
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.paths['/metrics'].get.security).toEqual([]);
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
