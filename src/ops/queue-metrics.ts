/**
 * Gauges of the work waiting in the database, read when /metrics is scraped, so that every node
 * (`serve --no-worker` included) reports the same truth whichever process sends or applies:
 * - `wacast_messages_queued{campaign_state}`: campaign messages waiting to be sent (from the
 *   per-campaign counters: one row per campaign, no scan of the messages);
 * - `wacast_callback_backlog`: callbacks acknowledged but not applied yet;
 * - `wacast_callback_lag_seconds`: how long the oldest of them has waited (0 when none): the delay
 *   of delivery, read and reply statistics, and what to alert on when no worker applies callbacks.
 * A scrape while the database does not answer keeps the last values (GET /healthz says why).
 */
import { Gauge } from 'prom-client';
import type { Db } from '../storage/db.js';
import type { Logger } from '../logger.js';
import type { Metrics } from './metrics.js';

const WAITING_CAMPAIGN_STATES = ['scheduled', 'running', 'paused'] as const;

export function registerQueueGauges(metrics: Metrics, db: Db, logger: Logger): void {
  const registry = metrics.registry;
  // One set per registry: an app built twice on the same dependencies (tests) registers them once.
  if (registry.getSingleMetric('wacast_callback_backlog')) return;
  const failed = (error: unknown) => logger.warn({ err: error }, 'metrics: could not read the queues from the database');

  new Gauge({
    name: 'wacast_messages_queued',
    help: 'Campaign messages waiting to be sent, by the state of their campaign (scheduled, running, paused).',
    labelNames: ['campaign_state'] as const,
    registers: [registry],
    async collect() {
      try {
        const rows = await db.kysely
          .selectFrom('campaign_counters')
          .innerJoin('campaigns', 'campaigns.id', 'campaign_counters.campaign_id')
          .select(['campaigns.state', (eb) => eb.fn.sum<number>('campaign_counters.queued').as('queued')])
          .where('campaigns.state', 'in', [...WAITING_CAMPAIGN_STATES])
          .groupBy('campaigns.state')
          .execute();
        for (const state of WAITING_CAMPAIGN_STATES) {
          this.set({ campaign_state: state }, Number(rows.find((row) => row.state === state)?.queued ?? 0));
        }
      } catch (error) {
        failed(error);
      }
    },
  });

  new Gauge({
    name: 'wacast_callback_backlog',
    help: 'Provider callbacks acknowledged (stored) but not applied yet.',
    registers: [registry],
    async collect() {
      try {
        const row = await db.kysely.selectFrom('callback_events').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'pending').executeTakeFirst();
        this.set(Number(row?.n ?? 0));
      } catch (error) {
        failed(error);
      }
    },
  });

  new Gauge({
    name: 'wacast_callback_lag_seconds',
    help: 'How long the oldest callback not applied yet has waited, in seconds (0 when none waits).',
    registers: [registry],
    async collect() {
      try {
        const oldest = await db.kysely
          .selectFrom('callback_events')
          .select('received_at')
          .where('state', '=', 'pending')
          .orderBy('seq')
          .limit(1)
          .executeTakeFirst();
        this.set(oldest ? Math.max(0, Date.now() - Number(oldest.received_at)) / 1000 : 0);
      } catch (error) {
        failed(error);
      }
    },
  });
}
