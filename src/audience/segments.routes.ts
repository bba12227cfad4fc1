/**
 * Segments: CRUD, the estimate of a saved segment, and the ad-hoc estimate the segment builder
 * calls while the user edits (live reach). An invalid filter answers 422 with the path of the
 * offending part (`filter.filters.1.value`) and why.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { projectIdOf } from '../auth/auth.plugin.js';
import { changeOf, cursorParam, limitParam, listOf } from '../validation.js';
import { textProblem } from './audience.limits.js';
import { segmentFilterSchema } from './segment-filter.js';
import { createSegment, deleteSegment, getSegment, listSegments, updateSegment } from './segments.service.js';
import { estimateAudience, estimateFilter } from './audience.service.js';
import { frequencyCapInput } from '../campaigns/frequency-cap.js';
import { messagingLimitMessage, messagingLimitOf } from '../providers/messaging-limit.js';
import { validationFailed } from '../errors.js';

const segmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  filter: segmentFilterSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
});

const estimateSchema = z.object({
  total: z.number().int().describe('Profiles matching the filter.'),
  reachable: z.number().int().describe('Of those, profiles that can be messaged on WhatsApp now.'),
});

const audienceEstimateSchema = estimateSchema.extend({
  frequencyCapped: z
    .number()
    .int()
    .optional()
    .describe(
      'Only when `frequencyCap` was sent: of the reachable profiles, those the cap would skip if the campaign were published now (they already received that many campaign messages from this project in the window).',
    ),
  messagingLimit: z
    .object({
      limit: z.number().int().describe("The account's daily messaging limit (dailyRecipientLimit): unique users per rolling 24 hours."),
      usedLast24h: z.number().int().describe('Distinct phones the account sent a campaign message to in the last 24 hours (as in GET /api/v1/providers/{id}).'),
      remaining: z.number().int().describe('limit − usedLast24h, at least 0.'),
      warning: z
        .string()
        .nullable()
        .describe('When the audience (reachable, less frequencyCapped) is more than `remaining`: what WhatsApp will do and what to do about it. A warning only: publishing is not refused.'),
    })
    .nullable()
    .optional()
    .describe('Only when `providerId` was sent: null when the account has no daily messaging limit set.'),
});

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .superRefine((text, ctx) => {
    // PostgreSQL cannot store a NUL character in text.
    const problem = textProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const idParams = z.object({ id: z.string().min(1) });

export async function segmentRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;

  app.post(
    '/api/v1/segments',
    {
      config: { auth: 'project', checksTextItself: true },
      schema: { tags: ['segments'], summary: 'Create a segment.', body: z.strictObject({ name, filter: segmentFilterSchema }), response: { 201: segmentSchema } },
    },
    async (request, reply) => reply.status(201).send(await createSegment(db, projectIdOf(request), request.body)),
  );

  app.get(
    '/api/v1/segments',
    {
      config: { auth: 'project' },
      schema: {
        tags: ['segments'],
        summary: 'Segments, newest first.',
        querystring: z.object({ limit: limitParam(200, 50), cursor: cursorParam }),
        response: { 200: listOf(segmentSchema) },
      },
    },
    async (request) => listSegments(db, projectIdOf(request), request.query),
  );

  app.get(
    '/api/v1/segments/:id',
    { config: { auth: 'project' }, schema: { tags: ['segments'], summary: 'A segment.', params: idParams, response: { 200: segmentSchema } } },
    async (request) => getSegment(db, projectIdOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/segments/:id',
    {
      config: { auth: 'project', checksTextItself: true },
      schema: {
        tags: ['segments'],
        summary: 'Rename a segment or change its filter.',
        params: idParams,
        body: changeOf(z.strictObject({ name: name.optional(), filter: segmentFilterSchema.optional() })),
        response: { 200: segmentSchema },
      },
    },
    async (request) => updateSegment(db, projectIdOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/v1/segments/:id',
    {
      config: {
        auth: 'project',
        errorStatuses: [409],
        errorDescriptions: { 409: '`segment_in_use`: a campaign whose audience is not added yet sends to the segment (details.campaigns lists them).' },
      },
      schema: { tags: ['segments'], summary: 'Delete a segment (409 segment_in_use while a campaign not yet materialised sends to it).', params: idParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await deleteSegment(db, projectIdOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/segments/:id/estimate',
    {
      config: { auth: 'project', checksTextItself: true },
      schema: { tags: ['segments'], summary: "A segment's size and WhatsApp reach now.", params: idParams, response: { 200: estimateSchema } },
    },
    async (request) => estimateAudience(db, projectIdOf(request), { segmentId: request.params.id }),
  );

  app.post(
    '/api/v1/segments/estimate',
    {
      config: { auth: 'project', checksTextItself: true },
      schema: {
        tags: ['segments'],
        summary: 'Size and WhatsApp reach of a filter that is not saved (the builder’s live reach).',
        description: 'The body is the filter itself.',
        body: segmentFilterSchema,
        response: { 200: estimateSchema },
      },
    },
    async (request) => estimateFilter(db, projectIdOf(request), request.body),
  );

  app.post(
    '/api/v1/audience/estimate',
    {
      // 404: the audience's segmentId is not a segment of the project.
      config: { auth: 'project', checksTextItself: true, errorStatuses: [404] },
      schema: {
        tags: ['segments'],
        summary: 'Size and WhatsApp reach of a campaign audience: a saved segment, everyone, or a list of identities.',
        description:
          'With the campaign\'s `frequencyCap`, also how many reachable profiles the cap would skip now (`frequencyCapped`); the builder shows it beside the reach. ' +
          "With its `providerId`, also the account's daily messaging limit, its usage and a warning when the audience is larger than what is left (`messagingLimit`).",
        body: z.strictObject({
          audience: z.union([
            z.object({ segmentId: z.string().min(1) }).strict(),
            z.object({ all: z.literal(true) }).strict(),
            z.object({ identities: z.array(z.string()).max(100_000, 'may hold at most 100,000 identities') }).strict(),
          ]),
          frequencyCap: frequencyCapInput
            .nullable()
            .optional()
            .describe('The campaign\'s frequency cap, as in POST /api/v1/campaigns; null or absent: no cap, no `frequencyCapped`.'),
          providerId: z
            .string()
            .min(1)
            .optional()
            .describe("The campaign's provider account: also compare the audience with what the account has left of its daily messaging limit (`messagingLimit`)."),
        }),
        response: { 200: audienceEstimateSchema },
      },
    },
    async (request) => {
      const projectId = projectIdOf(request);
      const { providerId } = request.body;
      const account = providerId
        ? await db.kysely
            .selectFrom('provider_accounts')
            .select(['id', 'daily_recipient_limit'])
            .where('id', '=', providerId)
            .where('project_id', '=', projectId)
            .where('deleted_at', 'is', null)
            .executeTakeFirst()
        : undefined;
      if (providerId && !account) throw validationFailed([{ path: 'providerId', message: 'is not a provider account of this project' }]);
      const estimate = await estimateAudience(db, projectId, request.body.audience, { frequencyCap: request.body.frequencyCap ?? null });
      if (!account) return estimate;
      const limit = await messagingLimitOf(db, projectId, account);
      if (!limit) return { ...estimate, messagingLimit: null };
      const audience = estimate.reachable - (estimate.frequencyCapped ?? 0);
      return { ...estimate, messagingLimit: { ...limit, warning: messagingLimitMessage({ audience, limit: limit.limit, usedLast24h: limit.usedLast24h }) } };
    },
  );
}
