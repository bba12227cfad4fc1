import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as argon2 from '@node-rs/argon2';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext } from '../helpers/context.js';
import { issueSetupToken } from '../../src/auth/setup-token.js';
import { createTemplateRow, seedCampaign } from '../helpers/campaign-seed.js';
import { createCallbackAccount } from '../helpers/callbacks.js';

// Counts password verifications (the real ones run).
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('@node-rs/argon2')>();
  return { ...real, verify: vi.fn(real.verify) };
});

function cookieFrom(response: { headers: Record<string, unknown> }): { value: string; attributes: string } {
  const raw = response.headers['set-cookie'];
  const line = (Array.isArray(raw) ? raw[0] : raw) as string;
  return { value: line.split(';')[0]!, attributes: line };
}

describe.each(testEngines())('dashboard auth ($name)', (engine) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext(engine);
  });
  afterAll(() => ctx?.close());

  it('creates the first admin only with the one-time setup token, then logs them in', async () => {
    expect(json(await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/state' }))).toEqual({ needsSetup: true });
    const token = await issueSetupToken(ctx.db);
    const wrong = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { token: 'guess', email: 'admin@example.com', password: 'long enough password' } });
    expect(wrong.statusCode).toBe(403);
    const weak = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { token, email: 'not-an-email', password: 'short' } });
    expect(weak.statusCode).toBe(422);
    expect(json(weak).error.details.map((problem: { path: string }) => problem.path).sort()).toEqual(['email', 'password']);

    const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { token, email: 'Admin@Example.com', password: 'long enough password' } });
    expect(response.statusCode).toBe(201);
    const body = json(response);
    expect(body.user).toMatchObject({ email: 'admin@example.com', isAdmin: true });
    expect(body.projects).toHaveLength(1);
    const cookie = cookieFrom(response);
    expect(cookie.attributes).toMatch(/HttpOnly/i);
    expect(cookie.attributes).toMatch(/SameSite=Lax/i);
    expect(cookie.attributes).toMatch(/Path=\//);

    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: cookie.value } });
    expect(json(me).user.email).toBe('admin@example.com');

    const reuse = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/setup', payload: { token, email: 'second@example.com', password: 'long enough password' } });
    expect(reuse.statusCode).toBe(409);
    expect(json(await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/state' }))).toEqual({ needsSetup: false });
  });

  it('never stores the session token itself', async () => {
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'admin@example.com', password: 'long enough password' } });
    expect(login.statusCode).toBe(200);
    const token = cookieFrom(login).value.split('=')[1]!;
    const rows = await ctx.db.kysely.selectFrom('sessions').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('requires the CSRF token on state-changing requests made with the cookie', async () => {
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'admin@example.com', password: 'long enough password' } });
    const cookie = cookieFrom(login).value;
    const csrf = json(login).csrfToken as string;
    const without = await ctx.app.inject({ method: 'POST', url: '/api/v1/projects', headers: { cookie }, payload: { name: 'Second' } });
    expect(without.statusCode).toBe(403);
    expect(json(without).error.code).toBe('csrf_failed');
    const wrong = await ctx.app.inject({ method: 'POST', url: '/api/v1/projects', headers: { cookie, 'x-csrf-token': 'x'.repeat(32) }, payload: { name: 'Second' } });
    expect(wrong.statusCode).toBe(403);
    const ok = await ctx.app.inject({ method: 'POST', url: '/api/v1/projects', headers: { cookie, 'x-csrf-token': csrf }, payload: { name: 'Second' } });
    expect(ok.statusCode).toBe(201);
    // Reads need no CSRF token.
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/projects', headers: { cookie } })).statusCode).toBe(200);
  });

  it('ends the session on logout', async () => {
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'admin@example.com', password: 'long enough password' } });
    const cookie = cookieFrom(login).value;
    const csrf = json(login).csrfToken as string;
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie, 'x-csrf-token': csrf } })).statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('refuses an expired session', async () => {
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'admin@example.com', password: 'long enough password' } });
    const cookie = cookieFrom(login).value;
    await ctx.db.kysely.updateTable('sessions').set({ expires_at: Date.now() - 1 }).execute();
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('slows down password guessing', async () => {
    const attempt = () => ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '203.0.113.9', payload: { email: 'victim@example.com', password: 'guess-guess-guess' } });
    for (let i = 0; i < 10; i++) expect((await attempt()).statusCode).toBe(401);
    const blocked = await attempt();
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(json(blocked).error.code).toBe('too_many_requests');
  });

  it('counts failed logins by the connecting address: X-Forwarded-For from a public client is not believed', async () => {
    // Only a proxy on this machine or a private network may name the client; anyone else could
    // send a new X-Forwarded-For with each guess and never reach the per-address limit.
    const attempt = (i: number) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '198.51.100.7',
        headers: { 'x-forwarded-for': `192.0.2.${i}` },
        payload: { email: `spray${i}@example.com`, password: 'Summer2026!!' },
      });
    for (let i = 0; i < 10; i++) expect((await attempt(i)).statusCode).toBe(401);
    expect((await attempt(10)).statusCode).toBe(429);

    // Behind a reverse proxy on a private network, the address it reports is the client's.
    const proxied = (client: string) =>
      ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '10.0.0.2',
        headers: { 'x-forwarded-for': client },
        payload: { email: 'proxied@example.com', password: 'wrong password' },
      });
    expect((await proxied('198.51.100.7')).statusCode).toBe(429);
    expect((await proxied('198.51.100.8')).statusCode).toBe(401);
  });

  it('does not let a successful login clear the failures counted for its address', async () => {
    // An attacker with an account of their own would otherwise log in after every 9 guesses at
    // other people's passwords, and guess without limit from one address.
    const from = '198.51.100.20';
    const guess = (i: number) =>
      ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: from, payload: { email: `other${i}@example.com`, password: 'Winter2026!!' } });
    for (let i = 0; i < 9; i++) expect((await guess(i)).statusCode).toBe(401);
    const own = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: from, payload: { email: 'admin@example.com', password: 'long enough password' } });
    expect(own.statusCode).toBe(200);
    expect((await guess(9)).statusCode).toBe(401);
    expect((await guess(10)).statusCode).toBe(429);
  });

  it('verifies a password for an unknown email as for a known one, so timing does not reveal accounts', async () => {
    const verify = vi.mocked(argon2.verify);
    const login = (email: string) => ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '198.51.100.30', payload: { email, password: 'not the password' } });
    verify.mockClear();
    const unknown = await login('nobody-here@example.com');
    expect(verify).toHaveBeenCalledTimes(1);
    verify.mockClear();
    const wrong = await login('admin@example.com');
    expect(verify).toHaveBeenCalledTimes(1);
    expect(unknown.statusCode).toBe(401);
    expect(json(unknown)).toEqual(json(wrong));
  });

  it('ends the session\'s live streams on logout', async () => {
    const project = await ctx.createProject('streams');
    const member = await ctx.createSession({ projectIds: [project.projectId] });
    const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const providerId = (await createCallbackAccount(ctx, project, 'gupshup')).id;
    const templateId = await createTemplateRow(ctx.db, project.projectId, providerId);
    const { campaignId } = await seedCampaign(ctx.db, { projectId: project.projectId, providerId, templateId, messages: [] });
    const controller = new AbortController();
    try {
      const readers = [];
      for (const path of ['/api/v1/inbox/events', `/api/v1/campaigns/${campaignId}/events`]) {
        const response = await fetch(`${address}${path}`, { headers: { cookie: member.cookie }, signal: controller.signal });
        expect(response.status, path).toBe(200);
        const reader = response.body!.getReader();
        expect(new TextDecoder().decode((await reader.read()).value)).toContain(': connected');
        readers.push(reader);
      }
      expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: member.headers })).statusCode).toBe(204);
      // A stream that went on after logout would leave this read waiting for the next heartbeat.
      const endOf = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
        for (;;) if ((await reader.read()).done) return true;
      };
      const ended = await Promise.race([Promise.all(readers.map(endOf)), new Promise((resolve) => setTimeout(() => resolve('still open'), 3000))]);
      expect(ended).toEqual([true, true]);
    } finally {
      controller.abort();
    }
  });

  it('ends the live streams opened with API credentials when they are revoked', async () => {
    const admin = await ctx.createSession({ isAdmin: true });
    const project = await ctx.createProject('stream-revoke');
    const providerId = (await createCallbackAccount(ctx, project, 'gupshup')).id;
    const templateId = await createTemplateRow(ctx.db, project.projectId, providerId);
    const { campaignId } = await seedCampaign(ctx.db, { projectId: project.projectId, providerId, templateId, messages: [] });
    const leaked = json(await ctx.app.inject({ method: 'POST', url: `/api/v1/projects/${project.projectId}/credentials`, headers: admin.headers, payload: { label: 'leaked' } })) as {
      id: string;
      accountId: string;
      passcode: string;
    };
    const bound = ctx.app.server.address();
    const address = bound && typeof bound === 'object' ? `http://127.0.0.1:${bound.port}` : await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    try {
      const readers = [];
      for (const path of ['/api/v1/inbox/events', `/api/v1/campaigns/${campaignId}/events`]) {
        const response = await fetch(`${address}${path}`, {
          headers: { 'x-wacast-account-id': leaked.accountId, 'x-wacast-passcode': leaked.passcode },
          signal: controller.signal,
        });
        expect(response.status, path).toBe(200);
        const reader = response.body!.getReader();
        expect(new TextDecoder().decode((await reader.read()).value)).toContain(': connected');
        readers.push(reader);
      }
      const revoked = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${project.projectId}/credentials/${leaked.id}`, headers: admin.headers });
      expect(revoked.statusCode).toBe(204);
      // A stream that outlived its credentials would go on reporting the project to whoever holds the leaked passcode.
      const endOf = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
        for (;;) if ((await reader.read()).done) return true;
      };
      const ended = await Promise.race([Promise.all(readers.map(endOf)), new Promise((resolve) => setTimeout(() => resolve('still open'), 3000))]);
      expect(ended).toEqual([true, true]);
    } finally {
      controller.abort();
    }
  });

  it('checks credentials before it reads a request body', async () => {
    // Bodies up to 10 MiB (uploads) are parsed and validated only for callers who may send them.
    const upload = (headers: Record<string, string>) =>
      ctx.app.inject({ method: 'POST', url: '/api/v1/upload', headers: { 'content-type': 'application/json', ...headers }, payload: '{"d": [' });
    const anonymous = await upload({});
    expect(anonymous.statusCode).toBe(401);
    expect(json(anonymous).error.code).toBe('unauthorized');
    const project = await ctx.createProject('bodies');
    expect((await upload({ 'x-wacast-account-id': project.accountId, 'x-wacast-passcode': 'wrong' })).statusCode).toBe(401);
    const member = await ctx.createSession({ projectIds: [project.projectId] });
    expect(json(await upload({ cookie: member.cookie })).error.code).toBe('csrf_failed');
    expect(json(await upload(project.headers)).error.code).toBe('invalid_json');
  });

  it('refuses login fields longer than any account can have, before counting them', async () => {
    // Each failed email is kept in memory for 15 minutes: 1 MiB emails would fill it quickly.
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '198.51.100.40',
      payload: { email: `${'a'.repeat(100_000)}@example.com`, password: 'p'.repeat(5000) },
    });
    expect(response.statusCode).toBe(422);
    expect(json(response).error.details.map((problem: { path: string }) => problem.path).sort()).toEqual(['email', 'password']);
  });

  it('lets members open only their projects, and admins every project', async () => {
    const a = await ctx.createProject('A');
    const b = await ctx.createProject('B');
    const member = await ctx.createSession({ projectIds: [a.projectId] });
    const projects = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/projects', headers: { cookie: member.cookie } }));
    expect(projects.items.map((project: { id: string }) => project.id)).toEqual([a.projectId]);
    const switchToB = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/project', headers: member.headers, payload: { projectId: b.projectId } });
    expect(switchToB.statusCode).toBe(404);
    const header = await ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: { cookie: member.cookie, 'x-wacast-project-id': b.projectId } });
    expect(header.statusCode).toBe(403);
    const credentials = await ctx.app.inject({ method: 'POST', url: `/api/v1/projects/${b.projectId}/credentials`, headers: member.headers, payload: {} });
    expect(credentials.statusCode).toBe(404);
    const admin = await ctx.createSession({ isAdmin: true });
    const all = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/projects', headers: { cookie: admin.cookie } }));
    expect(all.items.map((project: { id: string }) => project.id)).toEqual(expect.arrayContaining([a.projectId, b.projectId]));
    const notAdmin = await ctx.app.inject({ method: 'POST', url: '/api/v1/projects', headers: member.headers, payload: { name: 'C' } });
    expect(notAdmin.statusCode).toBe(403);
  });

  it('issues project API credentials whose passcode is shown once and stored hashed', async () => {
    const admin = await ctx.createSession({ isAdmin: true });
    const project = await ctx.createProject('creds');
    const response = await ctx.app.inject({ method: 'POST', url: `/api/v1/projects/${project.projectId}/credentials`, headers: admin.headers, payload: { label: 'crm' } });
    expect(response.statusCode).toBe(201);
    const { id, accountId, passcode } = json(response);
    expect(passcode.length).toBeGreaterThanOrEqual(26);
    const rows = await ctx.db.kysely.selectFrom('api_credentials').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(passcode);
    const listed = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/projects/${project.projectId}/credentials`, headers: { cookie: admin.cookie } }));
    expect(JSON.stringify(listed)).not.toContain(passcode);
    // The create answers the listed resource itself, plus the passcode this once.
    const { passcode: _shownOnce, ...resource } = json(response);
    expect(listed.items.find((item: { id: string }) => item.id === id)).toEqual(resource);
    expect(resource).toMatchObject({ accountId, label: 'crm', lastUsedAt: null });
    const use = await ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: { 'x-wacast-account-id': accountId, 'x-wacast-passcode': passcode } });
    expect(use.statusCode).toBe(200);
    const wrong = await ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: { 'x-wacast-account-id': accountId, 'x-wacast-passcode': passcode + 'x' } });
    expect(wrong.statusCode).toBe(401);
  });

  it('revokes API credentials: refused from the next request on, other credentials and projects untouched', async () => {
    const admin = await ctx.createSession({ isAdmin: true });
    const project = await ctx.createProject('revoke');
    const other = await ctx.createProject('revoke-other');
    const issue = async (projectId: string, label: string) =>
      json(await ctx.app.inject({ method: 'POST', url: `/api/v1/projects/${projectId}/credentials`, headers: admin.headers, payload: { label } })) as { id: string; accountId: string; passcode: string };
    const leaked = await issue(project.projectId, 'leaked');
    const kept = await issue(project.projectId, 'kept');
    const elsewhere = await issue(other.projectId, 'elsewhere');
    const use = (credential: { accountId: string; passcode: string }) =>
      ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: { 'x-wacast-account-id': credential.accountId, 'x-wacast-passcode': credential.passcode } });
    expect((await use(leaked)).statusCode).toBe(200);

    // Another project's credential is not found through this project, and a member of one project cannot revoke in another.
    const crossed = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${project.projectId}/credentials/${elsewhere.id}`, headers: admin.headers });
    expect(crossed.statusCode).toBe(404);
    const member = await ctx.createSession({ projectIds: [other.projectId] });
    const notMine = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${project.projectId}/credentials/${leaked.id}`, headers: member.headers });
    expect(notMine.statusCode).toBe(404);
    // A session without its CSRF token cannot revoke.
    const noCsrf = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${project.projectId}/credentials/${leaked.id}`, headers: { cookie: admin.cookie } });
    expect(noCsrf.statusCode).toBe(403);

    const revoked = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${project.projectId}/credentials/${leaked.id}`, headers: admin.headers });
    expect(revoked.statusCode).toBe(204);
    expect((await use(leaked)).statusCode).toBe(401);
    expect((await use(kept)).statusCode).toBe(200);
    expect((await use(elsewhere)).statusCode).toBe(200);
    const listed = json(await ctx.app.inject({ method: 'GET', url: `/api/v1/projects/${project.projectId}/credentials`, headers: { cookie: admin.cookie } }));
    // The project's own first credentials ('default') and 'kept' remain.
    expect(listed.items.map((item: { label: string }) => item.label)).toEqual(['default', 'kept']);
    const again = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${project.projectId}/credentials/${leaked.id}`, headers: admin.headers });
    expect(again.statusCode).toBe(404);
    expect(json(again).error.code).toBe('not_found');
  });
});
