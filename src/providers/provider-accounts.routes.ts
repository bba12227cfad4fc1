/** REST API of provider accounts: /api/v1/providers. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps.js';
import { projectIdOf } from '../auth/auth.plugin.js';
import { changeOf, cursorParam, limitParam, listOf, refuseInvalidBody } from '../validation.js';
import { listRejectedCallbacks, REJECTED_BODY_PREVIEW } from '../webhooks/rejected-callbacks.js';
import {
  accountPatchProblems,
  createProviderAccount,
  deleteProviderAccount,
  getProviderAccount,
  issueDraftCallbackUrls,
  DEFAULT_RATE_PER_SECOND,
  listProviderAccounts,
  MAX_RATE_PER_SECOND,
  newAccountProblems,
  RATE_PER_SECOND_PROBLEM,
  rotateCallbackToken,
  updateProviderAccount,
} from './provider-accounts.service.js';
import { DAILY_RECIPIENT_LIMIT_PROBLEM, DAILY_RECIPIENT_LIMITS } from './messaging-limit.js';
import { credentialsDocument } from './credentials-document.js';

const DAILY_LIMIT_TEXT =
  "WhatsApp's daily messaging limit of the number: how many unique users it may start conversations with in a rolling 24 hours (its tier in WhatsApp Manager): " +
  '250, 1000, 10000 or 100000; null: unlimited or not set (the default). Used only to show the usage and to warn when a campaign\'s audience is larger than what is left; nothing is refused because of it.';
const dailyLimitInput = z
  .union([...DAILY_RECIPIENT_LIMITS.map((tier) => z.literal(tier)), z.null()], { message: DAILY_RECIPIENT_LIMIT_PROBLEM })
  .optional()
  .describe(`${DAILY_LIMIT_TEXT} Other values are a 422.`);

const providerType = z.enum(['gupshup', 'nexmo'], { message: 'must be "gupshup" or "nexmo"' });
/** With the service's words (newAccountProblems): the document says integer, 1–10,000. */
const ratePerSecond = z
  .number()
  .int(RATE_PER_SECOND_PROBLEM)
  .min(1, RATE_PER_SECOND_PROBLEM)
  .max(MAX_RATE_PER_SECOND, RATE_PER_SECOND_PROBLEM)
  .describe(`Messages per second, 1–${MAX_RATE_PER_SECOND.toLocaleString('en-US')}: the most the account's campaigns send together.`);
const autoReply = z.object({ enabled: z.boolean(), text: z.string().optional() }).strict();

export const providerAccountSchema = z.object({
  id: z.string(),
  type: providerType,
  nickname: z.string(),
  isDefault: z.boolean(),
  ratePerSecond: z.number().int(),
  autoReply: z.object({ enabled: z.boolean(), text: z.string() }),
  credentials: z.record(z.string(), z.string()).describe('Non-secret values as stored; secrets masked as ••••1234.'),
  inboundCallbackUrl: z.string(),
  deliveryCallbackUrl: z.string(),
  lastReceiptAt: z.number().nullable().describe('When the latest accepted delivery report (status callback) arrived, to within a few seconds; null before the first.'),
  lastInboundAt: z.number().nullable().describe('When the latest accepted inbound message or user event arrived, to within a few seconds; null before the first.'),
  lastThrottledAt: z
    .number()
    .nullable()
    .describe('When a delivery report last said the provider throttled this account (e.g. WhatsApp error 130429), to within a second; sending for the account slows down when one arrives. Null if none ever did.'),
  dailyRecipientLimit: z
    .number()
    .int()
    .nullable()
    .describe(DAILY_LIMIT_TEXT),
  messagingLimit: z
    .object({
      limit: z.number().int().describe('The daily messaging limit set (dailyRecipientLimit).'),
      usedLast24h: z
        .number()
        .int()
        .describe(
          'Distinct phones this account sent a campaign message to in the last 24 hours: sent, delivered or read with a send time in the window, and unknown ones (may have arrived). Failed messages, replies, auto-replies and test messages do not count.',
        ),
      remaining: z.number().int().describe('limit − usedLast24h, at least 0: unique users this number may still start conversations with now.'),
    })
    .nullable()
    .describe('The daily messaging limit with its usage now; null when dailyRecipientLimit is not set.'),
  createdAt: z.number(),
  updatedAt: z.number(),
});

const createBody = z.object({
  type: providerType,
  nickname: z.string().max(100, 'must be at most 100 characters'),
  isDefault: z.boolean().optional(),
  ratePerSecond: ratePerSecond.optional().describe(`Messages per second, 1–${MAX_RATE_PER_SECOND.toLocaleString('en-US')} (default ${DEFAULT_RATE_PER_SECOND}).`),
  autoReply: autoReply.optional(),
  callbackToken: z.string().optional().describe('A token from POST /api/v1/providers/callback-urls, to keep the URLs shown before saving.'),
  // Read as it comes and checked field by field by the service (credentials.ts); the document
  // gives each type's fields.
  credentials: z
    .record(z.string(), z.unknown())
    .meta(credentialsDocument(false))
    .describe(
      'Gupshup: notificationUserId, notificationPassword, twoWayUserId, twoWayPassword, appName, mobileNumber, facebookUrl, mode ("enterprise", the default, or "selfserve") and apiKey (self-serve only: refused with mode "enterprise", 422 on credentials.apiKey). Nexmo: applicationId, privateKey, apiKey, apiSecret, signatureSecret, whatsappNumber.',
    ),
  dailyRecipientLimit: dailyLimitInput,
}).strict();

