/**
 * An online backup of the embedded SQLite database (`wacast backup`).
 *
 * Copying `wacast.db` with `cp` while wacast runs is not a backup: the newest commits live in the
 * `-wal` file, and a copy taken mid-checkpoint can be torn. `VACUUM INTO` instead writes a compact,
 * consistent snapshot from one read transaction, beside a running server (WAL lets it keep
 * writing). The copy goes to a private temporary file next to the target, is checked
 * (`quick_check`, the migrations it has, whether the secret key opens its credentials), synced, and
 * only then renamed into place: a failed or interrupted backup never leaves a half-written file
 * under the target's name.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { copySnapshot, type SnapshotRequest } from './sqlite-snapshot.js';
import { keyOpensCanary, SECRET_KEY_CANARY } from '../secrets/master-key.js';
import { DEFAULT_DISK_THRESHOLDS, formatBytes, statfsReader, type DiskReader } from '../ops/disk-space.js';

/** The compiled thread script: beside this module in dist/, or in dist/ when this runs from sources. */
const WORKER_FILE = [
  fileURLToPath(new URL('./sqlite-backup.worker.js', import.meta.url)),
  fileURLToPath(new URL('../../dist/storage/sqlite-backup.worker.js', import.meta.url)),
].find((file) => existsSync(file));

const PROGRESS_EVERY_MS = 200;

/** A backup that cannot be made; the message says why and what to do. */
export class BackupError extends Error {}

export interface BackupOptions {
  /** The database file (`<data dir>/wacast.db`). */
  source: string;
  target: string;
  /** Replace an existing file at `target`. */
  force?: boolean;
  /** The secret key the server uses, when known: the backup says whether it opens the copy's credentials. */
  key?: Buffer | undefined;
  /** Bytes written so far and the expected total (the source's pages in use). */
  onProgress?: (written: number, total: number) => void;
  /** Reads a disk's free space (tests); statfs by default. */
  diskReader?: DiskReader;
  /** Free bytes below which the server holds its campaigns (WACAST_DISK_HOLD_MB): a backup beside the database must leave them. */
  holdBelowBytes?: number;
}

export interface BackupSummary {
  file: string;
  bytes: number;
  projects: number;
  profiles: number;
  messages: number;
  /** Name of the newest migration in the copy. */
  lastMigration: string | null;
  /** Whether the given key opens the copy's credentials; null when no key was given or the database has no credentials yet. */
  keyOpens: boolean | null;
  /** The database has credentials (a key check stored by a server): it needs its secret key. */
  needsKey: boolean;
}

/** What a database file holds, after an integrity check; throws BackupError when it is not a sound wacast database. */
export function inspectDatabase(file: string, key: Buffer | undefined): Omit<BackupSummary, 'file' | 'bytes'> {
  return verify(file, key, file);
}

