/**
 * Runs the Applier in the background. One process at a time applies (lease `applier`, 10 s,
 * renewed every second), so callbacks are applied in arrival order; another worker takes over
 * within the lease time when the holder dies. The loop runs a pass as soon as the previous one
 * found work, and otherwise sleeps until a callback is recorded in this process (bus signal) or
 * `idleMs` passes (callbacks recorded by other processes). Housekeeping — expired pending
 * receipts, log retention — runs once a minute.
 */
import type { AppDeps } from '../deps.js';
import type { BackgroundService } from '../worker/background-service.js';
import { acquireLease, releaseLease } from '../storage/leases.js';
import { Applier, DEFAULT_APPLIER_OPTIONS, type ApplierOptions } from './applier.js';
import { yieldToEventLoop } from '../storage/db.js';

export interface ApplierServiceOptions extends ApplierOptions {
  leaseMs: number;
  idleMs: number;
  /**
   * Pause after a pass that emptied the log. Under a steady stream of callbacks this lets a batch
   * gather ~10 ms of them instead of the few that arrived during the last pass: fewer, larger
   * transactions (on SQLite a commit costs about as much as applying 50 receipts).
   */
  paceMs: number;
  /** How often pending receipts are checked against newly stored provider ids. */
  pendingCheckMs: number;
  /** How often the `wacast_callback_backlog` gauge is refreshed (a count of pending callbacks). */
  backlogMs: number;
  housekeepingMs: number;
}

export const DEFAULT_APPLIER_SERVICE_OPTIONS: ApplierServiceOptions = {
  ...DEFAULT_APPLIER_OPTIONS,
  leaseMs: 10_000,
  idleMs: 200,
  paceMs: 10,
  pendingCheckMs: 100,
  backlogMs: 5_000,
  housekeepingMs: 60_000,
};

const LEASE = 'applier';

export class ApplierService implements BackgroundService {
  readonly name = 'applier';
  readonly applier: Applier;
  private loop: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private stopWake: (() => void) | null = null;
  /** A callback was recorded since the last pass started (the next sleep is skipped). */
  private signalled = false;
  private unsubscribe: (() => void) | null = null;
  private detachCache: (() => void) | null = null;
  private holds = false;
  private renewedAt = 0;
  /** performance.now() after which the lease may have expired: stop applying. */
  private leaseValidUntil = 0;
  private housekeptAt = 0;
  private pendingCheckedAt = 0;
  private backlogAt = 0;

  constructor(
    private readonly deps: AppDeps,
    private readonly owner: string,
    private readonly options: ApplierServiceOptions = DEFAULT_APPLIER_SERVICE_OPTIONS,
  ) {
    this.applier = new Applier(deps, options);
  }

  start(): void {
    this.stopped = false;
    this.detachCache = this.applier.attachCache();
    this.unsubscribe = this.deps.bus.on('callbacks-recorded', () => {
      this.signalled = true;
      this.wake?.();
    });
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let taken = 0;
      this.signalled = false;
      try {
        taken = await this.pass();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'callback applier pass failed; retrying in 1 s');
        await this.sleep(1000);
        continue;
      }
      if (taken >= this.applier.batchLimit) {
        // A backlog: on at once, but let requests (new callbacks to acknowledge) in between.
        await yieldToEventLoop();
        continue;
      }
      if (taken > 0) await this.sleep(this.options.paceMs, false);
      // Not holding the lease: another process applies; only check the lease again in a second.
      else await (this.holds ? this.sleep(this.options.idleMs) : this.sleep(1000, false));
    }
  }

  /** One pass if this process holds (or takes) the lease; returns how many callbacks it took. */
  async pass(now = Date.now()): Promise<number> {
    if (now - this.renewedAt >= 1000 || performance.now() > this.leaseValidUntil) {
      const startedAt = performance.now();
      this.holds = await acquireLease(this.deps.db, LEASE, this.owner, this.options.leaseMs);
      this.renewedAt = now;
      // Stop a second before the lease could run out, whatever happens to the renewals.
      this.leaseValidUntil = this.holds ? startedAt + this.options.leaseMs - 1000 : 0;
    }
    if (!this.holds) return 0;
    if (now - this.housekeptAt >= this.options.housekeepingMs) {
      this.housekeptAt = now;
      await this.applier.expirePendingReceipts(now);
      await this.applier.pruneLog(now);
    }
    if (now - this.backlogAt >= this.options.backlogMs) {
      this.backlogAt = now;
      const backlog = await this.deps.db.kysely.selectFrom('callback_events').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'pending').executeTakeFirst();
      this.deps.metrics.callbackBacklog.set(Number(backlog?.n ?? 0));
    }
    const pendingReceipts = now - this.pendingCheckedAt >= this.options.pendingCheckMs;
    if (pendingReceipts) this.pendingCheckedAt = now;
    const result = await this.applier.runOnce(now, { pendingReceipts });
    return result.callbacks;
  }

  private sleep(ms: number, wakeOnSignal = true): Promise<void> {
    if (this.stopped || (wakeOnSignal && this.signalled)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        self.stopWake = null;
        resolve();
      }
      this.wake = wakeOnSignal ? done : null;
      this.stopWake = done;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWake?.();
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.loop;
    this.loop = null;
    await this.applier.settle();
    this.detachCache?.();
    this.detachCache = null;
    if (this.holds) await releaseLease(this.deps.db, LEASE, this.owner);
    this.holds = false;
  }
}
