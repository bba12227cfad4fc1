/** REST API of campaigns: /api/v1/campaigns, the report stream, previews and test sends. */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps.js';
import { projectIdOf } from '../auth/auth.plugin.js';
import { notFound, validationFailed } from '../errors.js';
import { changeOf, cursorParam, limitParam, listOf, refuseInvalidBody } from '../validation.js';
import { getTemplateRow } from '../templates/templates.service.js';
import {
  campaignPatchProblems,
  checkCampaign,
  cloneCampaign,
  createCampaign,
  deleteCampaign,
  getCampaign,
  listCampaigns,
  pauseCampaign,
  publishCampaign,
  resumeCampaign,
  stopCampaign,
  updateCampaign,
  type Audience,
  type Campaign,
  type CampaignInput,
} from './campaigns.service.js';
import { campaignTimeline, CSV_COLUMN_NAMES, LOG_STATUSES, messageLog, messageLogCsv } from './campaign-report.js';
import { previewFor, sampleProfile, sendTestMessage } from './send-test.js';
import { eventStreamResponse, openEventStream } from '../net/event-stream.js';
import { endWithSession } from '../auth/stream-auth.js';
import { ACTIVITY_ACTIONS, actorOf, listActivity, type Actor } from './campaign-activity.js';
import { MAX_RATE_PER_SECOND } from '../providers/provider-accounts.service.js';
import { frequencyCapInput } from './frequency-cap.js';

const stateEnum = z.enum(['draft', 'scheduled', 'running', 'paused', 'completed', 'stopped', 'failed']);
const audienceSchema = z.union([
  z.object({ segmentId: z.string() }).strict(),
  z.object({ all: z.literal(true) }).strict(),
  z.object({ identities: z.array(z.string()) }).strict(),
]);
const dndSchema = z.object({
  from: z.string().describe('HH:MM, 24-hour'),
  to: z.string().describe('HH:MM, 24-hour'),
  timezone: z.string().describe('IANA timezone, e.g. Asia/Kolkata'),
  action: z.enum(['delay', 'discard'], { message: 'must be "delay" or "discard"' }),
});
const FREQUENCY_CAP_TEXT = 'Skip recipients who already received `messages` campaign messages from this project in the last `days` days (1–100 messages, 1–90 days).';
const frequencyCapSchema = z.object({ messages: z.number(), days: z.number() }).describe(FREQUENCY_CAP_TEXT);
const time = z.union([z.number(), z.string()]).nullable().optional().describe('ISO 8601 date-time or epoch milliseconds');

const campaignBody = z.object({
  name: z.string(),
  providerId: z.string().optional().describe('Defaults to the project\'s default provider account.'),
  templateId: z.string(),
  audience: z.unknown().describe('{"segmentId":"…"} | {"all":true} | {"identities":["…"]}'),
  params: z.array(z.string()).describe('One Liquid expression per template placeholder, e.g. {{ Profile.Name | default: "there" }}'),
  mediaUrl: z.string().nullable().optional(),
  sendAt: time,
  // Checked with the service's words (checkCampaign); its upper bound is the provider account's rate.
  ratePerSecond: z
    .number()
    .int('must be a whole number of at least 1')
    .min(1, 'must be a whole number of at least 1')
    .meta({ maximum: MAX_RATE_PER_SECOND })
    .nullable()
    .optional()
    .describe("Messages per second for this campaign, at most its provider account's ratePerSecond; null or absent: the account's rate."),
  // Unknown fields inside are refused as the body's own are, naming the allowed ones (they were
  // dropped, the rest saved); the answers keep the plain schemas.
  dnd: dndSchema.strict().nullable().optional(),
  cutoffAt: time,
  conversionEvent: z
    .string()
    .nullable()
    .optional()
    .describe('Conversion goal: a recipient converts (stats.converted) when the profile does this event within 7 days after its message was sent, by the event\'s timestamp.'),
  frequencyCap: frequencyCapInput.describe(FREQUENCY_CAP_TEXT).nullable().optional(),
}).strict();

