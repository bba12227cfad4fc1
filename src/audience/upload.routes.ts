/**
 * The source product's server API for audience data, so existing client code can point at wacast:
 * `POST /api/v1/upload` (alias `POST /1/upload`) and `POST /api/v1/subscribe` (alias
 * `POST /1/subscribe`). The aliases authenticate with `X-CleverTap-Account-Id` /
 * `X-CleverTap-Passcode` (mapped to project API credentials by the auth plugin) as well as the
 * wacast headers. Per-record failures answer 200 with `unprocessed[]`, like the source product.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { payloadTooLarge } from '../errors.js';
import { projectIdOf } from '../auth/auth.plugin.js';
import { MAX_RECORDS_PER_CALL, UPLOAD_BODY_LIMIT } from './audience.limits.js';
import { uploadRecords } from './upload.service.js';
import { subscribeRecords } from './subscribe.service.js';
import { ProviderOptCalls } from '../providers/opt-calls.js';

const profileRecord = z
  .looseObject({
    type: z.literal('profile'),
    identity: z.union([z.string(), z.number()]).optional().describe('The profile identity (or use objectId).'),
    objectId: z.string().optional(),
    ts: z.number().optional().describe('Epoch seconds.'),
    profileData: z
      .record(z.string(), z.unknown())
      .describe('Properties to set. Values: strings (≤ 512), numbers, booleans, lists (≤ 100), "$D_<epoch seconds>" dates, or one operator: {"$add": …}, {"$remove": …}, {"$incr": n}, {"$decr": n}, {"$delete": 1}. Phone in E.164; MSG-whatsapp / MSG-dndWhatsApp booleans.'),
  })
  .describe('A profile record.');

const eventRecord = z
  .looseObject({
    type: z.literal('event'),
    identity: z.union([z.string(), z.number()]).optional(),
    objectId: z.string().optional(),
    ts: z.number().optional().describe('Epoch seconds; default now.'),
    evtName: z.string().describe('Event name (case- and space-insensitive); system events are refused with code 513.'),
    evtData: z.record(z.string(), z.unknown()).optional(),
  })
  .describe('An event record; an unknown identity creates the profile.');

const uploadBody = z.object({
  d: z
    .array(z.union([profileRecord, eventRecord, z.unknown()]))
    .min(1, 'must hold at least one record')
    .describe(`1 to ${MAX_RECORDS_PER_CALL} records; each is checked on its own (failures come back in unprocessed).`),
});

const subscribeBody = z.object({
  d: z
    .array(
      z.union([
        z.looseObject({
          type: z.literal('whatsapp'),
          value: z.string().describe('Phone number, E.164.'),
          status: z.enum(['Unsubscribe', 'Resubscribe']),
        }),
        z.unknown(),
      ]),
    )
    .min(1, 'must hold at least one record')
    .describe(`1 to ${MAX_RECORDS_PER_CALL} records.`),
});

const batchResponse = z.object({
  status: z.enum(['success', 'partial', 'fail']),
  processed: z.number().int(),
  unprocessed: z.array(
    z.object({
      status: z.literal('fail'),
      code: z.number().int().describe('509, 512–526 or 555: see docs/audience.md.'),
      error: z.string(),
      index: z.number().int().describe('Position of the record in d.'),
      record: z.unknown(),
    }),
  ),
});

/** 413 before validation when `d` holds more records than one call may carry. */
async function checkRecordCount(request: FastifyRequest): Promise<void> {
  const d = (request.body as { d?: unknown } | null | undefined)?.d;
  if (Array.isArray(d) && d.length > MAX_RECORDS_PER_CALL) {
    throw payloadTooLarge(`At most ${MAX_RECORDS_PER_CALL} records per call; this one has ${d.length}. Split it into calls of ${MAX_RECORDS_PER_CALL}.`);
  }
}

export async function uploadRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const optCalls = new ProviderOptCalls(deps);
  fastify.addHook('onClose', () => optCalls.close());

  for (const url of ['/api/v1/upload', '/1/upload']) {
    app.post(
      url,
      {
        config: { auth: 'project', checksTextItself: true },
        bodyLimit: UPLOAD_BODY_LIMIT,
        preValidation: checkRecordCount,
        schema: {
          tags: ['audience'],
          summary: url === '/1/upload' ? 'Upload profiles and events (CleverTap-compatible path).' : 'Upload profiles and events.',
          description:
            'The CleverTap upload format. Valid records are stored in one transaction, failed ones come back in unprocessed with their code. The /1/upload path also accepts X-CleverTap-Account-Id / X-CleverTap-Passcode.',
          body: uploadBody,
          response: { 200: batchResponse },
        },
      },
      async (request) => uploadRecords(db, projectIdOf(request), request.body.d),
    );
  }

  for (const url of ['/api/v1/subscribe', '/1/subscribe']) {
    app.post(
      url,
      {
        config: { auth: 'project', checksTextItself: true },
        preValidation: checkRecordCount,
        schema: {
          tags: ['audience'],
          summary: 'Unsubscribe or resubscribe phone numbers (phone-level DND).',
          description: 'An unsubscribed phone blocks every profile with that phone, whatever the profile flags say.',
          body: subscribeBody,
          response: { 200: batchResponse },
        },
      },
      async (request) => {
        const projectId = projectIdOf(request);
        return subscribeRecords(db, projectId, request.body.d, {
          // Resubscribe → OPT_IN, Unsubscribe → OPT_OUT with the project's provider accounts.
          onCommitted: (rows) => {
            optCalls.requestForProject(projectId, rows.map((row) => ({ phone: row.phone, optIn: !row.dnd }))).catch((error: unknown) => {
              request.log.warn({ err: error }, 'provider opt-in/opt-out calls not started');
            });
          },
        });
      },
    );
  }
}
