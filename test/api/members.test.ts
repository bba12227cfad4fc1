/**
 * Project members (Settings → Members): instance admins list who can open a project, give an
 * existing user the project by email and take it away again; the change holds from the next
 * request on. Members who are not admins, API credentials and other projects see nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject, type TestSession } from '../helpers/context.js';

describe.each(testEngines())('project members ($name)', (engine) => {
  let ctx: TestContext;
  let a: TestProject;
  let b: TestProject;
  let admin: TestSession;
  const emailOf = async (userId: string) => (await ctx.db.kysely.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow()).email;
  const members = (projectId: string, headers: Record<string, string>) => ctx.app.inject({ method: 'GET', url: `/api/v1/projects/${projectId}/members`, headers });

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    a = await ctx.createProject('A');
    b = await ctx.createProject('B');
    admin = await ctx.createSession({ isAdmin: true });
  });
  afterAll(() => ctx?.close());

  it('adds an existing user by email, lists them, and removes them; the user opens the project only meanwhile', async () => {
    const ana = await ctx.createSession({ projectIds: [b.projectId] });
    const anaEmail = await emailOf(ana.userId);
    const openA = () => ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: { ...ana.headers, 'x-wacast-project-id': a.projectId } });
    expect((await openA()).statusCode).toBe(403);

    // The admin is listed (opens every project) though never given A; Ana is not.
    const before = json(await members(a.projectId, admin.headers));
    expect(before).toEqual({ items: [{ id: admin.userId, email: await emailOf(admin.userId), isAdmin: true, memberSince: null }], nextCursor: null });

    const added = await ctx.app.inject({ method: 'POST', url: `/api/v1/projects/${a.projectId}/members`, headers: admin.headers, payload: { email: `  ${anaEmail.toUpperCase()} ` } });
    expect(added.statusCode).toBe(201);
    expect(json(added)).toEqual({ id: ana.userId, email: anaEmail, isAdmin: false, memberSince: expect.any(Number) });
    expect(json(await members(a.projectId, admin.headers)).items.map((member: { email: string }) => member.email)).toContain(anaEmail);
    expect((await openA()).statusCode).toBe(200);
    expect(json(await ctx.app.inject({ method: 'GET', url: '/api/v1/projects', headers: ana.headers })).items.map((project: { id: string }) => project.id).sort()).toEqual(
      [a.projectId, b.projectId].sort(),
    );

    // Twice is a conflict, and so is an instance admin (who already opens every project).
    const again = await ctx.app.inject({ method: 'POST', url: `/api/v1/projects/${a.projectId}/members`, headers: admin.headers, payload: { email: anaEmail } });
    expect([again.statusCode, json(again).error.code]).toEqual([409, 'already_member']);
    const adminAgain = await ctx.app.inject({ method: 'POST', url: `/api/v1/projects/${a.projectId}/members`, headers: admin.headers, payload: { email: await emailOf(admin.userId) } });
    expect([adminAgain.statusCode, json(adminAgain).error.code]).toEqual([409, 'already_member']);

    const removed = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${a.projectId}/members/${ana.userId}`, headers: admin.headers });
    expect(removed.statusCode).toBe(204);
    expect((await openA()).statusCode).toBe(403);
    expect(json(await members(a.projectId, admin.headers)).items.map((member: { id: string }) => member.id)).not.toContain(ana.userId);
    // B, which she was given apart, is untouched.
    expect(json(await members(b.projectId, admin.headers)).items.map((member: { id: string }) => member.id)).toContain(ana.userId);
    const twice = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${a.projectId}/members/${ana.userId}`, headers: admin.headers });
    expect([twice.statusCode, json(twice).error.code]).toEqual([404, 'not_found']);
  });

  it('a session with the removed project selected falls back to another project at once', async () => {
    const ben = await ctx.createSession({ projectIds: [a.projectId, b.projectId] });
    expect(json(await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: ben.headers })).currentProjectId).toBe(a.projectId);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${a.projectId}/members/${ben.userId}`, headers: admin.headers })).statusCode).toBe(204);
    expect(json(await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: ben.headers })).currentProjectId).toBe(b.projectId);
  });

  it('refuses an unknown email next to the field, and taking a project from an instance admin', async () => {
    const unknown = await ctx.app.inject({ method: 'POST', url: `/api/v1/projects/${a.projectId}/members`, headers: admin.headers, payload: { email: 'nobody@example.com' } });
    expect(unknown.statusCode).toBe(422);
    expect(json(unknown).error).toMatchObject({ code: 'validation_failed', details: [{ path: 'email', message: expect.stringContaining('no user has the email nobody@example.com') }] });
    const empty = await ctx.app.inject({ method: 'POST', url: `/api/v1/projects/${a.projectId}/members`, headers: admin.headers, payload: { email: ' ' } });
    expect(empty.statusCode).toBe(422);

    // Admins open every project whatever their memberships: removing one would lock nobody out
    // but would not do what it says either, so it is refused, and the admin keeps the project.
    const other = await ctx.createSession({ isAdmin: true, projectIds: [a.projectId] });
    const refused = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${a.projectId}/members/${other.userId}`, headers: admin.headers });
    expect([refused.statusCode, json(refused).error.code]).toEqual([409, 'instance_admin']);
    const self = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${a.projectId}/members/${admin.userId}`, headers: admin.headers });
    expect([self.statusCode, json(self).error.code]).toEqual([409, 'instance_admin']);
    expect(json(await members(a.projectId, admin.headers)).items.find((member: { id: string }) => member.id === other.userId)).toMatchObject({ isAdmin: true, memberSince: expect.any(Number) });
    const nobody = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${a.projectId}/members/0190aaaa-0000-7000-8000-000000000000`, headers: admin.headers });
    expect(nobody.statusCode).toBe(404);
  });

  it('is for instance admins with a session only: members 403, non-members and other projects 404, API credentials 403, no CSRF token 403', async () => {
    const member = await ctx.createSession({ projectIds: [a.projectId] });
    const outsider = await ctx.createSession({ projectIds: [b.projectId] });
    const memberEmail = await emailOf(member.userId);
    expect((await members(a.projectId, member.headers)).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/projects/${a.projectId}/members`, headers: member.headers, payload: { email: memberEmail } })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${a.projectId}/members/${member.userId}`, headers: member.headers })).statusCode).toBe(403);
    // Someone who cannot open A hears what a missing project answers.
    expect((await members(a.projectId, outsider.headers)).statusCode).toBe(404);
    // Refused before the body is read: a bad one tells an outsider 404 and a member 403, not what is wrong with it.
    const badBody = (headers: Record<string, string>) => ctx.app.inject({ method: 'POST', url: `/api/v1/projects/${a.projectId}/members`, headers, payload: { email: 42, extra: true } });
    expect((await badBody(outsider.headers)).statusCode).toBe(404);
    expect((await badBody(member.headers)).statusCode).toBe(403);
    expect((await members('0190aaaa-0000-7000-8000-000000000000', outsider.headers)).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${a.projectId}/members/${member.userId}`, headers: outsider.headers })).statusCode).toBe(404);
    // A's member is not B's: removing them through B's path finds nobody and changes nothing.
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${b.projectId}/members/${member.userId}`, headers: admin.headers })).statusCode).toBe(404);
    expect(json(await members(b.projectId, admin.headers)).items.map((row: { id: string }) => row.id)).not.toContain(member.userId);
    expect(json(await members(a.projectId, admin.headers)).items.map((row: { id: string }) => row.id)).toContain(member.userId);
    // API credentials cannot manage users, even their own project's.
    expect((await members(a.projectId, a.headers)).statusCode).toBe(403);
    // A cookie without the CSRF token cannot change anything.
    const noCsrf = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/projects/${a.projectId}/members/${member.userId}`, headers: { cookie: admin.cookie } });
    expect([noCsrf.statusCode, json(noCsrf).error.code]).toEqual([403, 'csrf_failed']);
    expect(json(await members(a.projectId, admin.headers)).items.map((row: { id: string }) => row.id)).toContain(member.userId);
  });

  it('documents the three routes with their error answers', async () => {
    const doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    const statuses = (method: string, path: string) => Object.keys(doc.paths[path][method].responses).sort();
    expect(statuses('get', '/api/v1/projects/{projectId}/members')).toEqual(['200', '401', '403', '404']);
    expect(statuses('post', '/api/v1/projects/{projectId}/members')).toEqual(['201', '400', '401', '403', '404', '409', '413', '415', '422']);
    expect(statuses('delete', '/api/v1/projects/{projectId}/members/{userId}')).toEqual(['204', '401', '403', '404', '409']);
  });
});
