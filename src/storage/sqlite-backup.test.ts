import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupSqlite, BackupError } from './sqlite-backup.js';
import { restoreSqlite } from './sqlite-restore.js';
import { openSqlite } from './db.js';
import { migrate } from './migrator.js';

/** The room checks of `wacast backup` and `wacast restore`, before anything is written (the rest: test/cli/backup.test.ts, restore.test.ts). */
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

describe('restore: room in the data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wacast-restore-room-'));
  const backup = join(dir, 'backup.db');
  const dataDir = join(dir, 'data');

  beforeAll(async () => {
    const db = openSqlite(backup);
    await migrate(db);
    await db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses before changing anything when the copy does not fit beside the database it replaces', async () => {
    const restore = restoreSqlite({ backup, dataDir, key: null, replace: true, diskReader: async () => ({ freeBytes: 300_000, totalBytes: 100e9 }) });
    await expect(restore).rejects.toThrow(BackupError);
    await expect(restoreSqlite({ backup, dataDir, key: null, replace: true, diskReader: async () => ({ freeBytes: 300_000, totalBytes: 100e9 }) })).rejects.toThrow(
      /^Restoring needs about 1 MB in .*data, and only 300 kB is free there \(the current database is kept beside it\): free up space first, e\.g\. remove older wacast\.db\.before-restore-\* files you no longer need\. Nothing was changed\.$/,
    );
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('restores when there is room', async () => {
    const restored = await restoreSqlite({ backup, dataDir, key: null, replace: true, diskReader: async () => ({ freeBytes: 10e9, totalBytes: 100e9 }) });
    expect(restored).toMatchObject({ database: join(dataDir, 'wacast.db'), keptAs: null });
    expect(existsSync(join(dataDir, 'wacast.db'))).toBe(true);
  });
});
