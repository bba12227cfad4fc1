/**
 * Posts callbacks (DLRs, status webhooks, inbound messages) to the URLs the accounts gave, the way
 * a provider does: over keep-alive connections, a bounded number in flight, retried with doubling
 * delays on a non-2xx answer or no answer (Vonage: only 429, 5xx or no answer), and given up after
 * `callbackRetries` retries. Gupshup
 * Enterprise DLR events for one URL are batched, at most 20 per request, as the form field
 * `response=<JSON array>`. Nothing here blocks the send path: enqueueing is an array push.
 */
import { Agent, request } from 'undici';
import type { Scheduler } from './sandbox.scheduler.js';
import type { GlobalKnobs } from './sandbox.types.js';

/** Gupshup Enterprise sends at most 20 DLR events per request (reference A8). */
export const ENTERPRISE_DLR_BATCH = 20;

export type CallbackKind = 'dlr' | 'status' | 'event' | 'inbound';

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
  /** HTTP status of the last attempt, when one was answered. */
  status?: number;
  /** Network error of the last attempt. */
  error?: string;
}

export interface Callback {
  url: string;
  kind: CallbackKind;
  contentType: string;
  body: string;
  /** Extra headers, made again for each attempt (a Vonage signature carries its own `iat`). */
  headers?: () => Record<string, string>;
  /**
   * Which non-2xx answers are retried (default: all of them). An attempt that got no answer is
   * always retried. Vonage retries only 429 and 5xx (vonage.md §9).
   */
  retryStatus?: (status: number) => boolean;
  /** Called once, when delivered or given up. */
  onDone?: (result: DeliveryResult) => void;
}

interface Pending extends Callback {
  attempts: number;
}

export interface CallbackStatsView {
  /** Callbacks (requests) handed to the sender; an Enterprise batch is one. */
  queued: number;
  /** Waiting for a free connection slot or a retry. */
  waiting: number;
  inFlight: number;
  delivered: number;
  /** Attempts answered with a non-2xx or not answered. */
  failedAttempts: number;
  /** Callbacks dropped after the last retry. */
  gaveUp: number;
  /** Enterprise DLR events, and how many requests carried them. */
  dlrEvents: number;
  dlrBatches: number;
  byKind: Record<CallbackKind, number>;
}

export interface RecentCallback {
  at: number;
  url: string;
  kind: CallbackKind;
  attempts: number;
  delivered: boolean;
  status?: number;
  error?: string;
}

const RECENT = 200;

