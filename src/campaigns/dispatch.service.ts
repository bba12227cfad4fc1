/**
 * Runs a ProviderDispatcher for every provider account that has work and whose lease this process
 * can take. Leases (`provider:<id>`, 5 s, renewed every second) make one process at a time send
 * for an account; a crashed process's lease runs out and another worker takes over. A dispatcher
 * that loses its lease stops sending at once (it also checks the lease's local expiry itself).
 */
import type { AppDeps } from '../deps.js';
import type { BackgroundService } from '../worker/background-service.js';
import { acquireLease, releaseLease } from '../storage/leases.js';
import { DEFAULT_DISPATCHER_OPTIONS, ProviderDispatcher, providersWithWork, type DispatcherOptions } from './dispatcher.js';
import { SendResultWriter } from './send-results.js';
import { join } from 'node:path';
import { SEND_JOURNAL_DIR } from './send-journal.js';

export interface DispatchServiceOptions extends DispatcherOptions {
  leaseMs: number;
  tickMs: number;
  /** A dispatcher with nothing to do for this long gives its account back. */
  idleStopMs: number;
  maxAttempts: number;
}

export const DEFAULT_DISPATCH_OPTIONS: DispatchServiceOptions = {
  ...DEFAULT_DISPATCHER_OPTIONS,
  leaseMs: 5_000,
  tickMs: 250,
  idleStopMs: 5_000,
  maxAttempts: 8,
};

/** Options for a configuration: in-flight leases outlast the provider answer timeout. */
export function dispatchOptionsFor(config: Pick<AppDeps['config'], 'sendTimeoutMs'>): DispatchServiceOptions {
  return { ...DEFAULT_DISPATCH_OPTIONS, messageLeaseMs: config.sendTimeoutMs * 2 + 5_000 };
}

const leaseName = (providerId: string) => `provider:${providerId}`;
/** The window an account's rate is measured over. */
const RATE_WINDOW_MS = 1000;

export class DispatchService implements BackgroundService {
  readonly name = 'dispatcher';
  private readonly writer: SendResultWriter;
  private readonly dispatchers = new Map<string, ProviderDispatcher>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private renewedAt = 0;
  private unsubscribe: Array<() => void> = [];
  private stopped = false;
  private journal: Promise<void> | null = null;

  constructor(
    private readonly deps: AppDeps,
    private readonly owner: string,
    private readonly options: DispatchServiceOptions = dispatchOptionsFor(deps.config),
  ) {
    this.writer = new SendResultWriter(deps, { maxAttempts: options.maxAttempts, owner });
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.options.tickMs);
    this.timer.unref();
    this.unsubscribe.push(
      this.deps.bus.on('messages-queued', (providerId) => {
        const dispatcher = this.dispatchers.get(providerId);
        if (dispatcher) dispatcher.poke();
        else this.kick();
      }),
      // Paused, resumed, stopped or started campaigns: act at once. Not on counter updates, which
      // every batch of send results and receipts emits: each poke re-reads the account's campaigns
      // and retries claims that just came back empty.
      this.deps.bus.on('campaign-changed', (_campaignId, what) => {
        if (what !== 'state') return;
        for (const dispatcher of this.dispatchers.values()) dispatcher.poke();
      }),
    );
    this.kick();
  }

  /** Runs a tick now unless one is running. */
  kick(): void {
    if (this.ticking || this.stopped) return;
    this.ticking = this.tick()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'dispatch service tick failed'))
      .finally(() => {
        this.ticking = null;
      });
  }

  /** Test hook: one tick, awaited. */
  async tickNow(): Promise<void> {
    await this.ticking;
    await this.tick();
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    if (now - this.renewedAt >= 1000) {
      this.renewedAt = now;
      for (const [providerId, dispatcher] of this.dispatchers) {
        const renewedAt = performance.now();
        if (await acquireLease(this.deps.db, leaseName(providerId), this.owner, this.options.leaseMs)) {
          // Stop sending a second before the lease could expire, whatever happens to renewals.
          dispatcher.leaseValidUntil = renewedAt + this.options.leaseMs - 1000;
        } else {
          this.deps.logger.warn({ providerId }, 'lost the provider lease; another worker sends for this account now');
          this.dispatchers.delete(providerId);
          await dispatcher.stop();
        }
      }
    }
    if (this.stopped) return;
    const wanted = new Set(await providersWithWork(this.deps));
    for (const providerId of wanted) {
      if (this.dispatchers.has(providerId) || this.stopped) continue;
      await (this.journal ??= this.openJournal());
      const acquiredAt = performance.now();
      if (!(await acquireLease(this.deps.db, leaseName(providerId), this.owner, this.options.leaseMs))) continue;
      const dispatcher = new ProviderDispatcher(this.deps, providerId, this.owner, this.writer, this.options);
      dispatcher.leaseValidUntil = acquiredAt + this.options.leaseMs - 1000;
      this.dispatchers.set(providerId, dispatcher);
      dispatcher.start();
    }
    for (const [providerId, dispatcher] of this.dispatchers) {
      if (!wanted.has(providerId) && dispatcher.idle && now - dispatcher.lastActiveAt > this.options.idleStopMs) {
        this.dispatchers.delete(providerId);
        await dispatcher.stop();
        await this.writer.flush();
        await releaseLease(this.deps.db, leaseName(providerId), this.owner);
      }
    }
  }

  /**
   * The send journal (send-journal.ts) starts before this process claims its first message, so it
   * covers every claim. Without it (no boot id, an unwritable data directory) sending goes on and
   * a crash leaves this process's claimed messages `unknown`, as before the journal.
   */
  private async openJournal(): Promise<void> {
    const spec = {
      owner: this.owner,
      dir: join(this.deps.config.dataDir, SEND_JOURNAL_DIR),
      // Longer than a message's lease: the two newest files then cover every claim still leased.
      rotateMs: Math.max(60_000, this.options.messageLeaseMs * 2),
    };
    const opened = await this.deps.sender.openJournal(spec);
    if (opened.status !== 'open') {
      this.deps.logger.warn({ dir: spec.dir, problem: opened.problem, status: opened.status }, 'the send journal cannot be kept: if this process dies, the messages it claimed are marked unknown instead of being sent again');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe = [];
    await this.ticking;
    const dispatchers = [...this.dispatchers.entries()];
    this.dispatchers.clear();
    await Promise.all(dispatchers.map(([, dispatcher]) => dispatcher.stop()));
    await this.writer.close();
    if (this.journal) {
      this.journal = null;
      await this.deps.sender.closeJournal(this.owner);
    }
    // Requests may have left in the last second: the next owner waits that second out (see releaseLease).
    for (const [providerId] of dispatchers) await releaseLease(this.deps.db, leaseName(providerId), this.owner, RATE_WINDOW_MS);
  }
}
