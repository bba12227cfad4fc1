/**
 * REST API of the Inbox: /api/v1/inbox. `:phone` is E.164, URL-encoded (`%2B919876543210`), or the
 * WhatsApp user id of a Vonage sender known only by it (`US.13491208655302741918`).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps.js';
import { projectIdOf } from '../auth/auth.plugin.js';
import { cursorParam, limitParam, listOf } from '../validation.js';
import { eventStreamResponse, openEventStream } from '../net/event-stream.js';
import { endWithSession } from '../auth/stream-auth.js';
import { textProblem } from '../audience/audience.limits.js';
import {
  conversationKey,
  countUnreadConversations,
  getConversation,
  listConversations,
  markConversationRead,
  markConversationUnread,
  MAX_SEARCH_LENGTH,
  replyToConversation,
} from './inbox.service.js';

/** Query text a database can store (no NUL character): else 422 naming the parameter. */
const storableText = (schema: z.ZodString) =>
  schema.superRefine((text, ctx) => {
    const problem = textProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const named = z.object({ id: z.string(), name: z.string() });
const summarySchema = z.object({
  phone: z.string(),
  providerId: z.string(),
  profile: z.object({ id: z.string(), identity: z.string(), name: z.string().nullable() }).nullable(),
  senderName: z
    .string()
    .nullable()
    .describe(
      'The WhatsApp profile name the sender set in their app (Gupshup name / sender.name, Vonage profile.name), from their latest message that carried one; null when none did. Chosen by the sender and unverified. Plain text: render as text, never as HTML.',
    ),
  lastText: z.string().nullable().describe('Plain text: render as text, never as HTML.'),
  lastDirection: z.enum(['in', 'out']).nullable(),
  lastInboundAt: z.number().nullable(),
  lastOutboundAt: z.number().nullable(),
  unread: z.number(),
  campaign: named.nullable().describe('The campaign the latest attributed reply answers.'),
  windowOpen: z.boolean().describe('A free-text reply is allowed (the user wrote within 24 hours).'),
  windowClosesAt: z.number().nullable(),
  optedOut: z
    .boolean()
    .describe('Templates are refused (409): the phone opted out (phone-level DND: STOP, subscribe API) or its profile has MSG-dndWhatsApp true. Free text stays possible inside the window.'),
  notOptedIn: z
    .boolean()
    .describe('Templates are refused (409 profile_not_opted_in): the conversation\'s profile has not opted in to WhatsApp (MSG-whatsapp is not true). False when there is no profile. Free text stays possible inside the window.'),
  updatedAt: z.number(),
});
const messageSchema = z.object({
  id: z.string(),
  direction: z.enum(['in', 'out']),
  at: z.number(),
  text: z.string().nullable().describe('Plain text: render as text, never as HTML.'),
  messageType: z.string(),
  kind: z.enum(['campaign', 'test', 'reply', 'auto_reply', 'keyword_reply']).nullable(),
  status: z.string().nullable(),
  ticks: z.enum(['pending', 'sent', 'delivered', 'read', 'failed']).nullable(),
  campaign: named.nullable(),
  error: z.object({ category: z.string().nullable(), code: z.string().nullable(), detail: z.string().nullable() }).nullable(),
  sentAt: z.number().nullable(),
  deliveredAt: z.number().nullable(),
  readAt: z.number().nullable(),
  failedAt: z.number().nullable(),
  mediaUrl: z.string().nullable().describe('An http:// or https:// URL (other schemes from a provider are dropped).'),
  location: z
    .object({
      latitude: z.number().describe('Degrees, -90 to 90.'),
      longitude: z.number().describe('Degrees, -180 to 180.'),
      name: z.string().nullable().describe('Plain text: render as text, never as HTML.'),
      address: z.string().nullable().describe('Plain text: render as text, never as HTML.'),
    })
    .nullable()
    .describe('Where a shared location is (inbound `location` messages), else null.'),
});
const conversationSchema = summarySchema.extend({
  messages: z.array(messageSchema).describe('One page, oldest first.'),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next older page.'),
});
/** More changed conversations than this in one event: the event says "all" instead of listing them. */
const MAX_PHONES_PER_EVENT = 100;
const phoneParams = z.object({ phone: z.string().describe('E.164, URL-encoded: %2B919876543210; or the WhatsApp user id of a sender known only by it (a Vonage user with a username who did not share their number): US.13491208655302741918 (once paired with a number, it names the number\'s conversation)') });
const replyBody = z
  .object({
    text: z.string().optional().describe('A session message: allowed within 24 hours of the user\'s last message.'),
    templateId: z.string().optional().describe('A template of the conversation\'s provider account: allowed any time.'),
    params: z.array(z.string()).optional().describe('One literal value per template placeholder.'),
    mediaUrl: z.string().optional().describe('Required when the template has an attachment.'),
  })
  .strict();

/** The 422 of a route whose only input is the :phone path parameter (conversationPhone in inbox.service.ts). */
const BAD_PHONE = 'The phone in the path is neither an E.164 number nor a WhatsApp user id (validation_failed, on phone).';

export async function inboxRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['inbox'];
  const auth = { auth: 'project' as const };

  app.get(
    '/api/v1/inbox',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Conversations, most recent activity first; every filter given must hold.',
        querystring: z.object({
          phone: z.string().optional().describe('Only numbers containing these digits.'),
          q: storableText(z.string().max(MAX_SEARCH_LENGTH))
            .optional()
            .describe(
              'Search: conversations whose phone number contains these digits (when `q` is a phone number: digits, spaces, `+`, `-`, `(`, `)`, `.`), or whose profile Name or sender WhatsApp name (`senderName`) has a word starting with `q` (case-insensitive as the database\'s lower() is: ASCII letters on SQLite, every letter on PostgreSQL; a name typed as stored is always found; "asha", "patel" and "asha pat" find "Asha Patel", "tel" does not).',
            ),
          unread: z.enum(['true', 'false']).optional().describe('`true`: only conversations with unread messages.'),
          window: z
            .enum(['open', 'closed'])
            .optional()
            .describe('`open`: only conversations whose 24-hour window is open (a free-text reply is possible); `closed`: only those where a template is needed.'),
          campaignId: storableText(z.string().min(1).max(200))
            .optional()
            .describe("Only conversations answering this campaign: whose latest reply attributed to a campaign (the list's `campaign`) answers it."),
          cursor: cursorParam,
          limit: limitParam(200, 50),
        }),
        response: { 200: listOf(summarySchema) },
      },
    },
    async (request) => listConversations(deps, projectIdOf(request), { ...request.query, unread: request.query.unread === 'true' }),
  );

  app.get(
    '/api/v1/inbox/counts',
    {
      config: auth,
      schema: {
        tags,
        summary: 'How many conversations have unread messages (one count over an index of the unread conversations only).',
        response: { 200: z.object({ unread: z.number().int().describe('Conversations of this project with unread messages.') }) },
      },
    },
    async (request) => ({ unread: await countUnreadConversations(deps, projectIdOf(request)) }),
  );

  app.get(
    '/api/v1/inbox/events',
    {
      config: auth,
      schema: {
        tags,
        summary:
          'Server-sent events: `conversations` with `{"phones": [...]}` (or `{"all": true}` when many changed) whenever conversations of this project change — a message in, a reply queued, marked read or unread, a new tick of an agent reply, auto-reply or keyword confirmation (not of campaign messages: poll for those) — at most 4 a second. Changes applied by another wacast process are not announced: keep polling, less often.',
        response: {
          200: eventStreamResponse(
            {
              conversations: `\`{"phones": ["+14155550100", …]}\`, the E.164 numbers whose conversations changed (fetch them again), or \`{"all": true}\` when more than ${MAX_PHONES_PER_EVENT} changed at once (fetch the list again); at most 4 a second`,
            },
            'event: conversations\ndata: {"phones":["+14155550100"]}\n\n',
          ),
        },
      },
    },
    async (request, reply) => {
      const projectId = projectIdOf(request);
      const stream = openEventStream(reply);
      endWithSession(deps, request, stream);
      // Callbacks can change thousands of conversations a second: gather them, send every 250 ms.
      const changed = new Set<string>();
      let timer: NodeJS.Timeout | null = null;
      const flush = () => {
        timer = null;
        stream.send('conversations', JSON.stringify(changed.size > MAX_PHONES_PER_EVENT ? { all: true } : { phones: [...changed] }));
        changed.clear();
      };
      const unsubscribe = deps.bus.on('conversation-changed', (changedProject, phone) => {
        if (changedProject !== projectId) return;
        changed.add(phone);
        timer ??= setTimeout(flush, 250);
      });
      stream.onClose(() => {
        unsubscribe();
        if (timer) clearTimeout(timer);
      });
    },
  );

  app.get(
    '/api/v1/inbox/:phone',
    {
      config: auth,
      schema: {
        tags,
        summary: 'One conversation: inbound and outbound messages in time order, with delivery ticks and campaign context.',
        params: phoneParams,
        querystring: z.object({ cursor: cursorParam, limit: limitParam(200, 50) }),
        response: { 200: conversationSchema },
      },
    },
    async (request) => {
      const projectId = projectIdOf(request);
      return getConversation(deps, projectId, await conversationKey(deps, projectId, request.params.phone), request.query);
    },
  );

  app.post(
    '/api/v1/inbox/:phone/reply',
    {
      config: {
        ...auth,
        errorStatuses: [409],
        errorDescriptions: {
          409: 'The reply cannot be sent (error.code says why): window_closed (free text outside the 24-hour window: send a template), phone_opted_out (the phone opted out: phone-level DND), profile_dnd (the profile has MSG-dndWhatsApp true), profile_not_opted_in (the profile has not opted in to WhatsApp: MSG-whatsapp is not true), provider_deleted (the conversation\'s provider account was deleted). Templates are refused for the opt-out and opt-in reasons; free text inside the window is not.',
        },
      },
      schema: {
        tags,
        summary:
          'Reply: free text inside the 24-hour window (409 window_closed outside it), or a template any time unless the user opted out (409 phone_opted_out or profile_dnd) or the profile has not opted in to WhatsApp (409 profile_not_opted_in).',
        params: phoneParams,
        body: replyBody,
        response: { 201: messageSchema },
      },
    },
    async (request, reply) => {
      const projectId = projectIdOf(request);
      const message = await replyToConversation(deps, projectId, await conversationKey(deps, projectId, request.params.phone), request.body);
      return reply.status(201).send(message);
    },
  );

  app.post(
    '/api/v1/inbox/:phone/read',
    {
      config: { ...auth, errorStatuses: [422], errorDescriptions: { 422: BAD_PHONE } },
      schema: { tags, summary: 'Mark the conversation read (unread 0); announced on the event stream.', params: phoneParams, response: { 200: summarySchema } },
    },
    async (request) => {
      const projectId = projectIdOf(request);
      return markConversationRead(deps, projectId, await conversationKey(deps, projectId, request.params.phone));
    },
  );

  app.post(
    '/api/v1/inbox/:phone/unread',
    {
      config: { ...auth, errorStatuses: [422], errorDescriptions: { 422: BAD_PHONE } },
      schema: {
        tags,
        summary:
          'Mark the conversation unread, to leave it for later or for a colleague: unread becomes 1 (a count already above 0 is kept); announced on the event stream. The dashboard marks a conversation read when it is opened.',
        params: phoneParams,
        response: { 200: summarySchema },
      },
    },
    async (request) => {
      const projectId = projectIdOf(request);
      return markConversationUnread(deps, projectId, await conversationKey(deps, projectId, request.params.phone));
    },
  );
}
