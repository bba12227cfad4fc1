import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps.js';
import { registerQueueGauges } from './queue-metrics.js';

export async function opsRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  registerQueueGauges(deps.metrics, deps.db, deps.logger);

  app.get(
    '/healthz',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Liveness and readiness: answers 200 when the database answers.',
        tags: ['operations'],
        security: [],
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
    '/metrics',
    {
      config: { auth: 'public' },
      schema: {
        summary: 'Prometheus metrics (text exposition format): HTTP requests, callbacks received, callback backlog and lag, messages queued and sent, process metrics.',
        tags: ['operations'],
        security: [],
        produces: ['text/plain'],
      },
    },
    async (_request, reply) => {
      const body = await deps.metrics.registry.metrics();
      return reply.header('content-type', deps.metrics.registry.contentType).send(body);
    },
  );
}