// An empty PATCH is a 422 naming these fields (changeOf).
const patchBody = changeOf(z.object({
  nickname: z.string().max(100, 'must be at most 100 characters').optional(),
  isDefault: z.boolean().optional(),
  ratePerSecond: ratePerSecond.optional(),
  autoReply: autoReply.optional(),
  dailyRecipientLimit: dailyLimitInput,
  credentials: z
    .record(z.string(), z.unknown())
    .meta(credentialsDocument(true))
    .optional()
    .describe('Fields to change; omitted, empty or masked secrets keep their stored value; null clears a field (a secret no longer used, e.g. moving a Vonage account from its private key to an API key and secret). A Gupshup account changed to (or kept in) mode "enterprise" loses its stored self-serve apiKey; sending an apiKey with mode "enterprise" is refused (422, credentials.apiKey).'),
}).strict());

const idParams = z.object({ id: z.string() });

const rejectedCallbackSchema = z.object({
  seq: z.number().int().describe('Position in the callback log (order of arrival).'),
  receivedAt: z.number(),
  kind: z.enum(['inbound', 'delivery', 'status']).describe('Which callback URL was called.'),
  method: z.string(),
  status: z.number().int().describe('The HTTP status wacast answered: 400 unreadable, 401 signature refused, 413 body over 256 KiB (not kept), 415 unreadable Content-Type; 200 when it was accepted and failed when applied.'),
  reason: z.string().describe('Why it was refused.'),
  contentType: z.string().nullable(),
  query: z.string().nullable().describe('The query string as received; values of parameters named like credentials are [redacted].'),
  body: z
    .string()
    .describe(`The body as received (plain text: render as text, never as HTML), cut to ${REJECTED_BODY_PREVIEW} characters; values of fields named like credentials are [redacted].`),
  bodyLength: z.number().int().describe('Characters of the whole body.'),
  bodyTruncated: z.boolean(),
});

export async function providerAccountRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['providers'];

  app.post(
    '/api/v1/providers/callback-urls',
    {
      config: { auth: 'project' },
      schema: {
        tags,
        summary: 'Issue a callback token and its two URLs, to show them before the account is saved.',
        body: z.object({ type: providerType }).strict(),
        response: { 200: z.object({ callbackToken: z.string(), inboundCallbackUrl: z.string(), deliveryCallbackUrl: z.string() }) },
      },
    },
    async (request) => {
      projectIdOf(request);
      return issueDraftCallbackUrls(deps, request.body.type);
    },
  );

  app.post(
    '/api/v1/providers',
    // attachValidation: a body refused by the schema is answered with the service's checks too.
    { config: { auth: 'project' }, attachValidation: true, schema: { tags, summary: 'Connect a Gupshup or Nexmo account.', body: createBody, response: { 201: providerAccountSchema } } },
    async (request, reply) => {
      await refuseInvalidBody(request, (fields) => newAccountProblems(deps, fields));
      return reply.status(201).send(await createProviderAccount(deps, projectIdOf(request), request.body));
    },
  );

  app.get(
    '/api/v1/providers',
    { config: { auth: 'project' }, schema: { tags, summary: 'Provider accounts of the project.', response: { 200: listOf(providerAccountSchema) } } },
    async (request) => ({ items: await listProviderAccounts(deps, projectIdOf(request)), nextCursor: null }),
  );

  app.get(
    '/api/v1/providers/:id',
    { config: { auth: 'project' }, schema: { tags, summary: 'One provider account.', params: idParams, response: { 200: providerAccountSchema } } },
    async (request) => getProviderAccount(deps, projectIdOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/providers/:id',
    // attachValidation: a body refused by the schema is answered with the service's checks too.
    { config: { auth: 'project' }, attachValidation: true, schema: { tags, summary: 'Change a provider account.', params: idParams, body: patchBody, response: { 200: providerAccountSchema } } },
    async (request) => {
      await refuseInvalidBody(request, (fields) => accountPatchProblems(deps, projectIdOf(request), request.params.id, fields));
      return updateProviderAccount(deps, projectIdOf(request), request.params.id, request.body);
    },
  );

  app.delete(
    '/api/v1/providers/:id',
    {
      config: {
        auth: 'project',
        errorStatuses: [409],
        errorDescriptions: { 409: '`provider_in_use`: a scheduled, running or paused campaign uses the account (details.campaigns lists up to 5).' },
      },
      schema: { tags, summary: 'Delete a provider account (refused while a scheduled, running or paused campaign uses it).', params: idParams, response: { 204: z.null() } },
    },
    async (request, reply) => {
      await deleteProviderAccount(deps, projectIdOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/providers/:id/callbacks/rejected',
    {
      config: { auth: 'project' },
      schema: {
        tags,
        summary: 'Callbacks refused for this account (malformed, bad signature, unreadable Content-Type), newest first, kept 30 days.',
        params: idParams,
        querystring: z.object({ cursor: cursorParam, limit: limitParam(100, 20) }),
        response: { 200: listOf(rejectedCallbackSchema) },
      },
    },
    async (request) => listRejectedCallbacks(deps, projectIdOf(request), request.params.id, request.query),
  );

  app.post(
    '/api/v1/providers/:id/rotate-callback-token',
    {
      config: { auth: 'project' },
      schema: { tags, summary: 'Replace the callback token: the old callback URLs stop working at once.', params: idParams, response: { 200: providerAccountSchema } },
    },
    async (request) => rotateCallbackToken(deps, projectIdOf(request), request.params.id),
  );
}
