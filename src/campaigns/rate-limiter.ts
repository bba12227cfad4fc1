/**
 * Paces sends so a provider account's configured rate R is never exceeded over any 1-second
 * window as measured at the provider, while getting as close to R as is safe.
 *
 * GCRA (the "virtual scheduling" form of a token bucket): each send is due 1/r after the previous
 * one, with r = 98 % of R. A sender that wakes up late (timers fire ~1 ms late, event-loop
 * pauses) may catch up on at most L = 5 ms of lateness; anything older is forgotten rather than
 * sent as a burst. In any window of length T at most ⌊r·(T + L)⌋ + 1 sends happen; for T = 1 s
 * that is ≤ R whenever L < R/r − 1 ≈ 20 ms, for every integer R (for R = 200: at most 197).
 *
 * On top, a hard cap: never more than ⌊98 % · R⌋ sends in any sliding second of our own clock
 * (196 for R = 200), whatever catch-ups add up to. That keeps a margin for what happens after a
 * request leaves (connection set-up, pauses of the sending thread, network delay, the provider's
 * own pauses): for R = 200, four more in one second at the provider than we sent in any second of
 * ours still make no more than R. R = 200 averages about 195.5/s (docs/decisions/0005).
 *
 * The dispatcher schedules sends up to ~100 ms ahead (nextAt/commit with future times) and the
 * sender thread makes each request at its time, so all of the above holds for scheduled times.
 * The sender thread applies the same sliding-second cap to the times requests actually leave, so
 * a thread that runs late delays sends rather than bunching them.
 *
 * 429s and throttling errors slow it down: sending stops for the Retry-After time, continues at
 * half the rate (never below 1 % of R), and recovers by 5 % of R per second.
 */
import { SlidingSecond } from './sliding-second.js';

/** Share of the configured rate R the smooth schedule aims at. */
export const RATE_SHARE = 0.98;
/** Share of R that may be sent in any sliding second (the hard cap). */
const CAP_SHARE = 0.98;
const CATCH_UP_MS = 5;
const RECOVERY_PER_SECOND = 0.05;

export class Pacer {
  /** When the next send is due (ms, performance.now() clock). */
  private due: number;
  private rate: number;
  private configured: number;
  private blockedUntil = 0;
  private lastAt: number;
  /** The sliding-second cap, over the times sends are scheduled for. */
  private cap: SlidingSecond;

  constructor(ratePerSecond: number, now = performance.now()) {
    this.configured = ratePerSecond;
    this.rate = ratePerSecond * RATE_SHARE;
    this.due = now;
    this.lastAt = now;
    this.cap = new SlidingSecond(Pacer.capFor(ratePerSecond));
  }

  /** Most sends allowed in any sliding second. */
  static capFor(ratePerSecond: number): number {
    return Math.max(1, Math.floor(ratePerSecond * CAP_SHARE));
  }

  get configuredRate(): number {
    return this.configured;
  }

  /** Messages per second currently allowed (below the configured rate after throttling). */
  get currentRate(): number {
    return this.rate;
  }

  /** Changes the configured rate (the account or campaign was edited). */
  configure(ratePerSecond: number): void {
    if (ratePerSecond === this.configured) return;
    const throttled = this.rate < this.configured * RATE_SHARE;
    this.configured = ratePerSecond;
    this.rate = throttled ? Math.min(this.rate, ratePerSecond * RATE_SHARE) : ratePerSecond * RATE_SHARE;
    this.cap = this.cap.resized(Pacer.capFor(ratePerSecond));
  }

  private recover(now: number): void {
    const elapsed = Math.max(0, now - this.lastAt) / 1000;
    this.lastAt = now;
    if (now < this.blockedUntil) return;
    const target = this.configured * RATE_SHARE;
    if (this.rate < target) this.rate = Math.min(target, this.rate + this.configured * RECOVERY_PER_SECOND * elapsed);
  }

  /**
   * The earliest time, not before `now`, at which one more send is allowed: its GCRA slot, the end
   * of a throttling pause, and room under the sliding-second cap. Times of sends committed for the
   * future (scheduled ahead) count like sends already made.
   */
  nextAt(now = performance.now()): number {
    this.recover(now);
    return Math.max(this.cap.freeAt(now), this.due, this.blockedUntil);
  }

  /** Counts one send at `at` (now, or a later time returned by nextAt). */
  commit(at: number): void {
    this.due = Math.max(this.due, at - CATCH_UP_MS) + 1000 / this.rate;
    this.cap.record(at);
  }

  /** The provider throttled us: stop for `pauseMs`, then continue at half speed and recover. */
  throttle(pauseMs: number, now = performance.now()): void {
    this.recover(now);
    this.blockedUntil = Math.max(this.blockedUntil, now + pauseMs);
    this.rate = Math.max(this.configured * 0.01, this.rate / 2);
    this.due = Math.max(this.due, this.blockedUntil);
  }
}
