import { describe, expect, it } from 'vitest';
import { campaignWarnings, REPORTS_EXPECTED_WITHIN_MS, THROTTLING_WARNING_MS, type WarningFacts } from './delivery-report-warning.js';

const now = 10 * REPORTS_EXPECTED_WITHIN_MS;
const silent: WarningFacts = {
  state: 'running',
  startedAt: now - REPORTS_EXPECTED_WITHIN_MS,
  stats: { sent: 3, unknown: 0, delivered: 0, read: 0 },
  account: { nickname: 'Promo', lastReceiptAt: null, lastThrottledAt: null, deleted: false },
  now,
};

describe('campaignWarnings', () => {
  it('warns once messages have waited REPORTS_EXPECTED_WITHIN_MS for a first report, naming the account', () => {
    expect(campaignWarnings(silent)).toEqual([{ code: 'no_delivery_reports', message: expect.stringContaining('"Promo"') }]);
    expect(campaignWarnings({ ...silent, startedAt: now - REPORTS_EXPECTED_WITHIN_MS + 1 })).toEqual([]);
    // Messages whose outcome is unknown wait for reports too.
    expect(campaignWarnings({ ...silent, stats: { sent: 0, unknown: 2, delivered: 0, read: 0 } })).toHaveLength(1);
    for (const state of ['paused', 'completed', 'stopped'] as const) expect(campaignWarnings({ ...silent, state })).toHaveLength(1);
  });

  it('stays quiet when reports arrived since the start, when nothing left, or when there is nothing to check', () => {
    expect(campaignWarnings({ ...silent, account: { ...silent.account!, lastReceiptAt: silent.startedAt! } })).toEqual([]);
    expect(campaignWarnings({ ...silent, account: { ...silent.account!, lastReceiptAt: silent.startedAt! - 1 } })).toHaveLength(1);
    expect(campaignWarnings({ ...silent, stats: { sent: 3, unknown: 0, delivered: 1, read: 0 } })).toEqual([]);
    expect(campaignWarnings({ ...silent, stats: { sent: 0, unknown: 0, delivered: 0, read: 0 } })).toEqual([]);
    expect(campaignWarnings({ ...silent, startedAt: null })).toEqual([]);
    expect(campaignWarnings({ ...silent, state: 'draft' })).toEqual([]);
    expect(campaignWarnings({ ...silent, account: { ...silent.account!, deleted: true } })).toEqual([]);
    expect(campaignWarnings({ ...silent, account: null })).toEqual([]);
  });

  describe('provider_throttling', () => {
    const reported = now - 1000;
    const throttled: WarningFacts = { ...silent, stats: { sent: 3, unknown: 0, delivered: 3, read: 0 }, account: { ...silent.account!, lastReceiptAt: now, lastThrottledAt: reported } };

    it('warns while the campaign runs or is paused, when its account was throttled since it started', () => {
      expect(campaignWarnings(throttled)).toEqual([{ code: 'provider_throttling', message: expect.stringContaining('"Promo"') }]);
      expect(campaignWarnings({ ...throttled, state: 'paused' })).toHaveLength(1);
      // Both at once: throttled, and no report of a delivery.
      expect(campaignWarnings({ ...throttled, stats: silent.stats, account: { ...throttled.account!, lastReceiptAt: null } }).map((warning) => warning.code)).toEqual([
        'no_delivery_reports',
        'provider_throttling',
      ]);
    });

    it('stays quiet for throttling before the start, long ago, or once the campaign is over', () => {
      expect(campaignWarnings({ ...throttled, account: { ...throttled.account!, lastThrottledAt: throttled.startedAt! - 1 } })).toEqual([]);
      expect(campaignWarnings({ ...throttled, now: reported + THROTTLING_WARNING_MS + 1 })).toEqual([]);
      for (const state of ['completed', 'stopped', 'failed'] as const) expect(campaignWarnings({ ...throttled, state })).toEqual([]);
    });
  });
});
