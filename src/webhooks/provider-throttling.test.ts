import { describe, expect, it } from 'vitest';
import { reportsAccountThrottling, THROTTLING_REPORT_FRESH_MS } from './provider-throttling.js';
import type { ReceiptEvent } from '../providers/provider.js';

const receivedAt = 1_000_000;
const throttled: ReceiptEvent = { kind: 'receipt', providerMessageId: 'm1', status: 'failed', occurredAt: receivedAt - 2000, errorCode: '130429', category: 'rate_limited' };

describe('reportsAccountThrottling', () => {
  it('is true for a fresh failure of the rate-limited category (WhatsApp 130429, Vonage 1000)', () => {
    expect(reportsAccountThrottling(throttled, receivedAt)).toBe(true);
    expect(reportsAccountThrottling({ ...throttled, errorCode: '1000' }, receivedAt)).toBe(true);
    expect(reportsAccountThrottling({ ...throttled, occurredAt: receivedAt - THROTTLING_REPORT_FRESH_MS }, receivedAt)).toBe(true);
  });

  it('is false for other failures, other statuses, a late (retried) report, and the pair rate limit of one recipient', () => {
    expect(reportsAccountThrottling({ ...throttled, category: 'invalid_number' }, receivedAt)).toBe(false);
    expect(reportsAccountThrottling({ ...throttled, status: 'delivered' }, receivedAt)).toBe(false);
    expect(reportsAccountThrottling({ ...throttled, occurredAt: receivedAt - THROTTLING_REPORT_FRESH_MS - 1 }, receivedAt)).toBe(false);
    expect(reportsAccountThrottling({ ...throttled, errorCode: '131056' }, receivedAt)).toBe(false);
  });
});
