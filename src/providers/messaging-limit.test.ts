import { describe, expect, it } from 'vitest';
import { asDailyRecipientLimit, dailyRecipientLimitProblem, exceedsLimit, messagingLimitMessage } from './messaging-limit.js';

describe('daily messaging limit', () => {
  it('takes the four tiers and null, and names the field and the tiers for anything else', () => {
    for (const tier of [250, 1000, 10_000, 100_000, null, undefined]) expect(dailyRecipientLimitProblem(tier)).toBeNull();
    for (const value of [0, 500, 1_000_000, 1000.5, '1000', true, {}]) {
      expect(dailyRecipientLimitProblem(value)).toEqual({ path: 'dailyRecipientLimit', message: expect.stringContaining('250, 1000, 10000 or 100000') });
    }
  });

  it('reads a stored value that is no tier as not set', () => {
    expect(asDailyRecipientLimit(1000)).toBe(1000);
    expect(asDailyRecipientLimit(null)).toBeNull();
    expect(asDailyRecipientLimit(500)).toBeNull();
  });

  it('warns only when the audience is more than what is left', () => {
    expect(exceedsLimit({ audience: 750, limit: 1000, usedLast24h: 250 })).toBe(false);
    expect(exceedsLimit({ audience: 751, limit: 1000, usedLast24h: 250 })).toBe(true);
    expect(messagingLimitMessage({ audience: 750, limit: 1000, usedLast24h: 250 })).toBeNull();
    expect(messagingLimitMessage({ audience: 20_000, limit: 1000, usedLast24h: 250 })).toBe(
      'This audience of 20,000 is more than the 1,000 unique users this number may message in 24 hours (750 left); WhatsApp will fail the rest (about 19,250 messages). ' +
        "Send to a smaller audience, spread it over several days, or update the account's daily messaging limit if WhatsApp raised its tier. " +
        'Recipients already messaged in the last 24 hours count once, so fewer may fail.',
    );
  });

  it('counts nothing left, never less, when more than the limit was used', () => {
    const message = messagingLimitMessage({ audience: 1, limit: 250, usedLast24h: 300 }, 'at_publish');
    expect(message).toMatch(/^This audience of 1 was, when published, more than the 250 unique users this number may message in 24 hours \(0 left\); WhatsApp will fail the rest \(about 1 message\)/);
    expect(messagingLimitMessage({ audience: 0, limit: 250, usedLast24h: 300 })).toBeNull();
  });
});
