/**
 * Who reads GET /metrics (its series name provider account ids and count messages): with
 * WACAST_METRICS_TOKEN, the bearer of that token; without it, connections from the server itself
 * (the socket's loopback address: never X-Forwarded-For, and not a request a local proxy relays);
 * always an instance admin's dashboard session. Everyone else hears 401 (403 for a session that is
 * not an admin's) in the error shape, saying how to get access. /healthz stays public.
 * app.inject() connects from 127.0.0.1 unless `remoteAddress` says otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject, type TestSession } from '../helpers/context.js';

const REMOTE = '203.0.113.9';
const TOKEN = 'c0ffee'.repeat(8);

function expectRefused(response: LightMyRequestResponse, status: 401 | 403, why: string) {
  expect(response.statusCode, why).toBe(status);
  const { error } = json(response);
  expect(error.code, why).toBe(status === 401 ? 'unauthorized' : 'forbidden');
  // It says how to get access.
  expect(error.message, why).toContain('WACAST_METRICS_TOKEN');
  expect(error.message, why).toContain('Authorization: Bearer');
  expect(response.body, why).not.toContain('wacast_http_requests_total');
  if (status === 401) expect(response.headers['www-authenticate'], why).toBe('Bearer realm="wacast metrics"');
}

describe.each(testEngines())('/metrics access ($name)', (engine) => {
  describe('without WACAST_METRICS_TOKEN', () => {
    let ctx: TestContext;
    let project: TestProject;
    let admin: TestSession;
    let member: TestSession;
    const scrape = (options: { remoteAddress?: string; headers?: Record<string, string> } = {}) => ctx.app.inject({ method: 'GET', url: '/metrics', ...options });

    beforeAll(async () => {
      ctx = await openTestContext(engine);
      project = await ctx.createProject();
      admin = await ctx.createSession({ isAdmin: true });
      member = await ctx.createSession({ projectIds: [project.projectId] });
    });
    afterAll(() => ctx?.close());

    it('serves connections from the loopback address', async () => {
      for (const remoteAddress of [undefined, '127.0.0.1', '::1', '::ffff:127.0.0.1']) {
        const response = await scrape({ remoteAddress });
        expect(response.statusCode, String(remoteAddress)).toBe(200);
        expect(response.body).toContain('wacast_http_requests_total');
      }
    });

    it('refuses other addresses, whatever X-Forwarded-For says, and requests a local proxy relays', async () => {
      expectRefused(await scrape({ remoteAddress: REMOTE }), 401, 'remote');
      expectRefused(await scrape({ remoteAddress: '10.0.0.5' }), 401, 'private network');
      expectRefused(await scrape({ remoteAddress: REMOTE, headers: { 'x-forwarded-for': '127.0.0.1' } }), 401, 'remote claiming loopback');
      expectRefused(await scrape({ remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '127.0.0.1' } }), 401, 'trusted proxy relaying a loopback client');
      expectRefused(await scrape({ headers: { 'x-forwarded-for': REMOTE } }), 401, 'local proxy relaying a remote client');
      expectRefused(await scrape({ headers: { forwarded: `for=${REMOTE}` } }), 401, 'local proxy (Forwarded)');
      // A bearer token means nothing while the server has none.
      expectRefused(await scrape({ remoteAddress: REMOTE, headers: { authorization: `Bearer ${TOKEN}` } }), 401, 'bearer without a configured token');
      // Project API credentials are not metrics credentials.
      expectRefused(await scrape({ remoteAddress: REMOTE, headers: project.headers }), 401, 'API credentials');
    });

    it('serves an instance admin session from anywhere; refuses a member session with 403', async () => {
      const byAdmin = await scrape({ remoteAddress: REMOTE, headers: { cookie: admin.cookie } });
      expect(byAdmin.statusCode).toBe(200);
      expect(byAdmin.body).toContain('wacast_http_requests_total');
      expectRefused(await scrape({ remoteAddress: REMOTE, headers: { cookie: member.cookie } }), 403, 'member session');
      expectRefused(await scrape({ remoteAddress: REMOTE, headers: { cookie: 'wacast_session=not-a-session' } }), 401, 'unknown session');
    });

    it('keeps /healthz public', async () => {
      const health = await ctx.app.inject({ method: 'GET', url: '/healthz', remoteAddress: REMOTE });
      expect(health.statusCode).toBe(200);
    });
  });

  describe('with WACAST_METRICS_TOKEN', () => {
    let ctx: TestContext;
    let admin: TestSession;
    let member: TestSession;
    const scrape = (options: { remoteAddress?: string; headers?: Record<string, string> } = {}) => ctx.app.inject({ method: 'GET', url: '/metrics', ...options });

    beforeAll(async () => {
      ctx = await openTestContext(engine, { env: { WACAST_METRICS_TOKEN: TOKEN }, logLevel: 'debug' });
      const project = await ctx.createProject();
      admin = await ctx.createSession({ isAdmin: true });
      member = await ctx.createSession({ projectIds: [project.projectId] });
    });
    afterAll(() => ctx?.close());

    it('serves the bearer of the token, from anywhere', async () => {
      for (const authorization of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `Bearer  ${TOKEN} `]) {
        const response = await scrape({ remoteAddress: REMOTE, headers: { authorization } });
        expect(response.statusCode, authorization).toBe(200);
        expect(response.body).toContain('wacast_http_requests_total');
      }
    });

    it('refuses a wrong token and no token, also from the loopback address', async () => {
      expectRefused(await scrape({ remoteAddress: REMOTE, headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}x` } }), 401, 'wrong token, same length');
      expectRefused(await scrape({ remoteAddress: REMOTE, headers: { authorization: `Bearer ${TOKEN}x` } }), 401, 'wrong token, longer');
      expectRefused(await scrape({ remoteAddress: REMOTE, headers: { authorization: TOKEN } }), 401, 'no Bearer scheme');
      expectRefused(await scrape({ remoteAddress: REMOTE, headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } }), 401, 'basic auth');
      expectRefused(await scrape({ remoteAddress: REMOTE }), 401, 'remote, nothing');
      expectRefused(await scrape(), 401, 'loopback, nothing');
      expectRefused(await scrape({ remoteAddress: '::1' }), 401, 'loopback ::1, nothing');
    });

    it('serves an instance admin session; refuses a member session with 403', async () => {
      expect((await scrape({ remoteAddress: REMOTE, headers: { cookie: admin.cookie } })).statusCode).toBe(200);
      expectRefused(await scrape({ remoteAddress: REMOTE, headers: { cookie: member.cookie } }), 403, 'member session');
    });

    it('never writes the token to the logs, also at debug level where requests are logged', async () => {
      await scrape({ remoteAddress: REMOTE, headers: { authorization: `Bearer ${TOKEN}` } });
      await scrape({ remoteAddress: REMOTE, headers: { authorization: `Bearer ${TOKEN}-wrong` } });
      expect(ctx.logs.length).toBeGreaterThan(0);
      expect(ctx.logs.join('\n')).not.toContain(TOKEN);
    });

    it('keeps /healthz public', async () => {
      expect((await ctx.app.inject({ method: 'GET', url: '/healthz', remoteAddress: REMOTE })).statusCode).toBe(200);
    });
  });
});
