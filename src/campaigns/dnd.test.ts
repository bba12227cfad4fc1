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
});
