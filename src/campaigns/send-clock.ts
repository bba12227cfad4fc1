/**
 * Runs callbacks at given times on the thread that makes provider requests. The dispatcher
 * schedules sends ahead (see dispatcher.ts); this makes each one leave at its time, with one timer
 * for all of them however many are waiting, and never more of an account's requests in a sliding
 * second than the schedule allows, however late this thread runs.
 *
 * Times are absolute milliseconds on a clock that every thread shares: performance.timeOrigin +
 * performance.now() (each thread's performance.now() starts at its own origin).
 */
import { SlidingSecond } from './sliding-second.js';

export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}

/** When a request may leave: at `at` (sharedNow() clock), and within `perSecond` per sliding second. */
export interface SendSchedule {
  at: number;
  /** No limit when omitted. */
  perSecond?: number;
}

interface Waiting {
  at: number;
  run: () => void;
}

/** Callbacks due within this much are run at once rather than waiting for a timer. */
const DUE_MARGIN_MS = 0.5;

export class SendClock {
  /** Sorted by time. */
  private readonly waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;

  /** Runs `run` at `at` (sharedNow() clock), or now if that has passed. */
  at(at: number, run: () => void): void {
    if (this.waiting.length === 0 && at <= sharedNow() + DUE_MARGIN_MS) {
      run();
      return;
    }
    // Sends arrive almost always in time order: look for the place from the end.
    let index = this.waiting.length;
    while (index > 0 && this.waiting[index - 1]!.at > at) index--;
    this.waiting.splice(index, 0, { at, run });
    this.arm();
  }

  private arm(): void {
    const next = this.waiting[0];
    if (!next || (this.timer && this.timerAt <= next.at)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next.at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next.at - sharedNow()));
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = sharedNow() + DUE_MARGIN_MS;
    let due = 0;
    while (due < this.waiting.length && this.waiting[due]!.at <= now) due++;
    for (const entry of this.waiting.splice(0, due)) entry.run();
    this.arm();
  }
}

/**
 * Least spacing between two requests of an account, as a share of the average interval: requests
 * held up by a pause of this thread leave one by one, never much denser than the normal stream. A
 * dense cluster next to a window edge would let a few milliseconds of network jitter put several
 * extra requests into one second at the provider (measured: 2 ms spacing gave 201–202 at 200/s).
 */
const MIN_SPACING_SHARE = 0.8;
/** How far the spacing's virtual clock may run ahead of real time (see release). */
const SPACING_LEAD_MS = 1;

/**
 * Makes each account's requests at their scheduled times. A request whose time has passed (this
 * thread was busy or not scheduled by the OS) goes as soon as possible, but never more than
 * `perSecond` requests leave in a sliding second and never two closer than MIN_SPACING_SHARE of
 * the average interval: the late ones wait for room instead.
 */
export class ScheduledSends {
  private readonly clock = new SendClock();
  private readonly gates = new Map<string, SlidingSecond>();

  run(account: string, schedule: SendSchedule, send: () => void): void {
    this.clock.at(schedule.at, () => this.release(account, schedule.perSecond, send));
  }

  /** Resolves when a request for `account` may leave. */
  wait(account: string, schedule: SendSchedule): Promise<void> {
    return new Promise((resolve) => this.run(account, schedule, resolve));
  }

  private release(account: string, perSecond: number | undefined, send: () => void): void {
    if (perSecond === undefined) {
      send();
      return;
    }
    let gate = this.gates.get(account);
    if (!gate || gate.limit !== perSecond) {
      gate = gate ? gate.resized(perSecond) : new SlidingSecond(perSecond);
      this.gates.set(account, gate);
    }
    const now = sharedNow();
    // The sliding-second cap holds exactly at the moment of sending. The spacing is kept on a
    // virtual clock that may run up to SPACING_LEAD_MS ahead of real time: timers fire at
    // millisecond resolution, and at thousands of sends per second the spacing is a fraction of
    // that, so waiting for it in real time would cap an account at one send per timer tick.
    const capFreeAt = gate.freeAt(now);
    const spacedAt = gate.newest + (MIN_SPACING_SHARE * 1000) / perSecond;
    if (capFreeAt > now || spacedAt > now + SPACING_LEAD_MS) {
      // (+margin: the clock runs callbacks up to DUE_MARGIN_MS early.)
      const retryAt = Math.max(capFreeAt, spacedAt - SPACING_LEAD_MS);
      this.clock.at(retryAt + DUE_MARGIN_MS, () => this.release(account, perSecond, send));
      return;
    }
    // Recorded at the virtual time (never before the real one), so later checks stay on the safe side.
    gate.record(Math.max(now, spacedAt));
    send();
  }
}
