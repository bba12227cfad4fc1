/**
 * "At most N events in any sliding second": a ring of the last N event times. Used twice for a
 * provider account — by the Pacer on the times it schedules, and by the sender thread on the
 * times requests actually leave (a late thread must not make up for lost time in a burst).
 */
export class SlidingSecond {
  private times: Float64Array;
  private head = 0;
  private filled = 0;

  constructor(readonly limit: number) {
    this.times = new Float64Array(Math.max(1, limit));
  }

  /** The earliest time, not before `now`, at which one more event keeps the limit. */
  freeAt(now: number): number {
    if (this.filled < this.times.length) return now;
    // (+1 µs: an event exactly one second after the oldest must not count in the same second
    // through floating-point rounding.)
    return Math.max(now, this.times[this.head]! + 1000.001);
  }

  /** The newest event's time (-Infinity before the first). */
  get newest(): number {
    return this.filled === 0 ? Number.NEGATIVE_INFINITY : this.times[(this.head + this.times.length - 1) % this.times.length]!;
  }

  /** Counts an event at `at` (times must not go backwards). */
  record(at: number): void {
    this.times[this.head] = at;
    this.head = (this.head + 1) % this.times.length;
    if (this.filled < this.times.length) this.filled++;
  }

  /** The same history under a new limit (the newest events are kept). */
  resized(limit: number): SlidingSecond {
    const next = new SlidingSecond(limit);
    const start = this.filled < this.times.length ? 0 : this.head;
    const kept = Math.min(this.filled, next.times.length);
    for (let i = this.filled - kept; i < this.filled; i++) next.record(this.times[(start + i) % this.times.length]!);
    return next;
  }
}
