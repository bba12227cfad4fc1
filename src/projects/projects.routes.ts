/** Projects (tenants), their API credentials and members. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps.js';
import { forbidden, notFound } from '../errors.js';
import { sessionUserOf } from '../auth/auth.plugin.js';
import { createProject, listProjectsForUser, userCanOpenProject } from './projects.service.js';
import { createApiCredential, listApiCredentials, revokeApiCredential } from '../auth/api-credentials.service.js';
import { listOf } from '../validation.js';
import { addProjectMemberByEmail, listProjectMembers, removeProjectMember } from './members.service.js';

const projectSchema = z.object({ id: z.string(), name: z.string(), createdAt: z.number() });
const memberSchema = z.object({
  id: z.string().describe("The user's id."),
  email: z.string(),
  isAdmin: z.boolean().describe('Instance admins open every project, member or not.'),
  memberSince: z.number().nullable().describe('When the user was given the project (epoch ms); null for an instance admin who never was.'),
});
const credentialSchema = z.object({ id: z.string(), accountId: z.string(), label: z.string(), createdAt: z.number(), lastUsedAt: z.number().nullable() });

export async function projectRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;

  app.get(
    '/api/v1/projects',
    { config: { auth: 'session' }, schema: { tags: ['projects'], summary: 'Projects the logged-in user can open.', response: { 200: listOf(projectSchema) } } },
    async (request) => {
      const user = sessionUserOf(request);
      return { items: await listProjectsForUser(db, { id: user.userId, isAdmin: user.isAdmin }), nextCursor: null };
    },
  );

  app.post(
    '/api/v1/projects',
    {
      config: { auth: 'admin' },
      schema: { tags: ['projects'], summary: 'Create a project (instance admins).', body: z.object({ name: z.string().trim().min(1).max(100) }).strict(), response: { 201: projectSchema } },
    },
    async (request, reply) => {
      const user = sessionUserOf(request);
      return reply.status(201).send(await createProject(db, request.body.name, user.userId));
    },
  );

  async function assertCanOpen(userId: string, isAdmin: boolean, projectId: string) {
    if (!(await userCanOpenProject(db, { id: userId, isAdmin }, projectId))) throw notFound('Project', projectId);
  }

  /**
   * A project's API credentials and its members are managed by instance admins. A user who cannot
   * open the project hears 404 before anything else, exactly as for a project that does not exist;
   * a member who is not an admin 403 (`refusal` says what only admins may do). Credentials are
   * project-wide and outlive a membership, so a member who could mint them would keep the project
   * after an admin took it away.
   */
  async function assertAdminOfProject(request: FastifyRequest, projectId: string, refusal: string) {
    const user = sessionUserOf(request);
    await assertCanOpen(user.userId, user.isAdmin, projectId);
    if (!user.isAdmin) throw forbidden(refusal);
  }
  // Checked as the request arrives (a route onRequest hook, after the session's), before the body
  // is read: a user who may not manage the project hears 404 or 403, never what is wrong with a
  // body they may not send at all.
  const projectIdParam = (request: FastifyRequest) => (request.params as { projectId: string }).projectId;
  const canManageCredentials = async (request: FastifyRequest) =>
    assertAdminOfProject(request, projectIdParam(request), "Only instance admins can see, create and revoke a project's API credentials.");
  const canManageMembers = async (request: FastifyRequest) =>
    assertAdminOfProject(request, projectIdParam(request), 'Only instance admins can see and change who can open a project.');

  app.get(
    '/api/v1/projects/:projectId/credentials',
    {
      onRequest: canManageCredentials,
      config: { auth: 'session' },
      schema: { tags: ['projects'], summary: 'API credentials of a project (instance admins; passcodes are never shown again).', params: z.object({ projectId: z.string() }), response: { 200: listOf(credentialSchema) } },
    },
    async (request) => {
      return { items: await listApiCredentials(db, request.params.projectId), nextCursor: null };
    },
  );

  app.post(
    '/api/v1/projects/:projectId/credentials',
    {
      onRequest: canManageCredentials,
      config: { auth: 'session' },
      schema: {
        tags: ['projects'],
        summary: 'Create API credentials (instance admins); the passcode is in this answer only.',
        params: z.object({ projectId: z.string() }),
        body: z.object({ label: z.string().trim().min(1).max(100).default('default') }).strict().default({ label: 'default' }),
        response: { 201: credentialSchema.extend({ passcode: z.string() }) },
      },
    },
    async (request, reply) => {
      return reply.status(201).send(await createApiCredential(db, request.params.projectId, request.body.label));
    },
  );

  app.delete(
    '/api/v1/projects/:projectId/credentials/:id',
    {
      onRequest: canManageCredentials,
      config: { auth: 'session' },
      schema: {
        tags: ['projects'],
        summary: 'Revoke API credentials (instance admins): requests made with them are refused (401) from now on.',
        params: z.object({ projectId: z.string(), id: z.string() }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      if (!(await revokeApiCredential(db, request.params.projectId, request.params.id))) throw notFound('API credentials', request.params.id);
      deps.bus.emit('credentials-revoked', request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/projects/:projectId/members',
    {
      onRequest: canManageMembers,
      config: { auth: 'session' },
      schema: {
        tags: ['projects'],
        summary: 'Who can open the project (instance admins): its members and every instance admin, by email.',
        params: z.object({ projectId: z.string() }),
        response: { 200: listOf(memberSchema) },
      },
    },
    async (request) => {
      return { items: await listProjectMembers(db, request.params.projectId), nextCursor: null };
    },
  );

  app.post(
    '/api/v1/projects/:projectId/members',
    {
      onRequest: canManageMembers,
      config: { auth: 'session', errorStatuses: [409] },
      schema: {
        tags: ['projects'],
        summary: 'Give an existing user the project (instance admins); an unknown email is refused (422), one who can already open it too (409, already_member).',
        params: z.object({ projectId: z.string() }),
        body: z.object({ email: z.string().trim().min(1) }).strict(),
        response: { 201: memberSchema },
      },
    },
    async (request, reply) => {
      return reply.status(201).send(await addProjectMemberByEmail(db, request.params.projectId, request.body.email));
    },
  );

  app.delete(
    '/api/v1/projects/:projectId/members/:userId',
    {
      onRequest: canManageMembers,
      config: { auth: 'session', errorStatuses: [409] },
      schema: {
        tags: ['projects'],
        summary: "Take the project from a member (instance admins): their sessions cannot open it from the next request on. Instance admins open every project, so removing one is refused (409, instance_admin).",
        params: z.object({ projectId: z.string(), userId: z.string() }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await removeProjectMember(db, request.params.projectId, request.params.userId);
      return reply.status(204).send(null);
    },
  );
}
