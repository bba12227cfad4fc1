/**
 * The OpenAPI document (/api/v1/openapi.json) against what the server does: who may call each
 * operation. Every operation of the document is called without credentials, with project API
 * credentials and with a dashboard session, and the answers are held against the document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject, type TestSession } from '../helpers/context.js';

type Operation = { security?: Array<Record<string, string[]>>; responses: Record<string, { content?: Record<string, unknown> }> };
type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

describe.each(testEngines())('the OpenAPI document ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let admin: TestSession;
  let operations: Array<{ method: Method; path: string; operation: Operation }>;
  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject();
    admin = await ctx.createSession({ isAdmin: true, projectIds: [project.projectId] });
    const doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
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

  it('matches what each operation answers without credentials, with API credentials and with a session', async () => {
    const mismatches: string[] = [];
    for (const { method, path, operation } of operations) {
      // Checked by the route itself, from the connection's address (test/api/metrics-access.test.ts).
      if (path === '/metrics') continue;
      const schemes = schemesOf(operation);
      const name = `${method} ${path}`;
      const anonymous = await call(method, path);
      if (schemes.length === 0 ? [401, 403].includes(anonymous.statusCode) : anonymous.statusCode !== 401) {
        mismatches.push(`${name} without credentials: ${anonymous.statusCode}, document: ${schemes.join(' | ') || 'public'}`);
      }
      if (schemes.length === 0) continue;
      // A stream answered would stay open: only its refusals are called.
      const streams = Object.keys(operation.responses['200']?.content ?? {}).includes('text/event-stream');
      if (!streams || !schemes.includes('accountId+passcode')) {
        const withKey = await call(method, path, project.headers);
        if (schemes.includes('accountId+passcode') ? [401, 403].includes(withKey.statusCode) : withKey.statusCode !== 403) {
          mismatches.push(`${name} with API credentials: ${withKey.statusCode}, document: ${schemes.join(' | ')}`);
        }
      }
      if (!streams) {
        // Logging out ends the session the other calls use.
        const session = path === '/api/v1/auth/logout' ? await ctx.createSession({ isAdmin: true }) : admin;
        const withSession = await call(method, path, session.headers);
        if ([401, 403].includes(withSession.statusCode)) mismatches.push(`${name} with an admin's session: ${withSession.statusCode} ${withSession.body}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
