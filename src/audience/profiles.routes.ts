/** Profiles: one profile (the PRODUCT's GET), search, and the profile page's timeline and messages. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { projectIdOf } from '../auth/auth.plugin.js';
import { cursorParam, limitParam, listOf } from '../validation.js';
import { eventNameKey, textProblem } from './audience.limits.js';
import { getProfileView, listProfileEvents, listProfileMessages, profileIdOf, searchProfiles } from './profiles.service.js';

const properties = z.record(z.string(), z.unknown()).describe('Profile properties; dates are ISO-8601 UTC strings.');

export const eventSchema = z.object({
  id: z.string(),
  name: z.string(),
  properties: z.record(z.string(), z.unknown()),
  ts: z.number().describe('Epoch milliseconds.'),
});

const reasonSchema = z.enum(['not_opted_in', 'dnd', 'phone_dnd', 'no_phone']);

const profileSchema = z.object({
  id: z.string(),
  identity: z.string(),
  phone: z.string().nullable(),
  properties,
  whatsappReachable: z.boolean(),
  reachability: z.object({
    reachable: z.boolean(),
    reason: reasonSchema.nullable().describe('Why the profile cannot be messaged, first failing rule.'),
    reasonText: z.string().nullable(),
    msgWhatsapp: z.boolean().nullable(),
    dndWhatsapp: z.boolean().nullable(),
    phoneDnd: z.object({ dnd: z.boolean(), source: z.string(), updatedAt: z.number() }).nullable(),
  }),
  events: z.array(eventSchema).describe('Latest 50 events, newest first.'),
  createdAt: z.number(),
  updatedAt: z.number(),
});

const summarySchema = z.object({
  id: z.string(),
  identity: z.string(),
  phone: z.string().nullable(),
  name: z.string().nullable(),
  whatsappReachable: z.boolean(),
  updatedAt: z.number(),
});

const messageSchema = z.object({
  id: z.string(),
  campaignId: z.string().nullable(),
  campaignName: z.string().nullable(),
  kind: z.string(),
  status: z.string(),
  skipReason: z.string().nullable(),
  phone: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  errorCategory: z.string().nullable(),
  errorCode: z.string().nullable(),
  errorDetail: z.string().nullable(),
  createdAt: z.number(),
  sentAt: z.number().nullable(),
  deliveredAt: z.number().nullable(),
  readAt: z.number().nullable(),
  failedAt: z.number().nullable(),
});

/** Query text the database can compare (PostgreSQL refuses NUL characters in text). */
const queryText = (schema: z.ZodString) =>
  schema.superRefine((text, ctx) => {
    const problem = textProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const identityParams = z.object({ identity: z.string().min(1).describe('The profile identity (URL-encoded).') });
const page = {
  limit: limitParam(200, 50),
  cursor: cursorParam,
};

export async function profileRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;

  app.get(
    '/api/v1/profiles',
    {
      config: { auth: 'project' },
      schema: {
        tags: ['audience'],
        summary: 'Search profiles.',
        description: 'Newest first. q matches the start of the identity, of the phone (digits with country code) or of the Name (case ignored as the database\'s lower() ignores it: ASCII letters on SQLite, every letter on PostgreSQL).',
        querystring: z.object({ q: queryText(z.string().max(200)).optional(), ...page }),
        response: { 200: listOf(summarySchema) },
      },
    },
    async (request) => searchProfiles(db, projectIdOf(request), request.query),
  );

  app.get(
    '/api/v1/profiles/:identity',
    {
      config: { auth: 'project' },
      schema: {
        tags: ['audience'],
        summary: 'A profile: properties, WhatsApp reachability (with the reason) and latest events.',
        params: identityParams,
        response: { 200: profileSchema },
      },
    },
    async (request) => getProfileView(db, projectIdOf(request), request.params.identity),
  );

  app.get(
    '/api/v1/profiles/:identity/events',
    {
      config: { auth: 'project' },
      schema: {
        tags: ['audience'],
        summary: "A profile's event timeline, newest first.",
        params: identityParams,
        querystring: z.object({ name: queryText(z.string().min(1)).optional().describe('Only this event (case- and space-insensitive).'), ...page }),
        response: { 200: listOf(eventSchema) },
      },
    },
    async (request) => {
      const projectId = projectIdOf(request);
      const profileId = await profileIdOf(db, projectId, request.params.identity);
      return listProfileEvents(db, projectId, profileId, { ...request.query, nameKey: request.query.name ? eventNameKey(request.query.name) : undefined });
    },
  );

  app.get(
    '/api/v1/profiles/:identity/messages',
    {
      config: { auth: 'project' },
      schema: {
        tags: ['audience'],
        summary: 'Messages sent (or skipped) to a profile, newest first.',
        params: identityParams,
        querystring: z.object(page),
        response: { 200: listOf(messageSchema) },
      },
    },
    async (request) => {
      const projectId = projectIdOf(request);
      const profileId = await profileIdOf(db, projectId, request.params.identity);
      return listProfileMessages(db, projectId, profileId, request.query);
    },
  );
}
