import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupSqlite, BackupError } from './sqlite-backup.js';

/** The room check of `wacast backup`, before anything is written (the copy itself: test/cli/backup.test.ts). */
describe('backup: room on the target disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wacast-backup-room-'));
  const source = join(dir, 'wacast.db');
  const target = join(dir, 'copy.db');

  beforeAll(() => {
    const db = new BetterSqlite3(source);
    db.exec('create table filler (x blob)');
    db.prepare('insert into filler values (randomblob(2000000))').run(); // ~2 MB of pages in use
    db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const attempt = (freeBytes: number) => backupSqlite({ source, target, diskReader: async () => ({ freeBytes, totalBytes: 100e9 }) });

  it('refuses when the copy cannot fit, saying how much it needs and how much is free', async () => {
    await expect(attempt(1e6)).rejects.toThrow(BackupError);
    await expect(attempt(1e6)).rejects.toThrow(/The backup needs about 3 MB but only 1 MB is free in .*wacast-backup-room-.*: free up space there, or choose a directory on another disk with --out\. Nothing was written\./);
    expect(readdirSync(dir).sort()).toEqual(['wacast.db']);
  });

  it('refuses when, on the database\'s own disk, it would leave less than the space at which campaigns hold', async () => {
    await expect(attempt(200e6)).rejects.toThrow(/would leave only 197 MB free on the disk that holds the database; below 250 MB wacast holds its campaigns\. Write it to another disk with --out/);
    expect(existsSync(target)).toBe(false);
  });

  it('goes ahead when there is room: the copy is made, then checked (this file is no wacast database)', async () => {
    await expect(attempt(10e9)).rejects.toThrow(/^The copy of .*wacast\.db is not a readable wacast database \(no such table: wacast_migrations\); nothing was written\.$/);
    expect(readdirSync(dir).sort()).toEqual(['wacast.db']);
  });
});
