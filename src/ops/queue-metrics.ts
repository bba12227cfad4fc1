/**
 * Gauges of the work waiting in the database, read when /metrics is scraped, so that every node
 * (`serve --no-worker` included) reports the same truth whichever process sends or applies:
 * - `wacast_messages_queued{campaign_state}`: campaign messages waiting to be sent (from the
 *   per-campaign counters: one row per campaign, no scan of the messages);
 * - `wacast_callback_backlog`: callbacks acknowledged but not applied yet;
 * - `wacast_callback_lag_seconds`: how long the oldest of them has waited (0 when none): the delay
 *   of delivery, read and reply statistics, and what to alert on when no worker applies callbacks.
 * The three are read together, at most once per `metrics.queueGaugesMaxAgeMs` (1 s), and scrapes
 * arriving meanwhile share that read: many may scrape (every Prometheus replica, anything on the
 * server itself when WACAST_METRICS_TOKEN is unset: metrics-access.ts), and the backlog count
 * walks every pending callback (a million during a burst), so a flood of scrapes would otherwise turn
 * into a flood of database reads — on SQLite run synchronously, stalling callback acknowledgements.
 * A Prometheus scrape every 15 s or more always gets a fresh read.
 * A scrape while the database does not answer keeps the last values (GET /healthz says why).
 */
import { Gauge } from 'prom-client';
import type { Db } from '../storage/db.js';
import type { Logger } from '../logger.js';
import type { Metrics } from './metrics.js';

const WAITING_CAMPAIGN_STATES = ['scheduled', 'running', 'paused'] as const;

interface QueueSnapshot {
  queued: Record<(typeof WAITING_CAMPAIGN_STATES)[number], number>;
  backlog: number;
  lagSeconds: number;
}

async function readSnapshot(db: Db): Promise<QueueSnapshot> {
  const rows = await db.kysely
    .selectFrom('campaign_counters')
    .innerJoin('campaigns', 'campaigns.id', 'campaign_counters.campaign_id')
    .select(['campaigns.state', (eb) => eb.fn.sum<number>('campaign_counters.queued').as('queued')])
    .where('campaigns.state', 'in', [...WAITING_CAMPAIGN_STATES])
    .groupBy('campaigns.state')
    .execute();
  const backlog = await db.kysely.selectFrom('callback_events').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'pending').executeTakeFirst();
  const oldest = await db.kysely.selectFrom('callback_events').select('received_at').where('state', '=', 'pending').orderBy('seq').limit(1).executeTakeFirst();
  const queuedIn = (state: string) => Number(rows.find((row) => row.state === state)?.queued ?? 0);
  return {
    queued: { scheduled: queuedIn('scheduled'), running: queuedIn('running'), paused: queuedIn('paused') },
    backlog: Number(backlog?.n ?? 0),
    lagSeconds: oldest ? Math.max(0, Date.now() - Number(oldest.received_at)) / 1000 : 0,
  };
}

export function registerQueueGauges(metrics: Metrics, db: Db, logger: Logger): void {
  const registry = metrics.registry;
  // One set per registry: an app built twice on the same dependencies (tests) registers them once.
  if (registry.getSingleMetric('wacast_callback_backlog')) return;

  let last: { at: number; read: Promise<QueueSnapshot | null> } | null = null;
  /** The latest read if recent enough (or still in flight), else a new one; null when the database failed. */
  const snapshot = (): Promise<QueueSnapshot | null> => {
    const now = Date.now();
    if (last && now - last.at < metrics.queueGaugesMaxAgeMs) return last.read;
    const read = readSnapshot(db).catch((error: unknown) => {
      logger.warn({ err: error }, 'metrics: could not read the queues from the database');
      return null;
    });
    last = { at: now, read };
    return read;
  };

  new Gauge({
    name: 'wacast_messages_queued',
    help: 'Campaign messages waiting to be sent, by the state of their campaign (scheduled, running, paused).',
    labelNames: ['campaign_state'] as const,
    registers: [registry],
    async collect() {
      const read = await snapshot();
      if (read) for (const state of WAITING_CAMPAIGN_STATES) this.set({ campaign_state: state }, read.queued[state]);
    },
  });

  new Gauge({
    name: 'wacast_callback_backlog',
    help: 'Provider callbacks acknowledged (stored) but not applied yet.',
    registers: [registry],
    async collect() {
      const read = await snapshot();
      if (read) this.set(read.backlog);
    },
  });

  new Gauge({
    name: 'wacast_callback_lag_seconds',
    help: 'How long the oldest callback not applied yet has waited, in seconds (0 when none waits).',
    registers: [registry],
    async collect() {
      const read = await snapshot();
      if (read) this.set(read.lagSeconds);
    },
  });
}
