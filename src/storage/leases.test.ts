import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite, type Db } from './db.js';
import { migrate } from './migrator.js';
import { acquireLease, holdLease, releaseLease } from './leases.js';

const dir = mkdtempSync(join(tmpdir(), 'wacast-leases-'));
let db: Db;
beforeAll(async () => {
  db = openSqlite(join(dir, 'l.db'));
  await migrate(db);
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('leases', () => {
  it('has one holder until it expires or is released', async () => {
    const now = 1_000_000;
    expect(await acquireLease(db, 'a', 'w1', 5000, now)).toBe(true);
    expect(await acquireLease(db, 'a', 'w2', 5000, now + 1000)).toBe(false);
    expect(await acquireLease(db, 'a', 'w1', 5000, now + 1000)).toBe(true); // renewal
    expect(await acquireLease(db, 'a', 'w2', 5000, now + 6001)).toBe(true); // w1's ran out
    await releaseLease(db, 'a', 'w1'); // not the holder: nothing happens
    expect(await acquireLease(db, 'a', 'w1', 5000, now + 6002)).toBe(false);
    await releaseLease(db, 'a', 'w2');
    expect(await acquireLease(db, 'a', 'w1', 5000, now + 6003)).toBe(true);
  });

  it('released with a hold, stays taken for that long only', async () => {
    const now = 2_000_000;
    expect(await acquireLease(db, 'b', 'w1', 5000, now)).toBe(true);
    await releaseLease(db, 'b', 'w1', 1000, now + 100);
    expect(await acquireLease(db, 'b', 'w2', 5000, now + 1000)).toBe(false);
    expect(await acquireLease(db, 'b', 'w2', 5000, now + 1101)).toBe(true);
  });

  it('is held inside a transaction only by its owner, extended, also after running out while nobody took it', async () => {
    const now = 3_000_000;
    expect(await acquireLease(db, 'c', 'w1', 5000, now)).toBe(true);
    expect(await db.kysely.transaction().execute((trx) => holdLease(trx, 'c', 'w1', 5000, now + 1000))).toBe(true);
    expect(await acquireLease(db, 'c', 'w2', 5000, now + 5500)).toBe(false); // extended to now + 6000
    expect(await db.kysely.transaction().execute((trx) => holdLease(trx, 'c', 'w1', 5000, now + 20_000))).toBe(true); // ran out, nobody took it
    expect(await acquireLease(db, 'c', 'w2', 5000, now + 30_000)).toBe(true);
    expect(await db.kysely.transaction().execute((trx) => holdLease(trx, 'c', 'w1', 5000, now + 30_001))).toBe(false); // taken over
    await releaseLease(db, 'c', 'w2');
    expect(await db.kysely.transaction().execute((trx) => holdLease(trx, 'c', 'w2', 5000, now + 30_002))).toBe(false); // released
  });
});
