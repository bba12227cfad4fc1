/**
 * Runs the Applier in the background. One process at a time applies (lease `applier`, 10 s,
 * renewed every second), so callbacks are applied in arrival order; another worker takes over
 * within the lease time when the holder dies. The renewals between passes are not what makes it
 * safe: a pass can outlive the lease (a long batch, a paused process), so every write transaction
 * of the Applier checks and extends the lease first, and a pass whose lease was taken over is
 * abandoned (applier.ts). The loop runs a pass as soon as the previous one
 * found work, and otherwise sleeps until a callback is recorded in this process (bus signal) or
 * `idleMs` passes (callbacks recorded by other processes). Housekeeping — expired pending
 * receipts, log retention — runs once a minute.
 *
 * Acknowledgements first: while callbacks keep arriving in this process, the applier takes at most
 * `busyShare` of the thread (it sleeps in proportion to each pass), so a burst is acknowledged at
 * the handler's full speed and applied from the durable log as it can; once the oldest callback
 * waiting is `maxLagMs` old, or when nothing arrives, it applies without pausing. Providers time
 * out and retry slow acknowledgements (a retried callback costs twice); reports lagging a few
 * seconds behind a burst cost nothing.
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
  /** Share of the time the applier may take while callbacks are arriving in this process. */
  busyShare: number;
  /** Beyond this wait of the oldest pending callback, the applier takes all the time it needs. */
  maxLagMs: number;
  /** How often pending receipts are checked against newly stored provider ids. */
  pendingCheckMs: number;
  housekeepingMs: number;
}

export const DEFAULT_APPLIER_SERVICE_OPTIONS: ApplierServiceOptions = {
  ...DEFAULT_APPLIER_OPTIONS,
  leaseMs: 10_000,
  idleMs: 200,
  paceMs: 10,
  busyShare: 0.3,
  maxLagMs: 5_000,
  pendingCheckMs: 100,
  housekeepingMs: 60_000,
};

const LEASE = 'applier';

export interface PassOutcome {
  /** Callbacks the pass took, and the most it could take. */
  taken: number;
  batchLimit: number;
  /** Callbacks were recorded in this process since the previous pass ended (on SQLite none can commit during a pass). */
  arriving: boolean;
  /** How long the oldest callback taken had waited. */
  lagMs: number;
  /** How long the pass took. */
  passMs: number;
}

/**
 * What the applier does after a pass that took callbacks: `'next-turn'` (a backlog, nothing
 * arriving: go on once requests waiting have run) or a pause in ms. While callbacks are arriving,
 * the pause keeps the applier to a share of the time that grows with how far the log is behind:
 * `busyShare` when it is current, all of it at `maxLagMs`. A burst is acknowledged first and
 * applied behind it; under a sustained load that needs more than `busyShare`, the lag settles
 * where the share suffices (it does not grow without bound). A pass that emptied the log waits at
 * least `paceMs` so that the next batch is worth a transaction.
 */
export function applierShare(lagMs: number, options: Pick<ApplierServiceOptions, 'busyShare' | 'maxLagMs'>): number {
  const behind = Math.min(1, Math.max(0, lagMs) / options.maxLagMs);
  return options.busyShare + (1 - options.busyShare) * behind;
}

export function pauseAfterPass(pass: PassOutcome, options: Pick<ApplierServiceOptions, 'busyShare' | 'maxLagMs' | 'paceMs'>): number | 'next-turn' {
  const share = applierShare(pass.lagMs, options);
  const yieldMs = pass.arriving && share < 1 ? (pass.passMs * (1 - share)) / share : 0;
  if (pass.taken >= pass.batchLimit) return yieldMs > 0 ? yieldMs : 'next-turn';
  return Math.max(options.paceMs, yieldMs);
}

export class ApplierService implements BackgroundService {
  readonly name = 'applier';
  readonly applier: Applier;
  private loop: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private stopWake: (() => void) | null = null;
  /** A callback was recorded since the last pass started (the next sleep is skipped). */
  private signalled = false;
  /** performance.now() of the last callback recorded in this process. */
  private recordedAt = -Infinity;
  private unsubscribe: (() => void) | null = null;
  private detachCache: (() => void) | null = null;
  private holds = false;
  private renewedAt = 0;
  /** performance.now() after which the lease may have expired: stop applying. */
  private leaseValidUntil = 0;
  private housekeptAt = 0;
  private pendingCheckedAt = 0;

  constructor(
    private readonly deps: AppDeps,
    private readonly owner: string,
    private readonly options: ApplierServiceOptions = DEFAULT_APPLIER_SERVICE_OPTIONS,
  ) {
    this.applier = new Applier(deps, options, { name: LEASE, owner, ttlMs: options.leaseMs });
  }

  start(): void {
    this.stopped = false;
    this.detachCache = this.applier.attachCache();
    this.unsubscribe = this.deps.bus.on('callbacks-recorded', () => {
      this.signalled = true;
      this.recordedAt = performance.now();
      this.wake?.();
    });
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    let previousEnd = -Infinity;
    while (!this.stopped) {
      let taken = 0;
      let lagMs = 0;
      this.signalled = false;
      const startedAt = performance.now();
      try {
        ({ callbacks: taken, lagMs } = await this.pass());
      } catch (error) {
        this.deps.logger.error({ err: error }, 'callback applier pass failed; retrying in 1 s');
        await this.sleep(1000);
        continue;
      }
      const arriving = this.recordedAt >= previousEnd;
      previousEnd = performance.now();
      if (taken === 0) {
        // Not holding the lease: another process applies; check it again in a second.
        await (this.holds ? this.sleep(this.options.idleMs) : this.sleep(1000, false));
        continue;
      }
      const pause = pauseAfterPass({ taken, batchLimit: this.applier.batchLimit, arriving, lagMs, passMs: previousEnd - startedAt }, this.options);
      await (pause === 'next-turn' ? yieldToEventLoop() : this.sleep(pause, false));
    }
  }

  /** One pass if this process holds (or takes) the lease: how many callbacks it took, and their lag. */
  async pass(now = Date.now()): Promise<{ callbacks: number; lagMs: number }> {
    if (now - this.renewedAt >= 1000 || performance.now() > this.leaseValidUntil) {
      const startedAt = performance.now();
      this.holds = await acquireLease(this.deps.db, LEASE, this.owner, this.options.leaseMs);
      this.renewedAt = now;
      // Stop a second before the lease could run out, whatever happens to the renewals.
      this.leaseValidUntil = this.holds ? startedAt + this.options.leaseMs - 1000 : 0;
    }
    if (!this.holds) return { callbacks: 0, lagMs: 0 };
    if (now - this.housekeptAt >= this.options.housekeepingMs) {
      this.housekeptAt = now;
      await this.applier.expirePendingReceipts(now);
      await this.applier.pruneLog(now);
    }
    const pendingReceipts = now - this.pendingCheckedAt >= this.options.pendingCheckMs;
    if (pendingReceipts) this.pendingCheckedAt = now;
    const { callbacks, lagMs, leaseLost } = await this.applier.runOnce(now, { pendingReceipts });
    if (leaseLost) {
      // Another process took the lease over during this pass: it applies; this one checks again later.
      this.deps.logger.warn({ owner: this.owner }, 'the callback applier lease was taken over during a pass; the pass was abandoned');
      this.holds = false;
      this.leaseValidUntil = 0;
      this.renewedAt = 0;
    }
    return { callbacks, lagMs };
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
