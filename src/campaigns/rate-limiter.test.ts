import { describe, expect, it } from 'vitest';
import { Pacer } from './rate-limiter.js';
import { busiestWindow } from '../bench/rate.bench.js';

/** Sends as many as the pacer allows at `now` (at most `max`), as a sender that never looks ahead. */
function take(pacer: Pacer, max: number, now: number): number {
  let count = 0;
  while (count < max && pacer.nextAt(now) <= now) {
    pacer.commit(now);
    count++;
  }
  return count;
}

/** A sender that wakes up every `stepMs` (plus random lateness) and sends what is allowed. */
function simulate(rate: number, seconds: number, stepMs: number, latenessMs = 0): number[] {
  const pacer = new Pacer(rate, 0);
  const sends: number[] = [];
  let now = 0;
  while (now <= seconds * 1000) {
    const n = take(pacer, Number.MAX_SAFE_INTEGER, now);
    for (let i = 0; i < n; i++) sends.push(now);
    now += Math.max(stepMs, Math.min(pacer.nextAt(now) - now, 50)) + Math.random() * latenessMs;
  }
  return sends;
}


describe('Pacer', () => {
  it.each([1, 7, 80, 200, 1000, 5000, 10000])('never allows more than %i per sliding second, and nearly that many', (rate) => {
    for (const lateness of [0, 3]) {
      const sends = simulate(rate, 20, 1, lateness);
      expect(busiestWindow(sends)).toBeLessThanOrEqual(rate);
      expect(sends.length / 20).toBeGreaterThanOrEqual(rate * 0.975 - 1);
    }
  });

  it('keeps a margin for network jitter at 200/s', () => {
    expect(busiestWindow(simulate(200, 20, 1, 2))).toBeLessThanOrEqual(198);
  });

  it('bursts at most 5 ms worth of sends after an idle period or a long pause', () => {
    const pacer = new Pacer(1000, 0);
    // 1 + 980/s × 5 ms of catch-up allowance, then one every 1.02 ms
    const burst = take(pacer, 10_000, 60_000);
    expect(burst).toBeGreaterThan(1);
    expect(burst).toBeLessThanOrEqual(6);
    expect(take(pacer, 10_000, 60_000.5)).toBeLessThanOrEqual(1);
    expect(take(pacer, 10_000, 60_000.6)).toBe(0);
  });

  it('stops when throttled, then recovers', () => {
    const pacer = new Pacer(100, 0);
    pacer.throttle(1000, 0);
    expect(take(pacer, 10, 500)).toBe(0);
    expect(pacer.nextAt(500) - 500).toBeCloseTo(500);
    expect(pacer.currentRate).toBeCloseTo(98 / 2);
    take(pacer, 1, 30_000);
    expect(pacer.currentRate).toBeCloseTo(98);
  });
});

describe('Pacer sliding-second cap', () => {
  it('never lets more than 98 % of the rate through in any sliding second, even after stalls', () => {
    const pacer = new Pacer(200, 0);
    const sends: number[] = [];
    let now = 0;
    // Irregular wake-ups with stalls up to 40 ms.
    for (let step = 0; step < 20_000; step++) {
      const n = take(pacer, 1000, now);
      for (let i = 0; i < n; i++) sends.push(now);
      now += step % 97 === 0 ? 40 : 1 + (step % 3);
    }
    expect(busiestWindow(sends)).toBeLessThanOrEqual(196);
    expect(take(pacer, 1000, now)).toBeLessThanOrEqual(1);
  });
});

describe('Pacer scheduling ahead', () => {
  it('gives future send times that keep the same limits as sending on time', () => {
    const pacer = new Pacer(200, 0);
    const sends: number[] = [];
    let now = 0;
    // Wake-ups every 50 ms (with stalls up to 60 ms), each scheduling the next 100 ms.
    for (let step = 0; now < 20_000; step++) {
      for (;;) {
        const at = pacer.nextAt(now);
        if (at > now + 100) break;
        pacer.commit(at);
        sends.push(at);
      }
      now += step % 37 === 0 ? 60 : 50;
    }
    for (let i = 1; i < sends.length; i++) expect(sends[i]!).toBeGreaterThanOrEqual(sends[i - 1]!);
    expect(busiestWindow(sends)).toBeLessThanOrEqual(196);
    // Stalls shorter than the look-ahead cost nothing: the full 98 % of the rate.
    expect(sends.filter((at) => at < 20_000).length / 20).toBeGreaterThanOrEqual(195.9);
  });
});
