import { describe, expect, it } from 'vitest';
import { dateTokenToIso, isCanonicalDate, msToIso, parseDate } from './dates.js';

describe('dates', () => {
  it('reads $D_ epoch seconds into the stored ISO form', () => {
    expect(dateTokenToIso('$D_1487576752')).toBe('2017-02-20T07:45:52.000Z');
    expect(dateTokenToIso('$D_0')).toBe('1970-01-01T00:00:00.000Z');
    expect(dateTokenToIso('$D_-86400')).toBe('1969-12-31T00:00:00.000Z');
    // Milliseconds by mistake land past year 9999 and are refused.
    expect(dateTokenToIso('$D_1487576752000')).toBeNull();
    expect(dateTokenToIso('$D_abc')).toBeNull();
    expect(isCanonicalDate('2017-02-20T07:45:52.000Z')).toBe(true);
    expect(isCanonicalDate('2017-02-20')).toBe(false);
  });

  it('parses dates people write, with day bounds and offsets', () => {
    expect(parseDate('2024-01-31')).toBe(Date.UTC(2024, 0, 31));
    expect(parseDate('2024-01-31', 'end')).toBe(Date.UTC(2024, 1, 1) - 1);
    expect(parseDate('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(parseDate('2023-02-29')).toBeNull();
    expect(parseDate('2024-13-01')).toBeNull();
    expect(parseDate('2024-05-01T10:00')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseDate('2024-05-01 10:00:30.5Z')).toBe(Date.UTC(2024, 4, 1, 10, 0, 30, 500));
    expect(parseDate('2024-05-01T10:00:00+05:30')).toBe(Date.UTC(2024, 4, 1, 4, 30));
    expect(parseDate('2024-05-01T10:00:00-0800')).toBe(Date.UTC(2024, 4, 1, 18));
    expect(parseDate('2024-05-01T24:00')).toBeNull();
    expect(parseDate('$D_1487576752')).toBe(1_487_576_752_000);
    expect(parseDate('yesterday')).toBeNull();
    expect(parseDate('01/05/2024')).toBeNull();
    expect(msToIso(Number.NaN)).toBeNull();
  });
});
