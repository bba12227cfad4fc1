import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps.js';
import { registerQueueGauges } from './queue-metrics.js';
import { assertMayReadMetrics, METRICS_ACCESS_HELP } from './metrics-access.js';
import { diskSpaceMonitor, registerDiskGauge } from './disk-space.js';

export async function opsRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  registerQueueGauges(deps.metrics, deps.db, deps.logger);
  registerDiskGauge(deps);

  app.get(
    '/healthz',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Liveness and readiness: answers 200 when the database answers.',
        tags: ['operations'],
        response: {
          200: z.object({ status: z.literal('ok'), database: z.literal('ok'), engine: z.enum(['sqlite', 'postgres']) }),
          503: z.object({ status: z.literal('unavailable'), database: z.literal('unreachable'), engine: z.enum(['sqlite', 'postgres']) }),
        },
      },
    },
    async (_request, reply) => {
      try {
        await sql`select 1`.execute(deps.db.kysely);
        return { status: 'ok' as const, database: 'ok' as const, engine: deps.db.dialect };
      } catch (error) {
        deps.logger.warn({ err: error }, 'health check: database unreachable');
        return reply.status(503).send({ status: 'unavailable' as const, database: 'unreachable' as const, engine: deps.db.dialect });
      }
    },
  );

  app.get(
    '/api/v1/storage',
    {
      config: { auth: 'session' },
      schema: {
        summary: 'Free space for the database, for the dashboard\'s warning: on SQLite, the disk holding WACAST_DATA_DIR; on PostgreSQL, null (its server\'s disk is not visible to wacast).',
        tags: ['operations'],
        response: {
          200: z.object({
            engine: z.enum(['sqlite', 'postgres']),
            disk: z
              .object({
                freeBytes: z.number().int(),
                totalBytes: z.number().int(),
                level: z.enum(['ok', 'low', 'critical']).describe('`low` below warnBelowBytes; `critical` below holdBelowBytes, when campaigns hold.'),
                warnBelowBytes: z.number().int().describe('The dashboard warns while the free space is below this (WACAST_DISK_WARN_MB; 0: never).'),
                holdBelowBytes: z.number().int().describe('Campaigns hold while the free space is below this (WACAST_DISK_HOLD_MB; 0: never).'),
                campaignsHeld: z.boolean().describe('Campaigns send and add recipients no more until space is freed; callbacks, replies and opt-out confirmations go on.'),
              })
              .nullable()
              .describe('Null on PostgreSQL, and when the file system could not be read.'),
          }),
        },
      },
    },
    async () => {
      const monitor = diskSpaceMonitor(deps);
      const disk = await monitor?.read();
      return { engine: deps.db.dialect, disk: monitor && disk ? { ...disk, ...monitor.thresholds, campaignsHeld: disk.level === 'critical' } : null };
    },
  );

  app.get(
    '/metrics',
    {
      // Not the API's credentials (auth.plugin.ts): a scrape token, loopback or an admin's session,
      // checked before anything is read (metrics-access.ts).
      config: {
        auth: 'public',
        errorStatuses: [401, 403],
        errorDescriptions: {
          401: `No or wrong credentials (unauthorized). ${METRICS_ACCESS_HELP}`,
          403: 'A dashboard session of a user who is not an instance admin (forbidden).',
        },
      },
      onRequest: async (request, reply) => assertMayReadMetrics(request, reply, { db: deps.db, token: deps.config.metricsToken }),
      schema: {
        summary: 'Prometheus metrics (text exposition format): HTTP requests, callbacks received, callback backlog and lag, messages queued and sent, process metrics.',
        description:
          'Not public: its series name provider account ids. With WACAST_METRICS_TOKEN set, send `Authorization: Bearer <token>`; without it, only requests from the server itself (its loopback address, as the connection comes, not as X-Forwarded-For says, and not relayed by a proxy) are answered. An instance admin\'s dashboard session is always enough.',
        tags: ['operations'],
        security: [{ metricsToken: [] }, { session: [] }],
        response: { 200: metricsResponse(deps) },
      },
    },
    async (_request, reply) => {
      const body = await deps.metrics.registry.metrics();
      return reply.header('content-type', deps.metrics.registry.contentType).send(body);
    },
  );
}

/**
 * The 200 answer of /metrics for the OpenAPI document: Prometheus' text format, with the metric
 * families read from the registry itself, so the document names exactly the ones served.
 */
function metricsResponse(deps: Pick<AppDeps, 'metrics'>) {
  const families = deps.metrics.registry
    .getMetricsAsArray()
    // Node's process metrics (collectDefaultMetrics) are many and generic: named once, below.
    .filter((metric) => !/^wacast_(process|nodejs)_/.test(metric.name))
    .map((metric) => `\`${metric.name}\` (${metric.type}): ${metric.help}`)
    .sort();
  return {
    description: `Prometheus text exposition format 0.0.4: for each metric family a \`# HELP\` and a \`# TYPE\` line, then one \`name{label="value",…} value\` line per series. Families: ${families.join(' ')} Also Node's process metrics, prefixed \`wacast_process_\` and \`wacast_nodejs_\`. The queue gauges are read from the database at most once a second.`,
    content: {
      [deps.metrics.registry.contentType]: {
        schema: z
          .string()
          .describe('Prometheus text exposition format (text/plain; version=0.0.4).')
          .meta({ examples: ['# HELP wacast_callback_backlog Provider callbacks acknowledged (stored) but not applied yet.\n# TYPE wacast_callback_backlog gauge\nwacast_callback_backlog 0\n'] }),
      },
    },
  };
}
