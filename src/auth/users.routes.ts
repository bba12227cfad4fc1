/**
 * Dashboard users, managed by instance admins: list, create, reset a password, make or unmake an
 * admin, delete. The instance always keeps an admin: taking admin from oneself or from the only
 * admin, and deleting oneself or the only admin, are refused (409). Ending a user's sessions
 * (password reset, deletion) also ends their live streams on this node at once, and on the others
 * within 15 s (stream-auth.ts).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { listOf } from '../validation.js';
import { sessionUserOf } from './auth.plugin.js';
import { createUser, deleteUser, findUserListing, listUsers, MAX_EMAIL_LENGTH, updateUser } from './users.service.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords.js';

const PASSWORD_RULE = `${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters`;

export const userSchema = z.object({
  id: z.string(),
  email: z.string().describe('The login email, lower-cased.'),
  isAdmin: z.boolean().describe('Instance admins open every project and manage users and projects.'),
  createdAt: z.number().describe('Epoch ms.'),
  projects: z
    .array(z.object({ id: z.string(), name: z.string() }))
    .describe('The projects given to the user, oldest first. Instance admins open every project whatever this lists.'),
});

const ADMIN_CONFLICTS =
  '`last_admin`: the user is the only instance admin; `cannot_demote_self` / `cannot_delete_self`: an admin cannot take admin from, or delete, themselves — so the instance always keeps an admin.';

export async function userRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;

  function endSessions(sessionIds: readonly string[]) {
    for (const sessionId of sessionIds) deps.bus.emit('session-ended', sessionId);
  }

  app.get(
    '/api/v1/users',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'Every dashboard user, by email, with the projects given to each (instance admins). Password hashes are never returned.',
        response: { 200: listOf(userSchema) },
      },
    },
    async () => ({ items: await listUsers(db), nextCursor: null }),
  );

  app.post(
    '/api/v1/users',
    {
      config: { auth: 'admin', errorStatuses: [409], errorDescriptions: { 409: '`email_taken`: a user with that email already exists.' } },
      schema: {
        tags: ['users'],
        summary: `Create a dashboard user (instance admins): a new email, a password of ${PASSWORD_RULE}, optionally admin and the projects to give (an unknown project id is refused, 422, and nothing is created).`,
        body: z
          .object({
            email: z.string().max(MAX_EMAIL_LENGTH, `must be at most ${MAX_EMAIL_LENGTH} characters`).describe('The login email (any case; stored lower-cased).'),
            password: z.string().describe(`${PASSWORD_RULE}.`),
            isAdmin: z.boolean().default(false).describe('Instance admin: opens every project and manages users.'),
            projectIds: z.array(z.string()).max(1000).default([]).describe('Projects the user can open.'),
          })
          .strict(),
        response: { 201: userSchema },
      },
    },
    async (request, reply) => {
      const created = await createUser(db, request.body);
      const listing = await findUserListing(db, created.id);
      if (!listing) throw notFound('User', created.id);
      return reply.status(201).send(listing);
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: { auth: 'admin', errorStatuses: [409], errorDescriptions: { 409: ADMIN_CONFLICTS } },
      schema: {
        tags: ['users'],
        summary: `Reset a user's password and/or make or unmake them an instance admin (instance admins). A new password (${PASSWORD_RULE}) ends every session of that user but the caller's own.`,
        params: z.object({ id: z.string() }),
        body: z
          .object({
            password: z.string().optional().describe(`The new password, ${PASSWORD_RULE}.`),
            isAdmin: z.boolean().optional().describe('true makes the user an instance admin, false takes it away (refused for oneself and for the only admin).'),
          })
          .strict(),
        response: { 200: userSchema },
      },
    },
    async (request) => {
      const actor = sessionUserOf(request);
      const { endedSessionIds } = await updateUser(db, { userId: actor.userId, sessionId: actor.sessionId }, request.params.id, request.body);
      endSessions(endedSessionIds);
      const listing = await findUserListing(db, request.params.id);
      if (!listing) throw notFound('User', request.params.id);
      return listing;
    },
  );

  app.delete(
    '/api/v1/users/:id',
    {
      config: { auth: 'admin', errorStatuses: [409], errorDescriptions: { 409: ADMIN_CONFLICTS } },
      schema: {
        tags: ['users'],
        summary:
          "Delete a user with their sessions (their cookies stop working at once) and project memberships (instance admins). What they created belongs to its project and stays. Refused for oneself and for the only admin (409).",
        params: z.object({ id: z.string() }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const actor = sessionUserOf(request);
      const { endedSessionIds } = await deleteUser(db, { userId: actor.userId, sessionId: actor.sessionId }, request.params.id);
      endSessions(endedSessionIds);
      return reply.status(204).send(null);
    },
  );
}
