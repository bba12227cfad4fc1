import { describe, expect, it } from 'vitest';
import { applierShare, DEFAULT_APPLIER_SERVICE_OPTIONS, pauseAfterPass, type PassOutcome } from './applier.service.js';

const options = { busyShare: 0.25, maxLagMs: 5_000, paceMs: 10 };
const pass = (outcome: Partial<PassOutcome>): PassOutcome => ({ taken: 250, batchLimit: 250, arriving: true, lagMs: 0, passMs: 12, ...outcome });

describe('applier pauses: acknowledgements first', () => {
  it('keeps the applier to its share of the time while callbacks arrive and the log is current', () => {
    // 12 ms of applying, then 36 ms for the requests: 25 % of the time.
    expect(pauseAfterPass(pass({}), options)).toBe(36);
    expect(pauseAfterPass(pass({ taken: 40, passMs: 2 }), options)).toBe(10); // never below paceMs
    expect(pauseAfterPass(pass({ taken: 40, passMs: 8 }), options)).toBe(24);
  });

  it('takes more of the time the further the log is behind, all of it at maxLagMs', () => {
    expect(applierShare(0, options)).toBe(0.25);
    expect(applierShare(2_000, options)).toBeCloseTo(0.55);
    expect(applierShare(5_000, options)).toBe(1);
    // 12 ms of applying at 55 %: ~9.8 ms for the requests.
    expect(pauseAfterPass(pass({ lagMs: 2_000 }), options)).toBeCloseTo(9.82, 1);
    const pauses = [0, 1_000, 2_000, 3_000, 4_000].map((lagMs) => pauseAfterPass(pass({ lagMs }), options) as number);
    expect(pauses).toEqual([...pauses].sort((a, b) => b - a));
  });

  it('catches up without pausing when nothing arrives or the log is too far behind', () => {
    expect(pauseAfterPass(pass({ arriving: false }), options)).toBe('next-turn');
    expect(pauseAfterPass(pass({ lagMs: 5_000 }), options)).toBe('next-turn');
    expect(pauseAfterPass(pass({ lagMs: 60_000 }), options)).toBe('next-turn');
    expect(pauseAfterPass(pass({ taken: 40, arriving: false }), options)).toBe(10);
    expect(pauseAfterPass(pass({}), { ...options, busyShare: 1 })).toBe('next-turn');
  });

  it('defaults to a share that leaves most of the time to acknowledgements, within seconds of lag', () => {
    expect(DEFAULT_APPLIER_SERVICE_OPTIONS.busyShare).toBeLessThan(0.5);
    expect(DEFAULT_APPLIER_SERVICE_OPTIONS.maxLagMs).toBeLessThanOrEqual(10_000);
  });
});
