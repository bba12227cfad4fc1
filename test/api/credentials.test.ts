/**
 * Who manages a project's API credentials (Settings → API credentials): instance admins only.
 * Credentials are project-wide and outlive a membership, so a member who could mint them would
 * keep the project after an admin took it away. Members hear 403; users who cannot open the
 * project hear what a project that does not exist answers (404); API credentials cannot manage
 * credentials at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject, type TestSession } from '../helpers/context.js';

const MISSING_PROJECT = '0190aaaa-0000-7000-8000-000000000000';

describe.each(testEngines())('API credentials management ($name)', (engine) => {
  let ctx: TestContext;
  let a: TestProject;
  let b: TestProject;
  let admin: TestSession;
  const list = (projectId: string, headers: Record<string, string>) => ctx.app.inject({ method: 'GET', url: `/api/v1/projects/${projectId}/credentials`, headers });
  const create = (projectId: string, headers: Record<string, string>, label = 'crm') =>
    ctx.app.inject({ method: 'POST', url: `/api/v1/projects/${projectId}/credentials`, headers, payload: { label } });
  const revoke = (projectId: string, id: string, headers: Record<string, string>) => ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${projectId}/credentials/${id}`, headers });
  const rowsOf = (projectId: string) => ctx.db.kysely.selectFrom('api_credentials').select(['id', 'label']).where('project_id', '=', projectId).orderBy('id').execute();

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    a = await ctx.createProject('A');
    b = await ctx.createProject('B');
    admin = await ctx.createSession({ isAdmin: true });
  });
  afterAll(() => ctx?.close());

  it('lets an instance admin list, create and revoke credentials of any project, member or not', async () => {
    const created = await create(a.projectId, admin.headers, 'warehouse');
    expect(created.statusCode).toBe(201);
    const { id, accountId, passcode } = json(created) as { id: string; accountId: string; passcode: string };
    const listed = await list(a.projectId, admin.headers);
    expect(listed.statusCode).toBe(200);
    expect(json(listed).items.map((item: { label: string }) => item.label)).toEqual(['default', 'warehouse']);
    const use = () => ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: { 'x-wacast-account-id': accountId, 'x-wacast-passcode': passcode } });
    expect((await use()).statusCode).toBe(200);
    expect((await revoke(a.projectId, id, admin.headers)).statusCode).toBe(204);
    expect((await use()).statusCode).toBe(401);
  });

  it('refuses a member who is not an instance admin with 403 on all three routes, and changes nothing', async () => {
    const member = await ctx.createSession({ projectIds: [a.projectId] });
    const before = await rowsOf(a.projectId);
    const defaultId = before.find((row) => row.label === 'default')!.id;

    for (const [what, response] of [
      ['list', await list(a.projectId, member.headers)],
      ['create', await create(a.projectId, member.headers)],
      ['revoke', await revoke(a.projectId, defaultId, member.headers)],
    ] as const) {
      expect(response.statusCode, what).toBe(403);
      expect(json(response).error, what).toEqual({ code: 'forbidden', message: "Only instance admins can see, create and revoke a project's API credentials." });
    }
    // Revoking a credential that does not exist is refused the same way: a member learns nothing about ids.
    expect((await revoke(a.projectId, MISSING_PROJECT, member.headers)).statusCode).toBe(403);
    expect(await rowsOf(a.projectId)).toEqual(before);
    // The project's own credentials still work.
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: a.headers })).statusCode).toBe(200);
    // The member still opens the project's data: only credentials are refused.
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: { ...member.headers, 'x-wacast-project-id': a.projectId } })).statusCode).toBe(200);
  });

  it('answers a user who cannot open the project 404, exactly as for a project that does not exist', async () => {
    const outsider = await ctx.createSession({ projectIds: [b.projectId] });
    const defaultId = (await rowsOf(a.projectId)).find((row) => row.label === 'default')!.id;
    const before = await rowsOf(a.projectId);
    for (const [what, existing, missing] of [
      ['list', await list(a.projectId, outsider.headers), await list(MISSING_PROJECT, outsider.headers)],
      ['create', await create(a.projectId, outsider.headers), await create(MISSING_PROJECT, outsider.headers)],
      ['revoke', await revoke(a.projectId, defaultId, outsider.headers), await revoke(MISSING_PROJECT, defaultId, outsider.headers)],
    ] as const) {
      expect(existing.statusCode, what).toBe(404);
      expect(json(existing).error.code, what).toBe('not_found');
      expect(missing.statusCode, what).toBe(404);
      expect(json(existing).error.message.replace(a.projectId, 'ID'), what).toBe(json(missing).error.message.replace(MISSING_PROJECT, 'ID'));
    }
    expect(await rowsOf(a.projectId)).toEqual(before);
  });

  it('refuses before reading the body: a bad body tells an outsider 404 and a member 403, not what is wrong with it', async () => {
    const outsider = await ctx.createSession({ projectIds: [b.projectId] });
    const member = await ctx.createSession({ projectIds: [a.projectId] });
    const send = (headers: Record<string, string>, payload: string) =>
      ctx.app.inject({ method: 'POST', url: `/api/v1/projects/${a.projectId}/credentials`, headers: { ...headers, 'content-type': 'application/json' }, payload });
    // What an admin hears about each body: a wrong field 422, unreadable JSON 400.
    for (const [body, adminStatus] of [['{"label": 42}', 422], ['{"label": ', 400], ['{"label": "' + 'x'.repeat(500) + '"}', 422]] as const) {
      expect((await send(outsider.headers, body)).statusCode, body).toBe(404);
      expect((await send(member.headers, body)).statusCode, body).toBe(403);
      expect((await send(admin.headers, body)).statusCode, body).toBe(adminStatus);
    }
  });

  it('is for dashboard sessions: API credentials (even an admin-issued one) 403, no session 401, no CSRF token 403', async () => {
    const defaultId = (await rowsOf(a.projectId)).find((row) => row.label === 'default')!.id;
    expect((await list(a.projectId, a.headers)).statusCode).toBe(403);
    expect((await create(a.projectId, a.headers)).statusCode).toBe(403);
    expect((await revoke(a.projectId, defaultId, a.headers)).statusCode).toBe(403);
    expect((await list(a.projectId, {})).statusCode).toBe(401);
    const noCsrf = await create(a.projectId, { cookie: admin.cookie });
    expect([noCsrf.statusCode, json(noCsrf).error.code]).toEqual([403, 'csrf_failed']);
  });

  it('a member removed from the project by an admin cannot have minted credentials to keep it', async () => {
    const member = await ctx.createSession({ projectIds: [a.projectId] });
    expect((await create(a.projectId, member.headers, 'mine')).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${a.projectId}/members/${member.userId}`, headers: admin.headers })).statusCode).toBe(204);
    expect((await rowsOf(a.projectId)).map((row) => row.label)).not.toContain('mine');
    // Now an outsider: 404, as for any project they cannot open.
    expect((await create(a.projectId, member.headers, 'mine')).statusCode).toBe(404);
  });

  it('documents the three routes as for instance admins, with their 403 and 404', async () => {
    const doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    const operation = (method: string, path: string) => doc.paths[path][method];
    for (const [method, path] of [
      ['get', '/api/v1/projects/{projectId}/credentials'],
      ['post', '/api/v1/projects/{projectId}/credentials'],
      ['delete', '/api/v1/projects/{projectId}/credentials/{id}'],
    ] as const) {
      expect(operation(method, path).summary, `${method} ${path}`).toContain('instance admins');
      expect(Object.keys(operation(method, path).responses), `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403', '404']));
    }
  });
});
