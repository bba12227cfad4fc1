import { describe, expect, it, vi } from 'vitest';
import { ScheduledSends, SendClock, sharedNow } from './send-clock.js';
import { busiestWindow } from '../bench/rate.bench.js';

describe('SendClock', () => {
  it('runs each callback at its time, in time order, however they were added', async () => {
    const clock = new SendClock();
    const start = sharedNow();
    const ran: Array<{ label: string; at: number }> = [];
    const offsets = { c: 60, a: 20, b: 40, now: -5 };
    await Promise.all(
      Object.entries(offsets).map(([label, offset]) => new Promise<void>((resolve) => clock.at(start + offset, resolve)).then(() => ran.push({ label, at: sharedNow() - start }))),
    );
    expect(ran.map((entry) => entry.label)).toEqual(['now', 'a', 'b', 'c']);
    for (const entry of ran) expect(entry.at).toBeGreaterThanOrEqual(Math.max(0, offsets[entry.label as keyof typeof offsets]) - 0.5);
  });

  it('runs a callback whose time has passed at once', () => {
    const clock = new SendClock();
    let ran = false;
    clock.at(sharedNow() - 1, () => (ran = true));
    expect(ran).toBe(true);
  });
});

describe('ScheduledSends', () => {
  it('lets late requests leave one by one and never more than perSecond in a sliding second', async () => {
    // A simulated clock: what is checked is the schedule, not how punctual this machine's timers are.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const sends = new ScheduledSends();
      const perSecond = 50;
      const start = sharedNow();
      // 60 requests all due at once (as after a long pause of the thread): 50 may go within the
      // first second, each at least 0.8 × 20 ms after the previous, the rest a second later.
      const left: number[] = [];
      for (let i = 0; i < 60; i++) sends.run('a', { at: start - 5, perSecond }, () => left.push(sharedNow()));
      await vi.advanceTimersByTimeAsync(3000);
      expect(left).toHaveLength(60);
      expect(busiestWindow(left, 999.9)).toBeLessThanOrEqual(perSecond);
      expect(busiestWindow(left, 1000)).toBeGreaterThan(perSecond - 5);
      // Spacing of 16 ms on average, none closer than 16 ms less the 1 ms the spacing may run ahead.
      for (let i = 1; i < left.length; i++) expect(left[i]! - left[i - 1]!).toBeGreaterThanOrEqual(15 - 0.1);
      expect(left[50]! - left[0]!).toBeGreaterThanOrEqual(999.9);
      // Another account is not held back by the first one's limit.
      const other = sharedNow();
      let waitedFor = -1;
      void sends.wait('b', { at: other, perSecond }).then(() => (waitedFor = sharedNow() - other));
      await vi.advanceTimersByTimeAsync(15);
      expect(waitedFor).toBeGreaterThanOrEqual(0);
      expect(waitedFor).toBeLessThan(15);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps up with thousands of sends per second (spacing below the timer resolution)', async () => {
    const sends = new ScheduledSends();
    const perSecond = 10_000;
    const start = sharedNow();
    const left: number[] = [];
    // 2,000 requests scheduled 0.1 ms apart: 200 ms of sending at 10,000/s.
    await new Promise<void>((done) => {
      for (let i = 0; i < 2000; i++) sends.run('a', { at: start + i * 0.1, perSecond }, () => left.push(sharedNow()) === 2000 && done());
    });
    // What this guards against is one send per timer tick (≥ 1 ms each: ≥ 2 s for these 2,000).
    // The bound leaves room for a loaded machine's slow timers: 400 ms was missed at 411 under load.
    expect(left[1999]! - start).toBeLessThan(1000);
  });

  it('sends at once when there is no limit', async () => {
    const sends = new ScheduledSends();
    const start = sharedNow();
    await Promise.all(Array.from({ length: 100 }, () => sends.wait('a', { at: start })));
    expect(sharedNow() - start).toBeLessThan(50);
  });
});
