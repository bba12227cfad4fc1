import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../../test/helpers/databases.js';
import type { Db } from '../storage/db.js';
import { previewFor, takeTestSend, testSendsPerSecond, TEST_SEND_BURST, TEST_SEND_INTERVAL_MS } from './send-test.js';
import { Pacer } from './rate-limiter.js';

describe('testSendsPerSecond', () => {
  it('is the room the pacer leaves in a second, at least one, at most the burst', () => {
    expect([1, 2, 50, 51, 100, 101, 150, 200, 10_000].map(testSendsPerSecond)).toEqual([1, 1, 1, 2, 2, 3, 3, 3, 3]);
    // Campaigns at full rate plus the tests stay within the rate (an account at 1/s has no room).
    for (let rate = 2; rate <= 1000; rate++) expect(Pacer.capFor(rate) + testSendsPerSecond(rate), `rate ${rate}`).toBeLessThanOrEqual(rate);
    expect(TEST_SEND_BURST).toBe(3);
  });
});

describe('previewFor', () => {
  const profile = { identity: 'u1', phone: null, properties: { Name: 'Ana' } };

  it('names a value that is not valid Liquid by its placeholder, as the field "Value for {{3}}" does, not by its API path', () => {
    const preview = previewFor(profile, 'Hi {{1}} {{2}} {{3}}', ['{{ Profile.Name }}', 'x', '{{ Profile.Name ']);
    expect(preview).toEqual({ ok: false, error: expect.stringMatching(/^\{\{3\}\}: is not valid Liquid: /) });
    expect(preview.error).not.toContain('params');
  });

  it('names a value that cannot be rendered the same way', () => {
    expect(previewFor(profile, 'Hi {{1}} {{2}}', ['x', '{{ Profile.City }}'])).toEqual({ ok: false, error: expect.stringMatching(/^\{\{2\}\}: missing value/) });
  });
});

describe.each(testEngines())('takeTestSend ($name)', (engine) => {
  let db: Db;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(async () => {
    await db.close();
  });

  it('takes the slots of a second, shared through the database; accounts have their own', async () => {
    const t0 = 1_000_000;
    // An account at 200/s: three a second.
    for (let i = 0; i < 3; i++) await takeTestSend(db, 'a', 200, t0 + i);
    await expect(takeTestSend(db, 'a', 200, t0 + 10)).rejects.toMatchObject({ status: 429, message: expect.stringContaining('at most 3 a second') });
    await takeTestSend(db, 'b', 200, t0 + 10);
    // A slot is free again a second after it was taken.
    await expect(takeTestSend(db, 'a', 200, t0 + TEST_SEND_INTERVAL_MS)).rejects.toMatchObject({ status: 429 });
    await takeTestSend(db, 'a', 200, t0 + TEST_SEND_INTERVAL_MS + 1);
    // An account at 40/s: one a second.
    await takeTestSend(db, 'c', 40, t0);
    await expect(takeTestSend(db, 'c', 40, t0 + 500)).rejects.toMatchObject({ message: expect.stringContaining('at most one a second') });
    await takeTestSend(db, 'c', 40, t0 + TEST_SEND_INTERVAL_MS + 1);
  });
});
