import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from './db.js';

const dir = mkdtempSync(join(tmpdir(), 'wacast-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('background WAL checkpoints', () => {
  it('copies committed pages into the database file from its own thread, not in the writer’s commits', async () => {
    const file = join(dir, 'c.db');
    const db = openSqlite(file);
    try {
      const autocheckpoint = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db.kysely);
      expect(autocheckpoint.rows[0]!.wal_autocheckpoint).toBe(0);

      await sql`create table blobs (id integer primary key, body text)`.execute(db.kysely);
      const body = 'x'.repeat(4000);
      await db.kysely.transaction().execute(async (trx) => {
        for (let i = 0; i < 1000; i++) await sql`insert into blobs (body) values (${body})`.execute(trx);
      });
      // The commit left ~4 MB in the WAL; with automatic checkpoints off only the thread moves it.
      const deadline = Date.now() + 10_000;
      while (statSync(file).size < 4_000_000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(statSync(file).size).toBeGreaterThanOrEqual(4_000_000);
    } finally {
      await db.close();
    }
  });
});
