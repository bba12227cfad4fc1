import { describe, expect, it } from 'vitest';
import { inDndWindow, isValidTimezone } from './dnd.js';

const at = (iso: string) => Date.parse(iso);

describe('DND hours', () => {
  const night = { from: '21:00', to: '09:00', timezone: 'Asia/Kolkata' };
  it('handles windows across midnight in the given timezone', () => {
    expect(inDndWindow(night, at('2026-11-25T16:00:00Z'))).toBe(true); // 21:30 IST
    expect(inDndWindow(night, at('2026-11-25T02:00:00Z'))).toBe(true); // 07:30 IST
    expect(inDndWindow(night, at('2026-11-25T04:00:00Z'))).toBe(false); // 09:30 IST
    expect(inDndWindow(night, at('2026-11-25T10:00:00Z'))).toBe(false); // 15:30 IST
  });
  it('handles same-day windows', () => {
    const lunch = { from: '12:00', to: '14:00', timezone: 'UTC' };
    expect(inDndWindow(lunch, at('2026-11-25T12:30:00Z'))).toBe(true);
    expect(inDndWindow(lunch, at('2026-11-25T14:00:00Z'))).toBe(false);
  });
  it('knows timezones', () => {
    expect(isValidTimezone('Europe/Berlin')).toBe(true);
    expect(isValidTimezone('Mars/Olympus')).toBe(false);
  });
  it('follows the local wall clock across daylight-saving changes', () => {
    const berlin = { from: '21:00', to: '09:00', timezone: 'Europe/Berlin' };
    // Spring forward (29 March 2026, 02:00 CET → 03:00 CEST): 08:30 local is 06:30Z, 09:30 local is 07:30Z.
    expect(inDndWindow(berlin, at('2026-03-29T06:30:00Z'))).toBe(true);
    expect(inDndWindow(berlin, at('2026-03-29T07:30:00Z'))).toBe(false);
    // The day before, still CET: 08:30Z is 09:30 local.
    expect(inDndWindow(berlin, at('2026-03-28T08:30:00Z'))).toBe(false);
    // Fall back (1 November 2026 in New York, 02:00 EDT → 01:00 EST).
    const newYork = { from: '21:00', to: '09:00', timezone: 'America/New_York' };
    expect(inDndWindow(newYork, at('2026-11-01T13:30:00Z'))).toBe(true); // 08:30 EST
    expect(inDndWindow(newYork, at('2026-11-01T14:30:00Z'))).toBe(false); // 09:30 EST
    expect(inDndWindow(newYork, at('2026-11-02T02:30:00Z'))).toBe(true); // 21:30 EST
    // A window inside the hour skipped on a spring-forward day does not occur that day.
    const skipped = { from: '02:00', to: '03:00', timezone: 'Europe/Berlin' };
    expect(inDndWindow(skipped, at('2026-03-29T00:59:00Z'))).toBe(false); // 01:59 CET
    expect(inDndWindow(skipped, at('2026-03-29T01:00:00Z'))).toBe(false); // 03:00 CEST
    expect(inDndWindow(skipped, at('2026-03-28T01:30:00Z'))).toBe(true); // 02:30 CET the day before
  });
});