export class CallbackSender {
  private readonly agent: Agent;
  private queue: Pending[] = [];
  private head = 0;
  private inFlight = 0;
  private retrying = 0;
  private readonly batches = new Map<string, { events: unknown[]; timer: NodeJS.Timeout | null }>();
  private closed = false;
  /** Bumped by reset(): retries scheduled before it are dropped. */
  private generation = 0;
  private readonly recentRing: RecentCallback[] = [];
  private stats = CallbackSender.emptyStats();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly knobs: () => GlobalKnobs,
  ) {
    this.agent = new Agent({ connections: 256, keepAliveTimeout: 10_000 });
  }

  private static emptyStats(): Omit<CallbackStatsView, 'waiting' | 'inFlight'> {
    return { queued: 0, delivered: 0, failedAttempts: 0, gaveUp: 0, dlrEvents: 0, dlrBatches: 0, byKind: { dlr: 0, status: 0, event: 0, inbound: 0 } };
  }

  send(callback: Callback): void {
    if (this.closed) return;
    this.stats.queued++;
    this.stats.byKind[callback.kind]++;
    this.queue.push({ ...callback, attempts: 0 });
    this.pump();
  }

  /** Adds one Gupshup Enterprise DLR event to the batch of `url`; a full batch goes at once. */
  enterpriseDlr(url: string, event: unknown): void {
    if (this.closed) return;
    this.stats.dlrEvents++;
    let batch = this.batches.get(url);
    if (!batch) {
      batch = { events: [], timer: null };
      this.batches.set(url, batch);
    }
    batch.events.push(event);
    if (batch.events.length >= ENTERPRISE_DLR_BATCH) {
      this.flushBatch(url);
    } else if (!batch.timer) {
      batch.timer = setTimeout(() => this.flushBatch(url), this.knobs().dlrBatchMs);
      batch.timer.unref();
    }
  }

  private flushBatch(url: string): void {
    const batch = this.batches.get(url);
    if (!batch) return;
    if (batch.timer) clearTimeout(batch.timer);
    this.batches.delete(url);
    for (let start = 0; start < batch.events.length; start += ENTERPRISE_DLR_BATCH) {
      const events = batch.events.slice(start, start + ENTERPRISE_DLR_BATCH);
      this.stats.dlrBatches++;
      this.send({
        url,
        kind: 'dlr',
        contentType: 'application/x-www-form-urlencoded',
        body: `response=${encodeURIComponent(JSON.stringify(events))}`,
      });
    }
  }

  /** True when nothing is waiting, batching, retrying or in flight. */
  get idle(): boolean {
    return this.head === this.queue.length && this.inFlight === 0 && this.retrying === 0 && this.batches.size === 0;
  }

  view(): CallbackStatsView {
    return { ...this.stats, byKind: { ...this.stats.byKind }, waiting: this.queue.length - this.head + this.retrying, inFlight: this.inFlight };
  }

  recent(): RecentCallback[] {
    return [...this.recentRing];
  }

  /** Sends every open Enterprise batch now. */
  flushBatches(): void {
    for (const url of [...this.batches.keys()]) this.flushBatch(url);
  }

  reset(): void {
    for (const batch of this.batches.values()) if (batch.timer) clearTimeout(batch.timer);
    this.batches.clear();
    this.queue = [];
    this.head = 0;
    this.retrying = 0;
    this.generation++;
    this.stats = CallbackSender.emptyStats();
    this.recentRing.length = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reset();
    await this.agent.destroy();
  }

  private pump(): void {
    const limit = this.knobs().callbackConcurrency;
    while (this.inFlight < limit && this.head < this.queue.length) {
      const next = this.queue[this.head]!;
      this.queue[this.head] = undefined as unknown as Pending;
      this.head++;
      this.inFlight++;
      void this.attempt(next);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private async attempt(callback: Pending): Promise<void> {
    callback.attempts++;
    const knobs = this.knobs();
    let status: number | undefined;
    let error: string | undefined;
    try {
      const response = await request(callback.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': callback.contentType, 'user-agent': 'wacast-sandbox', ...callback.headers?.() },
        body: callback.body,
        headersTimeout: knobs.callbackTimeoutMs,
        bodyTimeout: knobs.callbackTimeoutMs,
      });
      status = response.statusCode;
      await response.body.dump();
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    this.inFlight--;
    if (this.closed) return;
    const delivered = status !== undefined && status >= 200 && status < 300;
    if (delivered) {
      this.stats.delivered++;
      this.finish(callback, { delivered: true, attempts: callback.attempts, status });
    } else {
      this.stats.failedAttempts++;
      const retryable = status === undefined || callback.retryStatus === undefined || callback.retryStatus(status);
      if (retryable && callback.attempts <= knobs.callbackRetries) {
        this.retrying++;
        const delay = knobs.callbackRetryDelayMs * 2 ** (callback.attempts - 1);
        const generation = this.generation;
        this.scheduler.at(Date.now() + delay, () => {
          if (this.closed || generation !== this.generation) return;
          this.retrying--;
          this.queue.push(callback);
          this.pump();
        });
      } else {
        this.stats.gaveUp++;
        this.finish(callback, { delivered: false, attempts: callback.attempts, ...(status === undefined ? {} : { status }), ...(error === undefined ? {} : { error }) });
      }
    }
    this.pump();
  }

  private finish(callback: Pending, result: DeliveryResult): void {
    if (this.recentRing.length === RECENT) this.recentRing.shift();
    this.recentRing.push({ at: Date.now(), url: callback.url, kind: callback.kind, ...result });
    callback.onDone?.(result);
  }
}
