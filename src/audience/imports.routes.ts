/**
 * CSV import from the dashboard: `POST /api/v1/imports` takes the file (multipart field `file`, or
 * a `text/csv` body), spools it to a temporary file and answers 202 with the import record at once;
 * the import then runs in this process (the same streaming importer as the CLI) and the dashboard
 * polls `GET /api/v1/imports/:id` for progress and the bad-row report. On shutdown a running
 * import stops between batches and is recorded as failed (re-importing the file is safe).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { AppError, badRequest, payloadTooLarge, validationFailed } from '../errors.js';
import { projectIdOf } from '../auth/auth.plugin.js';
import { cursorParam, limitParam, listOf } from '../validation.js';
import { isPhoneRegion } from './phone.js';
import { createImport, getImport, listImports, runImport } from './imports.service.js';

/** Largest CSV file accepted from the dashboard (about 5 million ordinary profile rows). */
export const MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

const importSchema = z.object({
  id: z.string(),
  filename: z.string(),
  source: z.string().describe('Who started it: dashboard (a logged-in user), api (API credentials) or cli (wacast import profiles).'),
  status: z.enum(['running', 'completed', 'failed']),
  sizeBytes: z.number().nullable(),
  processedBytes: z.number().describe('Progress: bytes of the file read so far.'),
  rows: z.number(),
  importedRows: z.number(),
  createdRows: z.number(),
  updatedRows: z.number(),
  unchangedRows: z.number(),
  failedRows: z.number(),
  badRows: z.array(z.object({ line: z.number(), identity: z.string().nullable(), reason: z.string() })).describe('The first 1000 bad rows.'),
  badRowsTruncated: z.boolean(),
  message: z.string().nullable().describe('Why a failed import failed.'),
  createdAt: z.number(),
  updatedAt: z.number(),
  finishedAt: z.number().nullable(),
});

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];

function limitBytes(max: number): Transform & { bytes: () => number } {
  let seen = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > max) callback(payloadTooLarge(`The file is larger than the ${max / 1024 / 1024} MiB import limit; split it, or use \`wacast import profiles\` on the server.`));
      else callback(null, chunk);
    },
  });
  return Object.assign(transform, { bytes: () => seen });
}

/**
 * The file name as shown in the imports list: the base name, without control characters or
 * half surrogate pairs (PostgreSQL refuses a NUL in text; a name is not worth refusing a file).
 */
function displayName(name: string): string {
  const clean = basename(name).replace(/[\u0000-\u001f\u007f]/g, '').replace(/\p{Surrogate}/gu, '\uFFFD').trim();
  return clean === '' ? 'upload.csv' : clean;
}

interface Upload {
  filename: string;
  stream: Readable;
  defaultRegion: string | undefined;
}

async function readUpload(request: FastifyRequest, query: { filename?: string | undefined; defaultRegion?: string | undefined }): Promise<Upload> {
  if (request.isMultipart()) {
    const file = await request.file();
    if (!file) throw validationFailed([{ path: 'file', message: 'is required: send the CSV in the multipart field "file"' }]);
    const field = file.fields.defaultRegion;
    const regionField = field && !Array.isArray(field) && field.type === 'field' ? String(field.value) : undefined;
    return { filename: displayName(file.filename || 'upload.csv'), stream: file.file, defaultRegion: regionField || query.defaultRegion };
  }
  const type = String(request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!CSV_TYPES.includes(type)) throw new AppError(415, 'unsupported_media_type', 'Send the CSV as multipart/form-data (field "file") or as a text/csv body.');
  return { filename: displayName(query.filename ?? 'upload.csv'), stream: request.body as Readable, defaultRegion: query.defaultRegion };
}