export async function backupSqlite(options: BackupOptions): Promise<BackupSummary> {
  const source = resolve(options.source);
  const target = resolve(options.target);
  if (!existsSync(source)) {
    throw new BackupError(`There is no wacast database at ${source}: run the backup with the server's WACAST_DATA_DIR.`);
  }
  if ([source, `${source}-wal`, `${source}-shm`].includes(target)) {
    throw new BackupError(`The backup cannot be written over the database itself (${target}): choose another file with --out.`);
  }
  const directory = dirname(target);
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    throw new BackupError(`The directory ${directory} does not exist: create it first, or choose another --out.`);
  }
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) throw new BackupError(`${target} is a directory: --out names the backup file, e.g. ${join(target, 'wacast-backup.db')}.`);
    if (!options.force) throw new BackupError(`${target} already exists: choose another file, or add --force to replace it.`);
  }

  const expectedBytes = pagesInUse(source);
  await checkRoom(source, directory, expectedBytes, options.diskReader ?? statfsReader, options.holdBelowBytes ?? DEFAULT_DISK_THRESHOLDS.holdBelowBytes);

  const partial = join(directory, `.${basename(target)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    // Created empty and private first (VACUUM INTO accepts an empty file and keeps its mode): the
    // copy holds phone numbers and encrypted credentials, so it is never readable by others.
    closeSync(openSync(partial, 'wx', 0o600));
    await copyWithProgress({ source, target: partial }, expectedBytes, options.onProgress);
    const summary = verify(partial, options.key, `The copy of ${source}`);
    syncPath(partial);
    renameSync(partial, target);
    syncPath(directory);
    return { ...summary, file: target, bytes: statSync(target).size };
  } finally {
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) rmSync(leftover, { force: true });
  }
}

/**
 * Refuses a backup that cannot fit, before writing anything: with less room than the copy needs it
 * would fail near the end. On the disk that holds the database itself, it must also leave the
 * free space at which campaigns hold (disk-space.ts): a backup must not stop the server it saves.
 */
async function checkRoom(source: string, directory: string, expectedBytes: number, reader: DiskReader, holdBelowBytes: number): Promise<void> {
  const room = await roomFor(directory, expectedBytes, reader);
  if (!room) return;
  const { free, needed } = room;
  if (free < needed) {
    throw new BackupError(`The backup needs about ${formatBytes(needed)} but only ${formatBytes(free)} is free in ${directory}: free up space there, or choose a directory on another disk with --out. Nothing was written.`);
  }
  if (statSync(directory).dev === statSync(dirname(source)).dev && free - needed < holdBelowBytes) {
    throw new BackupError(
      `The backup (about ${formatBytes(needed)}) would leave only ${formatBytes(free - needed)} free on the disk that holds the database; below ${formatBytes(holdBelowBytes)} wacast holds its campaigns. Write it to another disk with --out, or free up space first. Nothing was written.`,
    );
  }
}

/**
 * The free bytes in `directory` and what a database copy of `bytes` needs there (with a margin for
 * SQLite's journal), or null when the free space cannot be read — the copy then still fails
 * cleanly if the disk fills up.
 */
export async function roomFor(directory: string, bytes: number, reader: DiskReader = statfsReader): Promise<{ free: number; needed: number } | null> {
  try {
    return { free: (await reader(directory)).freeBytes, needed: Math.ceil(bytes * 1.02) + 1024 * 1024 };
  } catch {
    return null;
  }
}

/** Bytes the copy will have: the source's pages in use (VACUUM INTO leaves free pages out). */
function pagesInUse(file: string): number {
  const sqlite = new BetterSqlite3(file, { fileMustExist: true });
  try {
    sqlite.pragma('busy_timeout = 10000');
    const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
    const pages = sqlite.pragma('page_count', { simple: true }) as number;
    const free = sqlite.pragma('freelist_count', { simple: true }) as number;
    return Math.max(pageSize, (pages - free) * pageSize);
  } finally {
    sqlite.close();
  }
}

async function copyWithProgress(request: SnapshotRequest, total: number, onProgress: BackupOptions['onProgress']): Promise<void> {
  const report = () => {
    try {
      onProgress?.(Math.min(statSync(request.target).size, total), total);
    } catch {
      // The file is being replaced or is gone: the next report catches up.
    }
  };
  if (!WORKER_FILE) {
    // Running from sources without a build: the same copy, without a moving bar.
    copySnapshot(request);
    onProgress?.(total, total);
    return;
  }
  const worker = new Worker(WORKER_FILE, { workerData: request });
  const timer = setInterval(report, PROGRESS_EVERY_MS);
  try {
    const outcome = await new Promise<{ ok: boolean; message?: string }>((done, fail) => {
      worker.once('message', done);
      worker.once('error', fail);
      worker.once('exit', (code) => done({ ok: false, message: `the backup thread stopped (exit code ${code})` }));
    });
    if (!outcome.ok) throw new BackupError(`The copy failed: ${outcome.message ?? 'unknown error'}.`);
    onProgress?.(total, total);
  } finally {
    clearInterval(timer);
    await worker.terminate();
  }
}

/** `label` names the file in messages (the copy's own name is a temporary one). */
function verify(file: string, key: Buffer | undefined, label: string): Omit<BackupSummary, 'file' | 'bytes'> {
  const sqlite = new BetterSqlite3(file, { fileMustExist: true });
  try {
    return readSummary(sqlite, key, label);
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${label} is not a readable wacast database (${error instanceof Error ? error.message : String(error)}); nothing was written.`);
  } finally {
    sqlite.close();
  }
}

function readSummary(sqlite: BetterSqlite3.Database, key: Buffer | undefined, label: string): Omit<BackupSummary, 'file' | 'bytes'> {
  const check = sqlite.pragma('quick_check', { simple: true });
  if (check !== 'ok') throw new BackupError(`${label} failed its integrity check (${String(check)}); nothing was written.`);
  const count = (table: string) => (sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  const last = sqlite.prepare('select name from wacast_migrations order by name desc limit 1').get() as { name: string } | undefined;
  const canary = sqlite.prepare('select value from instance_settings where key = ?').get(SECRET_KEY_CANARY) as { value: string } | undefined;
  return {
    projects: count('projects'),
    profiles: count('profiles'),
    messages: count('messages'),
    lastMigration: last?.name ?? null,
    keyOpens: key && canary ? keyOpensCanary(canary.value, key) : null,
    needsKey: canary !== undefined,
  };
}

/** fsync of a file or directory; a directory that cannot be synced on this file system is skipped (a rename is still atomic). */
export function syncPath(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (!isDirectory(path)) throw error;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
