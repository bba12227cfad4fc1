import { describe, expect, it } from 'vitest';
import { takeTestSend, TEST_SEND_BURST, TEST_SEND_INTERVAL_MS } from './send-test.js';
import type { AppDeps } from '../deps.js';

describe('takeTestSend', () => {
  it('lets a burst through, then one per interval; accounts and apps have their own buckets', () => {
    const app = { providers: {} } as Pick<AppDeps, 'providers'>;
    const otherApp = { providers: {} } as Pick<AppDeps, 'providers'>;
    const t0 = 1_000_000;
    for (let i = 0; i < TEST_SEND_BURST; i++) takeTestSend(app, 'a', t0);
    expect(() => takeTestSend(app, 'a', t0 + TEST_SEND_INTERVAL_MS - 1)).toThrow(/at most one a second/);
    takeTestSend(app, 'b', t0);
    takeTestSend(otherApp, 'a', t0);
    takeTestSend(app, 'a', t0 + TEST_SEND_INTERVAL_MS);
    expect(() => takeTestSend(app, 'a', t0 + TEST_SEND_INTERVAL_MS)).toThrow(/at most one a second/);
    // Idle time refills up to the burst, not beyond.
    const later = t0 + 100 * TEST_SEND_INTERVAL_MS;
    for (let i = 0; i < TEST_SEND_BURST; i++) takeTestSend(app, 'a', later);
    expect(() => takeTestSend(app, 'a', later)).toThrow(/at most one a second/);
  });
});
