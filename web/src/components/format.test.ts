import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDateTimeSeconds, timeZoneName } from './format';

const AT = Date.UTC(2026, 10, 26, 10, 20, 30);

describe('formatDateTime', () => {
  it('names the time zone the time is shown in', () => {
    expect(formatDateTime(AT, 'UTC')).toMatch(/2026.*10:20.*UTC$/);
    expect(formatDateTime(AT, 'Asia/Kolkata')).toMatch(/3:50.*5:30$/);
  });

  it('shows a dash for a time that is not there', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime(undefined)).toBe('—');
  });

  it('adds the seconds for log entries', () => {
    expect(formatDateTimeSeconds(AT, 'UTC')).toMatch(/10:20:30.*UTC$/);
  });
});

describe('timeZoneName', () => {
  it('is the short name of the zone', () => {
    expect(timeZoneName('UTC')).toBe('UTC');
    expect(timeZoneName('Asia/Kolkata')).toMatch(/5:30$/);
  });
});
