/**
 * Puts a backup (sqlite-backup.ts) in place of the embedded SQLite database (`wacast restore`).
 *
 * Nothing is replaced while wacast uses the database: a process with the file open (Linux
 * `/proc`), or a lease a worker renewed moments ago, stops the restore. The backup is checked first
 * (integrity, and that the server's secret key opens its credentials: a server would refuse to
 * start otherwise). It is copied to a private temporary file, `prepare` adjusts the copy (restore
 * pauses the campaigns that were running), and only then the current database is set aside —
 * checkpointed, so nothing in its WAL is lost — under `wacast.db.before-restore-<time>`, and the
 * copy renamed into place.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { BackupError, inspectDatabase, roomFor, syncPath, type BackupSummary } from './sqlite-backup.js';
import { formatBytes, type DiskReader } from '../ops/disk-space.js';
import { prepareDataDir } from './data-dir.js';

/** A worker renews its leases every second or so: one renewed this recently means wacast is running. */
const LIVE_LEASE_MS = 15_000;

export interface RestoreOptions {
  backup: string;
  dataDir: string;
  /** The secret key wacast will start with, and where it comes from (for messages); null when there is none yet. */
  key: { key: Buffer; origin: string } | null;
  /** Replace an existing database (it is kept aside, not deleted). */
  replace: boolean;
  /** Adjusts the restored copy before it goes into place. */
  prepare?: (file: string) => Promise<void>;
  /** Reads a disk's free space (tests); statfs by default. */
  diskReader?: DiskReader;
}

export interface RestoreResult {
  summary: Omit<BackupSummary, 'file' | 'bytes'>;
  database: string;
  /** Where the database it replaced was kept; null when there was none. */
  keptAs: string | null;
}

export async function restoreSqlite(options: RestoreOptions): Promise<RestoreResult> {
  const backup = resolve(options.backup);
  if (!existsSync(backup)) throw new BackupError(`There is no file ${backup}.`);
  const summary = inspectDatabase(backup, options.key?.key);
  if (summary.needsKey && !options.key) {
    throw new BackupError(
      `The backup holds provider credentials, and there is no secret key here to open them: set WACAST_SECRET_KEY, or put the key file the backup was taken with at ${join(resolve(options.dataDir), 'secret.key')}, then restore again.`,
    );
  }
  if (summary.keyOpens === false) {
    throw new BackupError(
      `The secret key from ${options.key!.origin} does not open this backup's provider credentials, so wacast would not start on it. Restore with the key the backup was taken with (WACAST_SECRET_KEY, or its key file at ${join(resolve(options.dataDir), 'secret.key')}).`,
    );
  }

  prepareDataDir(options.dataDir);
  const database = join(resolve(options.dataDir), 'wacast.db');
  const exists = existsSync(database);
  if (exists) {
    assertNotInUse(database);
    if (!options.replace) {
      const current = inspectDatabase(database, undefined);
      throw new BackupError(
        `${database} already holds a database (${current.projects} project(s), ${current.profiles} profile(s), ${current.messages} message(s)). Add --yes to replace it with the backup; the current one is kept as ${database}.before-restore-<time>.`,
      );
    }
  }

  // The copy goes beside the database it replaces, which is kept: refused before writing anything
  // when both would not fit.
  const room = await roomFor(resolve(options.dataDir), statSync(backup).size, options.diskReader);
  if (room && room.free < room.needed) {
    throw new BackupError(
      `Restoring needs about ${formatBytes(room.needed)} in ${resolve(options.dataDir)}, and only ${formatBytes(room.free)} is free there (the current database is kept beside it): free up space first, e.g. remove older wacast.db.before-restore-* files you no longer need. Nothing was changed.`,
    );
  }

  const partial = join(resolve(options.dataDir), `.wacast.db.restore-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    copyFileSync(backup, partial);
    chmodSync(partial, 0o600);
    await options.prepare?.(partial);
    syncPath(partial);
    let keptAs: string | null = null;
    if (exists) {
      // Checked again right before the swap: a server may have started meanwhile.
      assertNotInUse(database);
      keptAs = `${database}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      checkpoint(database);
      renameSync(database, keptAs);
    }
    // A WAL left beside the name (its database checkpointed above, or gone) would be applied to
    // the restored file and corrupt it.
    for (const sidecar of [`${database}-wal`, `${database}-shm`]) rmSync(sidecar, { force: true });
    renameSync(partial, database);
    syncPath(resolve(options.dataDir));
    return { summary, database, keptAs };
  } finally {
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`]) rmSync(leftover, { force: true });
  }
}

/** Refuses while a process has the database open, or a worker lease in it is live. */
function assertNotInUse(database: string): void {
  const users = processesWithOpen([database, `${database}-wal`]);
  if (users.length > 0) {
    throw new BackupError(`wacast is using ${database} (process ${users.join(', ')}): stop every wacast process on this data directory first, then restore.`);
  }
  const sqlite = new BetterSqlite3(database, { fileMustExist: true });
  try {
    sqlite.pragma('busy_timeout = 5000');
    const hasLeases = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = 'leases'").get();
    const live = hasLeases
      ? (sqlite.prepare('select name, owner from leases where expires_at > ? order by name limit 1').get(Date.now() - LIVE_LEASE_MS) as { name: string; owner: string } | undefined)
      : undefined;
    if (live) {
      throw new BackupError(`A wacast worker (${live.owner}) held the ${live.name} lease in ${database} within the last ${LIVE_LEASE_MS / 1000} s: stop every wacast process on this data directory first (or wait that long after stopping them), then restore.`);
    }
  } finally {
    sqlite.close();
  }
}

/** Process ids (other than this one) with one of `files` open; empty where `/proc` is not there to ask. */
function processesWithOpen(files: string[]): number[] {
  // /proc names the files by their real path: a data directory reached through a symlink would never match.
  const wanted = new Set(files.flatMap((file) => (existsSync(file) ? [file, realpathSync(file)] : [file])));
  const found: number[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid);
  } catch {
    return found;
  }
  for (const pid of pids) {
    let descriptors: string[];
    try {
      descriptors = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or another user's process
    }
    for (const fd of descriptors) {
      try {
        if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) {
          found.push(Number(pid));
          break;
        }
      } catch {
        // closed meanwhile
      }
    }
  }
  return found;
}

/** Moves everything in the WAL into the database file, so the file set aside is complete on its own. */
function checkpoint(database: string): void {
  const sqlite = new BetterSqlite3(database, { fileMustExist: true });
  try {
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    sqlite.close();
  }
}