const statsSchema = z.object({
  targeted: z.number(),
  skipped: z.object({ notOptedIn: z.number(), dnd: z.number(), invalidPhone: z.number(), renderError: z.number(), frequencyCap: z.number(), total: z.number() }),
  queued: z.number(),
  sent: z.number(),
  delivered: z.number(),
  read: z.number(),
  failed: z.number(),
  unknown: z.number(),
  cancelled: z.number(),
  replied: z.number(),
  converted: z.number(),
  failedByCategory: z.record(z.string(), z.number()),
});

export const campaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  providerId: z.string(),
  templateId: z.string(),
  audience: audienceSchema,
  params: z.array(z.string()),
  mediaUrl: z.string().nullable(),
  sendAt: z.number().nullable(),
  ratePerSecond: z.number().nullable(),
  dnd: dndSchema.nullable(),
  cutoffAt: z.number().nullable(),
  conversionEvent: z.string().nullable(),
  frequencyCap: frequencyCapSchema.nullable(),
  state: stateEnum,
  stateReason: z.string().nullable(),
  clonedFrom: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  publishedAt: z.number().nullable(),
  startedAt: z.number().nullable(),
  completedAt: z.number().nullable(),
  audienceMaterialized: z.boolean(),
  stats: statsSchema,
  warnings: z
    .array(z.object({ code: z.enum(['no_delivery_reports', 'provider_throttling', 'messaging_limit']), message: z.string() }))
    .describe(
      'Non-blocking: nothing is refused or stopped because of them. ' +
        'no_delivery_reports: messages were sent, but no delivery report has reached the provider account since the campaign started (5 minutes or more ago). ' +
        'provider_throttling: while the campaign runs (in the last 10 minutes), a delivery report said the provider throttled its account; sending for the account slowed down. ' +
        "messaging_limit: when the campaign was published (in the publish answer and from then on), its audience (reachable profiles, less those its frequency cap skips) was larger than what its provider account had left of the daily messaging limit set on it (dailyRecipientLimit): WhatsApp fails template messages to unique users beyond the number's tier.",
    ),
});

const rawSchema = z.object({ request: z.object({ method: z.string(), url: z.string(), body: z.string() }), response: z.object({ status: z.number(), body: z.string() }).optional() });
const testResultSchema = z.object({
  ok: z.boolean(),
  messageId: z.string(),
  providerMessageId: z.string().optional(),
  category: z.string().optional(),
  detail: z.string().optional(),
  raw: rawSchema,
});

const idParams = z.object({ id: z.string() });

/**
 * A file name from a campaign name: runs of other characters become one dash, none at the ends,
 * at most 60 characters. Cut by code points, not UTF-16 units: half of a surrogate pair (a letter
 * such as 𠀀 across the cut) makes encodeURIComponent throw, and the export answered 500.
 */
function fileNameOf(name: string, keep: RegExp): string {
  const words = name.replace(keep, '-').replace(/^-+|-+$/g, '');
  return Array.from(words).slice(0, 60).join('').replace(/-+$/, '');
}

/**
 * The export's file name, `<campaign name>-messages.csv`: ASCII in `filename` for every client,
 * and the name in any script in `filename*` (RFC 6266), which browsers prefer: a campaign named
 * "दिवाली सेल" downloads as such, not as "--messages.csv".
 */
function csvDisposition(campaignName: string): string {
  const ascii = fileNameOf(campaignName, /[^A-Za-z0-9_-]+/g) || 'campaign';
  const unicode = fileNameOf(campaignName.normalize('NFC'), /[^\p{L}\p{M}\p{N}_-]+/gu) || ascii;
  return `attachment; filename="${ascii}-messages.csv"; filename*=UTF-8''${encodeURIComponent(`${unicode}-messages.csv`)}`;
}

/** The audience as typed; a wrong shape is reported by checkCampaign together with every other problem. */
function normaliseAudience(value: unknown): Audience {
  const parsed = audienceSchema.safeParse(value);
  return (parsed.success ? parsed.data : value) as Audience;
}