export async function importRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db, logger } = deps;
  await fastify.register(multipart, { limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 10 } });
  // The raw stream: the file is spooled to disk, not buffered (bodyLimit does not apply; limitBytes does).
  fastify.addContentTypeParser(CSV_TYPES, (_request, payload, done) => done(null, payload));
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  const running = new Map<string, { done: Promise<void>; abort: AbortController }>();
  fastify.addHook('onClose', async () => {
    for (const job of running.values()) job.abort.abort();
    await Promise.allSettled([...running.values()].map((job) => job.done));
  });

  app.post(
    '/api/v1/imports',
    {
      config: { auth: 'project' },
      schema: {
        tags: ['audience'],
        summary: 'Import profiles from a CSV file.',
        description:
          'multipart/form-data with the file in field "file" (and optionally a "defaultRegion" field), or a text/csv body. First column identity (or Identity, objectId), then properties; see docs/audience.md for types. Answers 202 with the import; poll GET /api/v1/imports/{id}.',
        consumes: ['multipart/form-data', 'text/csv'],
        // Documentation only (any body passes here; readUpload checks it): the multipart form.
        body: z.unknown().meta({
          type: 'object',
          properties: {
            file: { type: 'string', format: 'binary', description: 'The CSV file.' },
            defaultRegion: { type: 'string', description: 'ISO country code for phone numbers without a country code, e.g. IN.' },
          },
          required: ['file'],
        }),
        querystring: z.object({
          filename: z.string().max(255).optional().describe('Name shown for a text/csv body.'),
          defaultRegion: z.string().optional().describe('ISO country code for phone numbers without a country code, e.g. IN.'),
        }),
        response: { 202: importSchema },
      },
    },
    async (request, reply) => {
      const projectId = projectIdOf(request);
      const upload = await readUpload(request, request.query);
      if (upload.defaultRegion !== undefined && !isPhoneRegion(upload.defaultRegion.toUpperCase())) {
        upload.stream.resume();
        throw validationFailed([{ path: 'defaultRegion', message: `${JSON.stringify(upload.defaultRegion)} is not an ISO country code (e.g. IN, US, GB)` }]);
      }
      const dir = await mkdtemp(join(tmpdir(), 'wacast-import-'));
      const spool = join(dir, 'upload.csv');
      const counter = limitBytes(MAX_IMPORT_BYTES);
      try {
        await pipeline(upload.stream, counter, createWriteStream(spool));
        if ('truncated' in upload.stream && upload.stream.truncated) throw payloadTooLarge(`The file is larger than the ${MAX_IMPORT_BYTES / 1024 / 1024} MiB import limit.`);
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        if (error instanceof AppError) throw error;
        throw badRequest(`The upload could not be read: ${error instanceof Error ? error.message : String(error)}`);
      }
      // Who started it: a dashboard user (a session) or a script with API credentials.
      const source = request.auth?.kind === 'api' ? 'api' : 'dashboard';
      const created = await createImport(db, projectId, { filename: upload.filename, sizeBytes: counter.bytes(), source });
      const abort = new AbortController();
      const done = runImport(db, projectId, created.id, createReadStream(spool), { defaultRegion: upload.defaultRegion, signal: abort.signal })
        .then(() => undefined)
        .catch((error: unknown) => logger.error({ err: error, importId: created.id }, 'import failed'))
        .finally(async () => {
          running.delete(created.id);
          await rm(dir, { recursive: true, force: true });
        });
      running.set(created.id, { done, abort });
      return reply.status(202).send(created);
    },
  );

  app.get(
    '/api/v1/imports',
    {
      config: { auth: 'project' },
      schema: {
        tags: ['audience'],
        summary: 'Imports, newest first.',
        querystring: z.object({ limit: limitParam(200, 50), cursor: cursorParam }),
        response: { 200: listOf(importSchema) },
      },
    },
    async (request) => listImports(db, projectIdOf(request), request.query),
  );

  app.get(
    '/api/v1/imports/:id',
    {
      config: { auth: 'project' },
      schema: { tags: ['audience'], summary: 'An import: progress, counts and bad rows.', params: z.object({ id: z.string().min(1) }), response: { 200: importSchema } },
    },
    async (request) => getImport(db, projectIdOf(request), request.params.id),
  );
}
