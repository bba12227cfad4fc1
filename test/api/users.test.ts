/**
 * Dashboard users managed by instance admins (Settings → Users) and a user's own password:
 * list, create, reset a password, make or unmake an admin, delete. A new password ends the
 * user's other sessions; a deleted user's cookie stops working; the instance never loses its
 * last admin. Members, API credentials and cookies without the CSRF token can do none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/databases.js';
import { json, openTestContext, type TestContext, type TestProject, type TestSession } from '../helpers/context.js';
import { interleave } from '../helpers/query-gate.js';

const PASSWORD = 'correct horse battery';

describe.each(testEngines())('dashboard users ($name)', (engine) => {
  let ctx: TestContext;
  let a: TestProject;
  let b: TestProject;
  let admin: TestSession;
  let address = 0;
  const emailOf = async (userId: string) => (await ctx.db.kysely.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow()).email;
  const me = (session: { headers: Record<string, string> }) => ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: session.headers });
  const users = (headers: Record<string, string>) => ctx.app.inject({ method: 'GET', url: '/api/v1/users', headers });
  const patch = (headers: Record<string, string>, id: string, payload: object) => ctx.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers, payload });
  const remove = (headers: Record<string, string>, id: string) => ctx.app.inject({ method: 'DELETE', url: `/api/v1/users/${id}`, headers });
  // Each login from its own address, so the login limiter of one test never blocks another.
  const login = (email: string, password: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: `198.51.100.${++address}`, payload: { email, password } });
  const sessionCount = async (userId: string) => (await ctx.db.kysely.selectFrom('sessions').select('id').where('user_id', '=', userId).execute()).length;

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    a = await ctx.createProject('A');
    b = await ctx.createProject('B');
    admin = await ctx.createSession({ isAdmin: true });
  });
  afterAll(() => ctx?.close());

  it('creates a user with projects and lists every user by email with their projects, never a password hash', async () => {
    const created = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin.headers,
      payload: { email: '  Zoe@Example.com ', password: PASSWORD, projectIds: [b.projectId, a.projectId] },
    });
    expect(created.statusCode).toBe(201);
    const zoe = json(created);
    expect(zoe).toEqual({ id: expect.any(String), email: 'zoe@example.com', isAdmin: false, createdAt: expect.any(Number), projects: [{ id: a.projectId, name: 'A' }, { id: b.projectId, name: 'B' }] });
    const amy = json(await ctx.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin.headers, payload: { email: 'amy@example.com', password: PASSWORD, isAdmin: true } }));
    expect(amy).toMatchObject({ email: 'amy@example.com', isAdmin: true, projects: [] });

    const list = await users(admin.headers);
    expect(list.statusCode).toBe(200);
    const body = json(list);
    expect(body.nextCursor).toBeNull();
    const emails = body.items.map((user: { email: string }) => user.email);
    expect(emails).toEqual([...emails].sort());
    expect(emails).toEqual(expect.arrayContaining(['amy@example.com', 'zoe@example.com', await emailOf(admin.userId)]));
    expect(body.items.find((user: { id: string }) => user.id === zoe.id)).toEqual(zoe);
    expect(list.body).not.toMatch(/argon2|password/i);
    // The new user logs in and opens what was given.
    expect((await login('zoe@example.com', PASSWORD)).statusCode).toBe(200);
  });

  it('refuses a bad email, a weak password, an unknown project and a taken email, naming the field, and creates nothing', async () => {
    const bad = await ctx.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin.headers, payload: { email: 'nope', password: 'short', projectIds: [a.projectId, 'no-such-project'] } });
    expect(bad.statusCode).toBe(422);
    expect(json(bad).error).toMatchObject({
      code: 'validation_failed',
      details: [
        { path: 'email', message: 'must be an email address such as ana@example.com' },
        { path: 'password', message: 'must be at least 10 characters' },
        { path: 'projectIds.1', message: 'no project has the id "no-such-project"' },
      ],
    });
    const unknownProject = await ctx.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin.headers, payload: { email: 'half@example.com', password: PASSWORD, projectIds: ['no-such-project'] } });
    expect(unknownProject.statusCode).toBe(422);
    expect(await ctx.db.kysely.selectFrom('users').select('id').where('email', '=', 'half@example.com').executeTakeFirst()).toBeUndefined();
    const extra = await ctx.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin.headers, payload: { email: 'x@example.com', password: PASSWORD, role: 'admin' } });
    expect(json(extra).error.details).toEqual([{ path: 'body', message: expect.stringContaining('unknown field(s): role') }]);
    const taken = await ctx.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin.headers, payload: { email: 'ZOE@example.com', password: PASSWORD } });
    expect(taken.statusCode).toBe(409);
    expect(json(taken).error).toEqual({ code: 'email_taken', message: 'A user with the email zoe@example.com already exists.', details: [{ path: 'email', message: 'zoe@example.com already has an account' }] });
  });

  it('answers two creates of the same email at once with one user and one 409 email_taken, never a 500', async () => {
    const create = () => ctx.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin.headers, payload: { email: 'twice@example.com', password: PASSWORD } });
    const answers = await Promise.all([create(), create()]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([201, 409]);
    expect(json(answers.find((answer) => answer.statusCode === 409)!).error).toMatchObject({ code: 'email_taken', details: [{ path: 'email', message: 'twice@example.com already has an account' }] });
    expect(await ctx.db.kysely.selectFrom('users').select('id').where('email', '=', 'twice@example.com').execute()).toHaveLength(1);
  });

  it("resets a user's password: the new one logs in, the old one does not, and the user's sessions end", async () => {
    const ben = await ctx.createSession({ projectIds: [a.projectId] });
    const benEmail = await emailOf(ben.userId);
    const second = json(await login(benEmail, PASSWORD));
    expect(second.user.email).toBe(benEmail);
    expect(await sessionCount(ben.userId)).toBe(2);

    const weak = await patch(admin.headers, ben.userId, { password: 'short' });
    expect([weak.statusCode, json(weak).error.details]).toEqual([422, [{ path: 'password', message: 'must be at least 10 characters' }]]);
    const long = await patch(admin.headers, ben.userId, { password: 'x'.repeat(257) });
    expect(json(long).error.details).toEqual([{ path: 'password', message: 'must be at most 256 characters' }]);
    const empty = await patch(admin.headers, ben.userId, {});
    expect([empty.statusCode, json(empty).error.details]).toEqual([422, [{ path: 'body', message: 'send password, isAdmin or both' }]]);
    expect((await me(ben)).statusCode).toBe(200);

    const reset = await patch(admin.headers, ben.userId, { password: 'a brand new password' });
    expect(reset.statusCode).toBe(200);
    expect(json(reset)).toMatchObject({ id: ben.userId, email: benEmail, isAdmin: false, projects: [{ id: a.projectId, name: 'A' }] });
    expect((await me(ben)).statusCode).toBe(401);
    expect(await sessionCount(ben.userId)).toBe(0);
    expect((await login(benEmail, PASSWORD)).statusCode).toBe(401);
    expect((await login(benEmail, 'a brand new password')).statusCode).toBe(200);
    // The admin who reset it is still logged in.
    expect((await me(admin)).statusCode).toBe(200);
  });

  it('makes a user an admin and takes it away again; refuses taking it from yourself', async () => {
    const cleo = await ctx.createSession({ projectIds: [a.projectId] });
    expect((await users(cleo.headers)).statusCode).toBe(403);
    const made = await patch(admin.headers, cleo.userId, { isAdmin: true });
    expect([made.statusCode, json(made).isAdmin]).toEqual([200, true]);
    // From her next request on, without logging in again.
    expect((await users(cleo.headers)).statusCode).toBe(200);
    expect(json(await me(cleo)).projects.map((project: { id: string }) => project.id)).toEqual(expect.arrayContaining([a.projectId, b.projectId]));

    const self = await patch(cleo.headers, cleo.userId, { isAdmin: false });
    expect([self.statusCode, json(self).error.code]).toEqual([409, 'cannot_demote_self']);
    expect(json(self).error.message).toMatch(/yourself/);
    const unmade = await patch(admin.headers, cleo.userId, { isAdmin: false });
    expect([unmade.statusCode, json(unmade).isAdmin]).toEqual([200, false]);
    expect((await users(cleo.headers)).statusCode).toBe(403);
    // She keeps the projects she was given, and only those.
    expect(json(await me(cleo)).projects.map((project: { id: string }) => project.id)).toEqual([a.projectId]);
    // Her session was not ended: only a new password does that.
    expect((await me(cleo)).statusCode).toBe(200);
    const missing = await patch(admin.headers, '0190aaaa-0000-7000-8000-000000000000', { isAdmin: true });
    expect([missing.statusCode, json(missing).error.code]).toEqual([404, 'not_found']);
  });

  it('an admin resetting their own password stays logged in here; their other sessions end', async () => {
    const dana = await ctx.createSession({ isAdmin: true });
    const other = await login(await emailOf(dana.userId), PASSWORD);
    const otherCookie = (other.headers['set-cookie'] as string).split(';')[0]!;
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: otherCookie } })).statusCode).toBe(200);
    expect((await patch(dana.headers, dana.userId, { password: 'dana new password' })).statusCode).toBe(200);
    expect((await me(dana)).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: otherCookie } })).statusCode).toBe(401);
  });

  it("deletes a user with their sessions and memberships: their cookie stops working, nothing else of theirs or others' changes", async () => {
    const eve = await ctx.createSession({ projectIds: [a.projectId, b.projectId] });
    const eveEmail = await emailOf(eve.userId);
    await login(eveEmail, PASSWORD);
    const membersOfA = async () => json(await ctx.app.inject({ method: 'GET', url: `/api/v1/projects/${a.projectId}/members`, headers: admin.headers })).items.map((m: { id: string }) => m.id);
    expect(await membersOfA()).toContain(eve.userId);
    const usersBefore = (await ctx.db.kysely.selectFrom('users').select('id').execute()).length;
    const credentialsBefore = await ctx.db.kysely.selectFrom('api_credentials').select('id').execute();

    const deleted = await remove(admin.headers, eve.userId);
    expect(deleted.statusCode).toBe(204);
    expect((await me(eve)).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: eve.headers })).statusCode).toBe(401);
    expect(await sessionCount(eve.userId)).toBe(0);
    expect(await ctx.db.kysely.selectFrom('project_members').select('project_id').where('user_id', '=', eve.userId).execute()).toEqual([]);
    expect(await membersOfA()).not.toContain(eve.userId);
    expect((await ctx.db.kysely.selectFrom('users').select('id').execute()).length).toBe(usersBefore - 1);
    // Projects and their API credentials stay.
    expect(await ctx.db.kysely.selectFrom('api_credentials').select('id').execute()).toEqual(credentialsBefore);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/providers', headers: a.headers })).statusCode).toBe(200);
    expect((await login(eveEmail, PASSWORD)).statusCode).toBe(401);
    // Her email is free again.
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/users', headers: admin.headers, payload: { email: eveEmail, password: PASSWORD } })).statusCode).toBe(201);

    const twice = await remove(admin.headers, eve.userId);
    expect([twice.statusCode, json(twice).error.code]).toEqual([404, 'not_found']);
    const self = await remove(admin.headers, admin.userId);
    expect([self.statusCode, json(self).error.code]).toEqual([409, 'cannot_delete_self']);
    expect((await me(admin)).statusCode).toBe(200);
  });

  it('ends the live streams of the sessions a password change or a deletion ends, at once', async () => {
    const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const openStream = async (session: TestSession) => {
      const response = await fetch(`${address}/api/v1/inbox/events`, { headers: { cookie: session.cookie }, signal: controller.signal });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain(': connected');
      return reader;
    };
    // A stream that went on would leave this read waiting for the next heartbeat (15 s).
    const ends = async (reader: ReadableStreamDefaultReader<Uint8Array>) =>
      Promise.race([
        (async () => {
          for (;;) if ((await reader.read()).done) return 'ended';
        })(),
        new Promise((resolve) => setTimeout(() => resolve('still open'), 3000)),
      ]);
    try {
      const reset = await ctx.createSession({ projectIds: [a.projectId] });
      const resetStream = await openStream(reset);
      expect((await patch(admin.headers, reset.userId, { password: 'streams end with this' })).statusCode).toBe(200);
      expect(await ends(resetStream)).toBe('ended');

      const removed = await ctx.createSession({ projectIds: [a.projectId] });
      const removedStream = await openStream(removed);
      expect((await remove(admin.headers, removed.userId)).statusCode).toBe(204);
      expect(await ends(removedStream)).toBe('ended');

      // Their own change: the other session's stream ends, this one's stays.
      const own = await ctx.createSession({ projectIds: [a.projectId] });
      const ownStream = await openStream(own);
      const otherLogin = await login(await emailOf(own.userId), PASSWORD);
      const otherCookie = (otherLogin.headers['set-cookie'] as string).split(';')[0]!;
      const otherStream = await openStream({ ...own, cookie: otherCookie });
      const changed = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: own.headers,
        payload: { currentPassword: PASSWORD, newPassword: 'my streams new password' },
      });
      expect(changed.statusCode).toBe(204);
      expect(await ends(otherStream)).toBe('ended');
      const stillOpen = await Promise.race([ownStream.read().then(() => 'read'), new Promise((resolve) => setTimeout(() => resolve('open'), 300))]);
      expect(stillOpen).toBe('open');
    } finally {
      controller.abort();
    }
  });

  it('never leaves the instance without an admin: two admins demoting or deleting each other, in every interleaving, one is refused', async () => {
    // A fresh instance of two admins only, for each interleaving: the second request runs while
    // the first is held after its n-th query (inside its transaction, with its locks, for some n).
    const solo = await openTestContext(engine);
    try {
      for (const action of ['demote', 'delete'] as const) {
        const codes = new Set<string>();
        for (let n = 1; ; n++) {
          await solo.db.kysely.deleteFrom('users').execute();
          const first = await solo.createSession({ isAdmin: true });
          const second = await solo.createSession({ isAdmin: true });
          const act = (by: TestSession, target: TestSession) =>
            action === 'demote'
              ? solo.app.inject({ method: 'PATCH', url: `/api/v1/users/${target.userId}`, headers: by.headers, payload: { isAdmin: false } })
              : solo.app.inject({ method: 'DELETE', url: `/api/v1/users/${target.userId}`, headers: by.headers });
          const run = await interleave(solo.db, n, () => act(first, second), () => act(second, first));
          if (!run.paused) break;
          const answers = [run.first, run.second!];
          const admins = await solo.db.kysely.selectFrom('users').select('id').where('is_admin', '=', 1).execute();
          expect(admins.length, `${action}, held after query ${n}`).toBe(1);
          const ok = answers.filter((answer) => answer.statusCode < 300);
          const refused = answers.filter((answer) => answer.statusCode >= 400);
          expect([ok.length, refused.length], `${action}, held after query ${n}`).toEqual([1, 1]);
          // Refused as the only admin, or (when its request began after the other's change) as no
          // admin any more, or no user at all.
          const error = json(refused[0]!).error;
          expect(['409 last_admin', '403 forbidden', '401 unauthorized'], `${action}, held after query ${n}`).toContain(`${refused[0]!.statusCode} ${error.code}`);
          codes.add(error.code);
          if (error.code === 'last_admin') expect(error.message).toMatch(/is the only instance admin: make another user an admin first/);
        }
        // Some interleaving has both requests past the admin check before either changed anything.
        expect([...codes], action).toContain('last_admin');
      }
    } finally {
      await solo.close();
    }
  });

  it('is for instance admins with a session only: members 403, API credentials 403, anonymous 401, no CSRF token 403', async () => {
    const member = await ctx.createSession({ projectIds: [a.projectId] });
    const target = await ctx.createSession({ projectIds: [a.projectId] });
    const attempts = (headers: Record<string, string>) => [
      users(headers),
      ctx.app.inject({ method: 'POST', url: '/api/v1/users', headers, payload: { email: 'sneaky@example.com', password: PASSWORD, isAdmin: true } }),
      patch(headers, target.userId, { isAdmin: true }),
      patch(headers, target.userId, { password: 'taken over password' }),
      remove(headers, target.userId),
    ];
    for (const [who, headers, status] of [
      ['member', member.headers, 403],
      ['API credentials', a.headers, 403],
      ['anonymous', {}, 401],
    ] as const) {
      for (const response of await Promise.all(attempts(headers))) expect(response.statusCode, who).toBe(status);
    }
    for (const response of (await Promise.all(attempts({ cookie: admin.cookie }))).slice(1)) {
      expect([response.statusCode, json(response).error.code]).toEqual([403, 'csrf_failed']);
    }
    // Nothing changed.
    expect((await me(target)).statusCode).toBe(200);
    expect(json(await me(target)).user.isAdmin).toBe(false);
    expect(await ctx.db.kysely.selectFrom('users').select('id').where('email', '=', 'sneaky@example.com').executeTakeFirst()).toBeUndefined();
  });

  it('documents the routes with their error answers', async () => {
    const doc = json(await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }));
    const statuses = (method: string, path: string) => Object.keys(doc.paths[path][method].responses).sort();
    expect(statuses('get', '/api/v1/users')).toEqual(['200', '401', '403']);
    expect(statuses('post', '/api/v1/users')).toEqual(['201', '400', '401', '403', '409', '413', '415', '422']);
    expect(statuses('patch', '/api/v1/users/{id}')).toEqual(['200', '400', '401', '403', '404', '409', '413', '415', '422']);
    expect(statuses('delete', '/api/v1/users/{id}')).toEqual(['204', '401', '403', '404', '409']);
    expect(statuses('post', '/api/v1/auth/password')).toEqual(['204', '400', '401', '403', '413', '415', '422', '429']);
    expect(doc.paths['/api/v1/users/{id}'].patch.responses['409'].description).toMatch(/last_admin/);
    for (const [path, method] of [
      ['/api/v1/users', 'get'],
      ['/api/v1/users', 'post'],
      ['/api/v1/users/{id}', 'patch'],
      ['/api/v1/users/{id}', 'delete'],
      ['/api/v1/auth/password', 'post'],
    ] as const) {
      expect(doc.paths[path][method].summary, `${method} ${path}`).toMatch(/.{20}/);
    }
  });
});

describe.each(testEngines())('changing your own password ($name)', (engine) => {
  let ctx: TestContext;
  let project: TestProject;
  let address = 0;
  const emailOf = async (userId: string) => (await ctx.db.kysely.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow()).email;
  const change = (session: TestSession, payload: object, remoteAddress = '203.0.113.50') =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: session.headers, payload, remoteAddress });
  const login = (email: string, password: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: `198.51.100.${++address}`, payload: { email, password } });

  beforeAll(async () => {
    ctx = await openTestContext(engine);
    project = await ctx.createProject('P');
  });
  afterAll(() => ctx?.close());

  it('changes the password with the current one: this session stays, the others end, the new password logs in', async () => {
    const user = await ctx.createSession({ projectIds: [project.projectId] });
    const email = await emailOf(user.userId);
    const other = await login(email, PASSWORD);
    const otherCookie = (other.headers['set-cookie'] as string).split(';')[0]!;
    const someoneElse = await ctx.createSession({ projectIds: [project.projectId] });

    const changed = await change(user, { currentPassword: PASSWORD, newPassword: 'my own new password' });
    expect(changed.statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: user.headers })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: otherCookie } })).statusCode).toBe(401);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: someoneElse.headers })).statusCode).toBe(200);
    expect((await login(email, PASSWORD)).statusCode).toBe(401);
    expect((await login(email, 'my own new password')).statusCode).toBe(200);
  });

  it('refuses a wrong current password (403 on currentPassword, session kept), a weak or unchanged new one (422), and without the CSRF token', async () => {
    const user = await ctx.createSession({ projectIds: [project.projectId] });
    const wrong = await change(user, { currentPassword: 'not my password', newPassword: 'another new password' }, '203.0.113.60');
    expect(wrong.statusCode).toBe(403);
    expect(json(wrong).error).toEqual({ code: 'wrong_password', message: 'The current password is wrong.', details: [{ path: 'currentPassword', message: 'is not your current password' }] });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: user.headers })).statusCode).toBe(200);

    const weak = await change(user, { currentPassword: PASSWORD, newPassword: 'short' });
    expect([weak.statusCode, json(weak).error.details]).toEqual([422, [{ path: 'newPassword', message: 'must be at least 10 characters' }]]);
    const same = await change(user, { currentPassword: PASSWORD, newPassword: PASSWORD });
    expect([same.statusCode, json(same).error.details]).toEqual([422, [{ path: 'newPassword', message: 'must differ from the current password' }]]);
    const missing = await change(user, {});
    expect(json(missing).error.details.map((problem: { path: string }) => problem.path).sort()).toEqual(['currentPassword', 'newPassword']);
    const noCsrf = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: { cookie: user.cookie }, payload: { currentPassword: PASSWORD, newPassword: 'another new password' } });
    expect([noCsrf.statusCode, json(noCsrf).error.code]).toEqual([403, 'csrf_failed']);
    const anonymous = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password', payload: { currentPassword: PASSWORD, newPassword: 'another new password' } });
    expect(anonymous.statusCode).toBe(401);
    const withCredentials = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: project.headers, payload: { currentPassword: PASSWORD, newPassword: 'another new password' } });
    expect(withCredentials.statusCode).toBe(403);
    // The password did not change.
    expect((await login(await emailOf(user.userId), PASSWORD)).statusCode).toBe(200);
  });

  it('counts wrong current passwords with failed logins: guessing with a stolen cookie is limited, and blocks logins of that user too', async () => {
    const user = await ctx.createSession({ projectIds: [project.projectId] });
    const email = await emailOf(user.userId);
    for (let i = 0; i < 10; i++) {
      expect((await change(user, { currentPassword: `guess number ${i}`, newPassword: 'stolen new password' }, `203.0.113.${100 + i}`)).statusCode).toBe(403);
    }
    const blocked = await change(user, { currentPassword: PASSWORD, newPassword: 'stolen new password' }, '203.0.113.120');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(email, PASSWORD)).statusCode).toBe(429);
  });
});
