/**
 * Counters the sandbox keeps for tests and benchmarks: per account, what arrived and how it was
 * answered, a per-second arrival histogram, and the most arrivals seen in any sliding 1-second
 * window (the product promises never to exceed an account's rate "over any 1-second window").
 * Everything is O(1) per request and bounded: a histogram entry per second of activity.
 */
import type { MessageKind, Outcome } from './sandbox.types.js';

/**
 * Timestamps of the events of the last second, in a growable ring. `count(now)` first drops
 * events older than `now - 1000`: what remains are the events in the window (now − 1 s, now].
 */
export class SlidingWindow {
  private ring = new Float64Array(64);
  private head = 0;
  private size = 0;

  count(now: number): number {
    const limit = now - 1000;
    while (this.size > 0 && this.ring[this.head]! <= limit) {
      this.head = (this.head + 1) % this.ring.length;
      this.size--;
    }
    return this.size;
  }

  push(now: number): void {
    if (this.size === this.ring.length) {
      const bigger = new Float64Array(this.ring.length * 2);
      for (let i = 0; i < this.size; i++) bigger[i] = this.ring[(this.head + i) % this.ring.length]!;
      this.ring = bigger;
      this.head = 0;
    }
    this.ring[(this.head + this.size) % this.ring.length] = now;
    this.size++;
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
  }
}

/** Why a request to an account was not accepted. */
export type RejectionKind = 'auth' | 'invalid' | 'rate_limited' | 'burst_429' | 'down';

export interface AccountStatsView {
  /** Requests that reached this account (authenticated or not), including refused ones. */
  arrivals: number;
  /** Requests answered with a message id. */
  accepted: number;
  rejected: Record<RejectionKind, number>;
  byKind: Record<MessageKind, number>;
  /** Planned fates of the accepted messages. */
  outcomes: Record<Outcome, number>;
  /** Most arrivals seen within any sliding 1-second window. */
  maxArrivalsPerSecond: number;
  /** Most accepted messages within any sliding 1-second window. */
  maxAcceptedPerSecond: number;
  /** Per epoch second with activity: `{second, arrivals, accepted}`, oldest first. */
  perSecond?: { second: number; arrivals: number; accepted: number }[];
}

export class AccountStats {
  arrivals = 0;
  accepted = 0;
  rejected: Record<RejectionKind, number> = { auth: 0, invalid: 0, rate_limited: 0, burst_429: 0, down: 0 };
  byKind: Record<MessageKind, number> = { template: 0, session: 0, opt_in: 0, opt_out: 0 };
  outcomes: Record<Outcome, number> = { read: 0, delivered: 0, failed: 0, none: 0 };
  maxArrivalsPerSecond = 0;
  maxAcceptedPerSecond = 0;
  private readonly arrivalWindow = new SlidingWindow();
  private readonly acceptedWindow = new SlidingWindow();
  /** epoch second → [arrivals, accepted] */
  private readonly seconds = new Map<number, [number, number]>();
  private lastSecond = -1;
  private lastBucket: [number, number] = [0, 0];

  private bucket(now: number): [number, number] {
    const second = Math.floor(now / 1000);
    if (second !== this.lastSecond) {
      let bucket = this.seconds.get(second);
      if (!bucket) {
        bucket = [0, 0];
        this.seconds.set(second, bucket);
      }
      this.lastSecond = second;
      this.lastBucket = bucket;
    }
    return this.lastBucket;
  }

  arrive(now: number): void {
    this.arrivals++;
    this.bucket(now)[0]++;
    const inWindow = this.arrivalWindow.count(now) + 1;
    this.arrivalWindow.push(now);
    if (inWindow > this.maxArrivalsPerSecond) this.maxArrivalsPerSecond = inWindow;
  }

  accept(now: number, kind: MessageKind, outcome: Outcome): void {
    this.accepted++;
    this.byKind[kind]++;
    this.outcomes[outcome]++;
    this.bucket(now)[1]++;
    const inWindow = this.acceptedWindow.count(now) + 1;
    this.acceptedWindow.push(now);
    if (inWindow > this.maxAcceptedPerSecond) this.maxAcceptedPerSecond = inWindow;
  }

  reject(kind: RejectionKind): void {
    this.rejected[kind]++;
  }

  view(withHistogram: boolean): AccountStatsView {
    const view: AccountStatsView = {
      arrivals: this.arrivals,
      accepted: this.accepted,
      rejected: { ...this.rejected },
      byKind: { ...this.byKind },
      outcomes: { ...this.outcomes },
      maxArrivalsPerSecond: this.maxArrivalsPerSecond,
      maxAcceptedPerSecond: this.maxAcceptedPerSecond,
    };
    if (withHistogram) {
      view.perSecond = [...this.seconds.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([second, [arrivals, accepted]]) => ({ second, arrivals, accepted }));
    }
    return view;
  }
}
