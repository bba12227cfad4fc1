import { describe, expect, it } from 'vitest';
import { timelineNeedsRefresh } from './stream-refresh';

describe('timeline refresh on stream events', () => {
  it('refreshes on the first event when the numbers moved since the page loaded', () => {
    expect(timelineNeedsRefresh(null, '{"sent":3}', '{"sent":5}')).toBe(true);
    expect(timelineNeedsRefresh(null, '{"sent":5}', '{"sent":5}')).toBe(false);
    expect(timelineNeedsRefresh(null, undefined, '{"sent":5}')).toBe(true);
  });

  it('then refreshes only when the numbers change', () => {
    expect(timelineNeedsRefresh('{"sent":5}', '{"sent":3}', '{"sent":5}')).toBe(false);
    expect(timelineNeedsRefresh('{"sent":5}', '{"sent":5}', '{"sent":6}')).toBe(true);
  });
});
