/**
 * Prometheus metrics. One registry per app instance so tests can build many apps side by side.
 * Gauges of the queues in the database: queue-metrics.ts.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'wacast_http_requests_total',
    // Provider callbacks skip the site's hooks (they run at thousands per second): they are counted
    // by wacast_callbacks_received_total instead.
    help: 'HTTP requests answered by the API, dashboard, health and metrics routes (provider callbacks: wacast_callbacks_received_total), by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'wacast_http_request_duration_seconds',
    help: 'HTTP request duration.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly messagesSent = new Counter({
    name: 'wacast_messages_sent_total',
    help: 'Provider send attempts by provider type and outcome (sent, failed, retry, unknown).',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly callbacksReceived = new Counter({
    name: 'wacast_callbacks_received_total',
    help: 'Provider callbacks recorded, by provider type and kind.',
    labelNames: ['provider', 'kind'] as const,
    registers: [this.registry],
  });
  readonly providerThrottled = new Counter({
    name: 'wacast_provider_throttled_total',
    help: 'Times sending for a provider account slowed down because the provider throttled it, by account id and signal (answer: a 429 or throttling error answering a send; report: a delivery report of a throttled message).',
    labelNames: ['provider_account', 'signal'] as const,
    registers: [this.registry],
  });
  /**
   * How long one read of the queue gauges (queue-metrics.ts) answers scrapes, in ms. Without it,
   * every scrape (there may be many: metrics-access.ts says who may) ran three database reads, on
   * SQLite synchronously on the thread that acknowledges callbacks.
   */
  queueGaugesMaxAgeMs = 1_000;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'wacast_' });
  }
}