export async function campaignRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['campaigns'];
  const auth = { auth: 'project' as const };
  // State changes refused in the campaign's state answer 409 (listed in the OpenAPI document).
  const stateChange = { ...auth, errorStatuses: [409] };

  app.post(
    '/api/v1/campaigns',
    // attachValidation: a body refused by the schema is answered with the service's checks too.
    { config: auth, attachValidation: true, schema: { tags, summary: 'Create a campaign (a draft).', body: campaignBody, response: { 201: campaignSchema } } },
    async (request, reply) => {
      const projectId = projectIdOf(request);
      await refuseInvalidBody(request, async (fields) => {
        await checkCampaign(deps, projectId, { ...fields, audience: normaliseAudience(fields.audience) } as CampaignInput);
        return [];
      });
      const campaign = await createCampaign(deps, projectId, { ...request.body, audience: normaliseAudience(request.body.audience) }, actorOf(request));
      return reply.status(201).send(campaign);
    },
  );

  app.get(
    '/api/v1/campaigns',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Campaigns, newest first, with their state, key numbers and who created them.',
        querystring: z.object({ state: stateEnum.optional(), cursor: cursorParam, limit: limitParam(200, 50) }),
        response: {
          200: listOf(
            campaignSchema.extend({
              createdBy: z
                .object({ type: z.enum(['user', 'api', 'system']), label: z.string() })
                .nullable()
                .describe("Who created the campaign (or the copy), as its activity's first entry says: a user's email, API credentials' label, or wacast itself; null for campaigns created before activity was recorded."),
            }),
          ),
        },
      },
    },
    async (request) => listCampaigns(deps, projectIdOf(request), request.query),
  );

  app.get(
    '/api/v1/campaigns/:id',
    { config: auth, schema: { tags, summary: 'A campaign with its stats (incrementally kept counters).', params: idParams, response: { 200: campaignSchema } } },
    async (request) => getCampaign(deps, projectIdOf(request), request.params.id),
  );

  app.patch(
    '/api/v1/campaigns/:id',
    {
      config: stateChange,
      // attachValidation: a body refused by the schema is answered with the service's checks too.
      attachValidation: true,
      schema: { tags, summary: 'Change a draft (or the name and delivery settings of a scheduled or paused campaign).', params: idParams, body: changeOf(campaignBody.partial()), response: { 200: campaignSchema } },
    },
    async (request) => {
      await refuseInvalidBody(request, async (fields) => {
        const patch = fields.audience !== undefined ? { ...fields, audience: normaliseAudience(fields.audience) } : fields;
        await campaignPatchProblems(deps, projectIdOf(request), request.params.id, patch as Partial<CampaignInput>);
        return [];
      });
      const patch = { ...request.body, ...(request.body.audience !== undefined ? { audience: normaliseAudience(request.body.audience) } : {}) };
      return updateCampaign(deps, projectIdOf(request), request.params.id, patch as Parameters<typeof updateCampaign>[3], actorOf(request));
    },
  );

  app.delete(
    '/api/v1/campaigns/:id',
    { config: stateChange, schema: { tags, summary: 'Delete a draft.', params: idParams, response: { 204: z.null() } } },
    async (request, reply) => {
      await deleteCampaign(deps, projectIdOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  // Each records who did it in the campaign's activity (GET /api/v1/campaigns/:id/activity).
  const actions: Array<[string, string, (projectId: string, id: string, actor: Actor) => Promise<Campaign>, 200 | 201]> = [
    ['publish', 'Publish: send now, or at sendAt.', (projectId, id, actor) => publishCampaign(deps, projectId, id, actor), 200],
    ['pause', 'Pause: stops claiming messages within a second.', (projectId, id, actor) => pauseCampaign(deps, projectId, id, actor), 200],
    ['resume', 'Resume a paused campaign.', (projectId, id, actor) => resumeCampaign(deps, projectId, id, actor), 200],
    ['stop', 'Stop for good: what is still queued is cancelled, and recipients not added yet are added cancelled (targeted stays the whole audience).', (projectId, id, actor) => stopCampaign(deps, projectId, id, actor), 200],
    ['clone', 'Copy the campaign into a new draft.', (projectId, id, actor) => cloneCampaign(deps, projectId, id, actor), 201],
  ];
  for (const [action, summary, run, status] of actions) {
    app.post(
      `/api/v1/campaigns/:id/${action}`,
      { config: stateChange, schema: { tags, summary: `${summary} Illegal state changes answer 409.`, params: idParams, response: { [status]: campaignSchema } } },
      async (request, reply) => reply.status(status).send(await run(projectIdOf(request), request.params.id, actorOf(request))),
    );
  }

  const timestamp = z.number().nullable();
  const messageLogEntrySchema = z.object({
    id: z.string(),
    identity: z.string().nullable(),
    phone: z.string().nullable().describe('E.164'),
    status: z.enum(['skipped', 'queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'unknown', 'cancelled']),
    skipReason: z.string().nullable(),
    errorCategory: z.string().nullable(),
    errorCode: z.string().nullable(),
    errorDetail: z.string().nullable(),
    providerMessageId: z.string().nullable(),
    attempts: z.number().int(),
    createdAt: z.number().describe('Epoch milliseconds, like every time below.'),
    sentAt: timestamp,
    deliveredAt: timestamp,
    readAt: timestamp,
    failedAt: timestamp,
    repliedAt: timestamp.describe('When the recipient first answered this message.'),
    convertedAt: timestamp.describe('When the recipient did the campaign\'s conversion goal event.'),
  });

  app.get(
    '/api/v1/campaigns/:id/messages',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Per-message log, filterable by status; format=csv exports everything that matches.',
        params: idParams,
        querystring: z.object({
          status: z.enum(LOG_STATUSES).optional(),
          cursor: cursorParam,
          limit: limitParam(500, 100),
          format: z.enum(['json', 'csv']).default('json'),
          bom: z
            .enum(['true', 'false'])
            .default('false')
            .describe('With format=csv: start the file with a UTF-8 byte-order mark, so that Excel reads names and replies in any script correctly (it takes a CSV without one for the local code page). The dashboard\'s Export CSV sets it; scripts usually want it off, the default.'),
        }),
        // Declared so the OpenAPI document gives the log's shape (it had none), and the CSV's type
        // (it said application/json). The CSV answer is a stream, which Fastify sends as it is.
        response: {
          200: {
            description: 'A page of the log; with format=csv, every message that matches, as a text/csv download.',
            content: {
              'application/json': { schema: listOf(messageLogEntrySchema) },
              'text/csv': {
                schema: z
                  .string()
                  .describe(`With format=csv: the header line ${CSV_COLUMN_NAMES.join(',')}, then one line per message (RFC 4180; times ISO 8601, empty when none).`)
                  .meta({ examples: [`${CSV_COLUMN_NAMES.join(',')}\n0190…,u1,+919876543210,delivered,,,,,wamid.HBg…,1,2026-11-02T09:00:00.000Z,2026-11-02T09:00:01.000Z,2026-11-02T09:00:03.000Z,,,,\n`] }),
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const campaign = await getCampaign(deps, projectIdOf(request), request.params.id);
      if (request.query.format === 'csv') {
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', csvDisposition(campaign.name))
          // A stream is sent as it is: the JSON response schema types send() but never applies to it.
          .send(Readable.from(messageLogCsv(deps, campaign.id, request.query.status, { bom: request.query.bom === 'true' })) as never);
      }
      return messageLog(deps, campaign.id, request.query);
    },
  );

  const activityEntrySchema = z.object({
    id: z.string(),
    at: z.number().describe('Epoch milliseconds.'),
    action: z
      .enum(ACTIVITY_ACTIONS)
      .describe(
        'created, edited, published, started (the scheduler started it at its send time), paused, resumed, stopped, completed, failed, ' +
          'cloned (a copy was made of it), cloned_from (it is a copy), interrupted (a worker stopped or stalled while sending: ' +
          'details.requeued messages it had claimed but not sent were queued again, details.unknown may have been sent).',
      ),
    actor: z
      .object({
        type: z.enum(['user', 'api', 'system']),
        label: z.string().describe("user: their email; api: the API credentials' label; system: scheduler, publisher or wacast restore. As it was then."),
        id: z.string().nullable().describe("user: their user id; api: the credentials' account id (WAC-…); system: null."),
      })
      .describe('Who or what did it. Kept when the user is removed or the credentials are revoked.'),
    details: z
      .record(z.string(), z.unknown())
      .describe(
        'edited: {fields} (the names of the fields that changed); published and resumed: {state} (running, or scheduled, with sendAt); ' +
          'stopped, completed (ended before everything was sent), failed, and paused by wacast restore: {reason}; ' +
          'cloned: {campaignId, name} of the copy; cloned_from: {campaignId, name} of the original. Otherwise {}.',
      ),
  });

  app.get(
    '/api/v1/campaigns/:id/activity',
    {
      config: auth,
      schema: {
        tags,
        summary:
          'Who or what changed the campaign, newest first: every edit and state change with its time and actor (a dashboard user, API credentials, or wacast itself: the scheduler, the publisher, wacast restore).',
        params: idParams,
        querystring: z.object({ cursor: cursorParam, limit: limitParam(200, 50) }),
        response: { 200: listOf(activityEntrySchema) },
      },
    },
    async (request) => listActivity(deps, projectIdOf(request), request.params.id, request.query),
  );

  app.get(
    '/api/v1/campaigns/:id/timeline',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Per-minute counts of sent, delivered, read, failed and replied (the whole campaign in one page: nextCursor is always null).',
        params: idParams,
        response: {
          200: z.object({
            items: z.array(z.object({ at: z.number(), sent: z.number(), delivered: z.number(), read: z.number(), failed: z.number(), replied: z.number() })),
            nextCursor: z.null(),
          }),
        },
      },
    },
    async (request) => {
      const campaign = await getCampaign(deps, projectIdOf(request), request.params.id);
      return { items: await campaignTimeline(deps, campaign.id), nextCursor: null };
    },
  );

  app.get(
    '/api/v1/campaigns/:id/events',
    {
      config: auth,
      schema: {
        tags,
        summary: 'Server-sent events: `campaign` with the campaign and its stats whenever they change.',
        params: idParams,
        response: {
          200: eventStreamResponse(
            {
              campaign:
                'the campaign with its stats, as GET /api/v1/campaigns/{id} answers it; sent when it changes, at most 4 times a second (and checked every 2 s for changes made by other wacast processes)',
            },
            'event: campaign\ndata: {"id":"0190…","name":"Diwali sale","state":"running","stats":{"targeted":1000,"sent":412,…},…}\n\n',
          ),
        },
      },
    },
    async (request, reply) => {
      const projectId = projectIdOf(request);
      const id = request.params.id;
      await getCampaign(deps, projectId, id);
      const stream = openEventStream(reply);
      endWithSession(deps, request, stream);
      let last = '';
      let pending = false;
      /** A change came during the pause: it is sent when the pause ends, not at the next poll. */
      let again = false;
      const push = async () => {
        if (stream.closed) return;
        if (pending) {
          again = true;
          return;
        }
        pending = true;
        try {
          const data = JSON.stringify(await getCampaign(deps, projectId, id));
          if (data !== last) {
            last = data;
            stream.send('campaign', data);
          }
        } catch (error) {
          request.log.warn({ err: error }, 'campaign stream update failed');
        } finally {
          // At most 4 updates a second, whatever the message rate; the last change of a burst
          // still goes out at the end of the pause.
          setTimeout(() => {
            pending = false;
            if (again) {
              again = false;
              void push();
            }
          }, 250).unref();
        }
      };
      const unsubscribe = deps.bus.on('campaign-changed', (changed) => {
        if (changed === id) void push();
      });
      // Other processes (scale-out workers) change counters without telling this one: poll too.
      const poll = setInterval(() => void push(), 2000);
      stream.onClose(() => {
        unsubscribe();
        clearInterval(poll);
      });
      await push();
    },
  );

  app.post(
    '/api/v1/campaigns/preview',
    {
      // 404: the template, or the profile named by identity.
      config: { ...auth, errorStatuses: [404] },
      schema: {
        tags,
        summary: 'Render the placeholder values for a sample profile (the given identity, or the first profile).',
        body: z.object({ templateId: z.string(), params: z.array(z.string()), identity: z.string().optional() }).strict(),
        response: {
          200: z.object({ identity: z.string().nullable(), ok: z.boolean(), values: z.array(z.string()).optional(), body: z.string().optional(), error: z.string().optional() }),
        },
      },
    },
    async (request) => {
      const projectId = projectIdOf(request);
      const template = await getTemplateRow(deps, projectId, request.body.templateId);
      const profile = await sampleProfile(deps, projectId, request.body.identity);
      if (request.body.identity && !profile) throw notFound('Profile', request.body.identity);
      const preview = previewFor(profile ?? { identity: '', phone: null, properties: {} }, template.body, request.body.params);
      return { identity: profile?.identity ?? null, ...preview };
    },
  );

  app.post(
    '/api/v1/campaigns/send-test',
    {
      // 404: the template, provider account or profile named in the body; 429: the per-account limit.
      config: { ...auth, errorStatuses: [404, 429] },
      schema: {
        tags,
        summary: 'Render the message for a profile and send it now to a phone number; answers with the provider\'s raw response. Test messages of one account: at most 1 in any second up to 50/s, 2 up to 100/s, 3 above — the room its campaigns leave (429 with Retry-After beyond).',
        body: z.object({
          providerId: z.string().optional(),
          templateId: z.string(),
          params: z.array(z.string()),
          mediaUrl: z.string().nullable().optional(),
          to: z.string(),
          identity: z.string().optional(),
        }).strict(),
        response: { 200: testResultSchema },
      },
    },
    async (request) => {
      const projectId = projectIdOf(request);
      const template = await getTemplateRow(deps, projectId, request.body.templateId);
      const sample = await sampleProfile(deps, projectId, request.body.identity);
      // As in the preview: a profile named but not found is a 404, not a render of nobody.
      if (request.body.identity && !sample) throw notFound('Profile', request.body.identity);
      const profile = sample ?? { identity: '', phone: null, properties: {} };
      const preview = previewFor(profile, template.body, request.body.params);
      if (!preview.ok) throw validationFailed([{ path: 'params', message: `cannot be rendered for ${profile.identity || 'an empty profile'}: ${preview.error}` }]);
      return sendTestMessage(deps, projectId, {
        providerId: request.body.providerId ?? template.provider_id,
        templateId: template.id,
        values: preview.values,
        mediaUrl: request.body.mediaUrl,
        to: request.body.to,
      });
    },
  );

  app.post(
    '/api/v1/providers/:id/test',
    {
      config: { ...auth, errorStatuses: [429] },
      schema: {
        tags: ['providers'],
        summary: 'Send a template message with the given values to a phone number now; answers with the provider\'s raw response. Test messages of one account: at most 1 in any second up to 50/s, 2 up to 100/s, 3 above — the room its campaigns leave (429 with Retry-After beyond).',
        params: idParams,
        body: z.object({ to: z.string(), templateId: z.string(), params: z.array(z.string()).default([]), mediaUrl: z.string().nullable().optional() }).strict(),
        response: { 200: testResultSchema },
      },
    },
    async (request) =>
      sendTestMessage(deps, projectIdOf(request), {
        providerId: request.params.id,
        templateId: request.body.templateId,
        values: request.body.params,
        mediaUrl: request.body.mediaUrl,
        to: request.body.to,
        valuesAsTyped: true,
      }),
  );
}
