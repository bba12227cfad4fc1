/** Dashboard login, logout, first-admin setup, "who am I" and changing one's own password. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps.js';
import { AppError, forbidden, tooManyRequests, unauthorized, validationFailed } from '../errors.js';
import { normaliseEmail, countUsers, createUser, MAX_EMAIL_LENGTH, passwordHashOf, setUserPassword } from './users.service.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem, verifyLogin } from './passwords.js';
import { createSession, deleteSession, SESSION_COOKIE, SESSION_TTL_MS, setSessionProject } from './sessions.service.js';
import { sessionUserOf } from './auth.plugin.js';
import { LoginLimiter } from './login-limiter.js';
import { burnSetupToken, checkSetupToken } from './setup-token.js';
import { createProject, listProjectsForUser, userCanOpenProject } from '../projects/projects.service.js';

const meSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), isAdmin: z.boolean() }),
  csrfToken: z.string(),
  projects: z.array(z.object({ id: z.string(), name: z.string() })),
  currentProjectId: z.string().nullable(),
});

export async function authRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const limiter = new LoginLimiter();
  const secureCookie = deps.config.publicUrl.startsWith('https://');

  function setSessionCookie(reply: FastifyReply, token: string) {
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookie,
      path: '/',
      maxAge: Math.floor(SESSION_TTL_MS / 1000),
    });
  }

  async function describeSession(userId: string, email: string, isAdmin: boolean, csrfToken: string, projectId: string | null) {
    const projects = await listProjectsForUser(db, { id: userId, isAdmin });
    const current = projectId && projects.some((project) => project.id === projectId) ? projectId : (projects[0]?.id ?? null);
    return {
      user: { id: userId, email, isAdmin },
      csrfToken,
      projects: projects.map((project) => ({ id: project.id, name: project.name })),
      currentProjectId: current,
    };
  }

  app.get(
    '/api/v1/auth/state',
    {
      config: { auth: 'public' },
      schema: { tags: ['auth'], summary: 'Whether the instance still needs its first admin.', response: { 200: z.object({ needsSetup: z.boolean() }) } },
    },
    async () => ({ needsSetup: (await countUsers(db)) === 0 }),
  );

  app.post(
    '/api/v1/auth/setup',
    {
      config: {
        auth: 'public',
        errorStatuses: [403, 409],
        errorDescriptions: {
          403: 'The setup link is not valid (forbidden): use the link printed by the latest start.',
          409: '`already_set_up`: an admin exists already; log in instead.',
        },
      },
      schema: {
        tags: ['auth'],
        summary: 'Create the first admin with the one-time link printed at first start.',
        body: z.object({ token: z.string().min(1), email: z.string(), password: z.string(), projectName: z.string().min(1).max(100).optional() }).strict(),
        response: { 201: meSchema },
      },
    },
    async (request, reply) => {
      if ((await countUsers(db)) > 0) throw new AppError(409, 'already_set_up', 'An admin already exists: log in instead.');
      if (!(await checkSetupToken(db, request.body.token))) {
        throw forbidden('This setup link is not valid: use the link printed by the latest `npm start`.');
      }
      const user = await createUser(db, { email: request.body.email, password: request.body.password, isAdmin: true });
      await burnSetupToken(db);
      const project = await createProject(db, request.body.projectName ?? 'My project', user.id);
      const session = await createSession(db, user.id, project.id);
      setSessionCookie(reply, session.token);
      return reply.status(201).send(await describeSession(user.id, user.email, true, session.csrfToken, project.id));
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      // 401: wrong email or password; 429: too many failed logins (listed in the OpenAPI document).
      config: { auth: 'public', errorStatuses: [401, 429] },
      schema: {
        tags: ['auth'],
        summary: 'Log in to the dashboard; sets an httpOnly session cookie.',
        // Bounded like the accounts themselves: every failed email is kept in memory for the
        // login limit, and a 1 MiB one per guess would fill it.
        body: z
          .object({
            email: z.string().min(1).max(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`),
            password: z.string().min(1).max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`),
          })
          .strict(),
        response: { 200: meSchema },
      },
    },
    async (request, reply) => {
      const email = normaliseEmail(request.body.email);
      const keys = [`ip:${request.ip}`, `email:${email}`];
      const wait = Math.max(...keys.map((key) => limiter.retryAfterSeconds(key)));
      if (wait > 0) throw tooManyRequests(`Too many failed logins: try again in ${Math.ceil(wait / 60)} minute(s).`, wait);
      const user = await db.kysely.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
      const ok = await verifyLogin(user?.password_hash, request.body.password);
      if (!user || !ok) {
        for (const key of keys) limiter.recordFailure(key);
        throw unauthorized('Wrong email or password.');
      }
      // Only the email's count: clearing the address's too would let someone with an account of
      // their own log in after every few guesses at other accounts and guess without limit.
      limiter.reset(`email:${email}`);
      const projects = await listProjectsForUser(db, { id: user.id, isAdmin: user.is_admin === 1 });
      const session = await createSession(db, user.id, projects[0]?.id ?? null);
      setSessionCookie(reply, session.token);
      return describeSession(user.id, user.email, user.is_admin === 1, session.csrfToken, projects[0]?.id ?? null);
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { auth: 'session' }, schema: { tags: ['auth'], summary: 'End the dashboard session.', response: { 204: z.null() } } },
    async (request: FastifyRequest, reply) => {
      const { sessionId } = sessionUserOf(request);
      await deleteSession(db, sessionId);
      deps.bus.emit('session-ended', sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/me',
    { config: { auth: 'session' }, schema: { tags: ['auth'], summary: 'The logged-in user, their projects and the CSRF token.', response: { 200: meSchema } } },
    async (request) => {
      const user = sessionUserOf(request);
      return describeSession(user.userId, user.email, user.isAdmin, user.csrfToken, request.auth?.projectId ?? null);
    },
  );

  app.post(
    '/api/v1/auth/project',
    {
      // 404: a project the user cannot open, exactly like one that does not exist.
      config: { auth: 'session', errorStatuses: [404] },
      schema: { tags: ['auth'], summary: 'Switch the dashboard to another project.', body: z.object({ projectId: z.string().min(1) }).strict(), response: { 200: meSchema } },
    },
    async (request) => {
      const user = sessionUserOf(request);
      if (!(await userCanOpenProject(db, { id: user.userId, isAdmin: user.isAdmin }, request.body.projectId))) {
        throw new AppError(404, 'not_found', `Project ${JSON.stringify(request.body.projectId)} not found.`);
      }
      await setSessionProject(db, user.sessionId, request.body.projectId);
      return describeSession(user.userId, user.email, user.isAdmin, user.csrfToken, request.body.projectId);
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: {
        auth: 'session',
        errorStatuses: [429],
        errorDescriptions: {
          403: 'The current password is wrong (wrong_password, with details on currentPassword), a missing X-CSRF-Token (csrf_failed). Wrong current passwords count as failed logins of the user and of the address.',
          429: 'Too many failed logins or wrong current passwords for this user or address (too_many_requests); the Retry-After header says when to try again.',
        },
      },
      schema: {
        tags: ['auth'],
        summary: `Change the logged-in user's own password: the current one, and a new one of ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters. Every other session of the user ends; this one stays.`,
        body: z
          .object({
            currentPassword: z.string().min(1, 'is required').max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`),
            newPassword: z.string().describe(`${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters, not the current one.`),
          })
          .strict(),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const user = sessionUserOf(request);
      const weak = passwordProblem(request.body.newPassword);
      if (weak) throw validationFailed([{ path: 'newPassword', message: weak }]);
      // A wrong current password is a password guess (made with someone's session cookie): it is
      // limited and counted as a failed login would be, under the same keys. 403, not login's
      // 401: the session is fine, and the dashboard takes a 401 for a session that ended.
      const keys = [`ip:${request.ip}`, `email:${user.email}`];
      const wait = Math.max(...keys.map((key) => limiter.retryAfterSeconds(key)));
      if (wait > 0) throw tooManyRequests(`Too many wrong passwords: try again in ${Math.ceil(wait / 60)} minute(s).`, wait);
      const ok = await verifyLogin(await passwordHashOf(db, user.userId), request.body.currentPassword);
      if (!ok) {
        for (const key of keys) limiter.recordFailure(key);
        throw new AppError(403, 'wrong_password', 'The current password is wrong.', [{ path: 'currentPassword', message: 'is not your current password' }]);
      }
      limiter.reset(`email:${user.email}`);
      if (request.body.newPassword === request.body.currentPassword) {
        throw validationFailed([{ path: 'newPassword', message: 'must differ from the current password' }]);
      }
      const { endedSessionIds } = await setUserPassword(db, user.userId, user.sessionId, request.body.newPassword);
      for (const sessionId of endedSessionIds) deps.bus.emit('session-ended', sessionId);
      return reply.status(204).send(null);
    },
  );
}
