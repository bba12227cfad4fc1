import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirError, prepareDataDir, prepareDataFile } from './data-dir.js';
import { openDb } from './db.js';

describe('data directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'wacast-data-dir-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is created readable by this user only, with the database file and its WAL 0600', async () => {
    const dir = join(root, 'fresh', 'data');
    const db = openDb({ dataDir: dir });
    await db.kysely.schema.createTable('t').addColumn('x', 'integer').execute();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'wacast.db')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'wacast.db-wal')).mode & 0o777).toBe(0o600);
    await db.close();
  });

  it('keeps the mode of a directory the operator made', () => {
    const dir = mkdtempSync(join(root, 'made-'));
    const mode = statSync(dir).mode & 0o777;
    prepareDataDir(dir);
    expect(statSync(dir).mode & 0o777).toBe(mode);
  });

  it('that is a file stops the start with one line naming WACAST_DATA_DIR', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    expect(() => prepareDataFile(file, 'wacast.db')).toThrow(DataDirError);
    expect(() => prepareDataFile(file, 'wacast.db')).toThrow(
      `WACAST_DATA_DIR=${file} cannot be used: it is a file, not a directory: set WACAST_DATA_DIR to a directory this user can write.`,
    );
    expect(() => prepareDataDir(join(file, 'data'))).toThrow(
      `WACAST_DATA_DIR=${join(file, 'data')} cannot be used: a part of the path is a file, not a directory: set WACAST_DATA_DIR to a directory this user can write.`,
    );
  });

  it('under /proc or /sys stops the start at once (a recursive mkdir there would spin)', () => {
    for (const dir of ['/proc/wacast/data', '/proc', '/sys/fs/wacast']) {
      expect(() => prepareDataDir(dir), dir).toThrow(
        `WACAST_DATA_DIR=${dir} cannot be used: it is inside ${dir.startsWith('/proc') ? '/proc' : '/sys'}, a kernel file system that cannot hold a database: set WACAST_DATA_DIR to a directory this user can write.`,
      );
    }
  });
});
