/**
 * The data directory (WACAST_DATA_DIR): the SQLite database and the generated key file. It holds
 * every profile's phone number and the key to the provider credentials, so wacast creates it
 * readable by its own user only (0700), and creates the database file 0600 (SQLite gives its WAL
 * and shared-memory files the database file's mode). A directory the operator made keeps its mode.
 * A path wacast cannot use stops the start with one line naming WACAST_DATA_DIR and what to do.
 */
import { accessSync, closeSync, constants, mkdirSync, openSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';

/** The data directory cannot be used; the message names the variable, the path and the fix. */
export class DataDirError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataDirError';
  }
}

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

function problem(dir: string, error: unknown, what: string): DataDirError {
  const code = (error as { code?: unknown }).code;
  const fix = 'set WACAST_DATA_DIR to a directory this user can write';
  const reasons: Record<string, string> = {
    EACCES: `this user (uid ${process.getuid?.() ?? '?'}) may not ${what}: change its owner or permissions, or ${fix}`,
    EPERM: `this user (uid ${process.getuid?.() ?? '?'}) may not ${what}: change its owner or permissions, or ${fix}`,
    EROFS: `it is on a read-only file system: ${fix}`,
    ENOTDIR: `a part of the path is a file, not a directory: ${fix}`,
    EEXIST: `it is a file, not a directory: ${fix}`,
    ENOSPC: 'the disk is full: free some space',
  };
  const reason = typeof code === 'string' ? reasons[code] : undefined;
  if (!reason) return new DataDirError(`WACAST_DATA_DIR=${dir} cannot be used: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  return new DataDirError(`WACAST_DATA_DIR=${dir} cannot be used: ${reason}.`, { cause: error });
}

/**
 * Kernel file systems that hold no files of their own. Checked before anything else: Node 20's
 * recursive mkdir spins for ever on a missing path under /proc instead of failing.
 */
const VIRTUAL_FILE_SYSTEMS = ['/proc', '/sys'];

/** Creates `dir` (mode 0700) when missing, and checks it is a directory this process can write. */
export function prepareDataDir(dir: string): void {
  const absolute = resolve(dir);
  const virtual = VIRTUAL_FILE_SYSTEMS.find((root) => absolute === root || absolute.startsWith(`${root}${sep}`));
  if (virtual) {
    throw new DataDirError(`WACAST_DATA_DIR=${dir} cannot be used: it is inside ${virtual}, a kernel file system that cannot hold a database: set WACAST_DATA_DIR to a directory this user can write.`);
  }
  try {
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  } catch (error) {
    throw problem(dir, error, 'create it');
  }
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'EEXIST' });
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw problem(dir, error, 'write to it');
  }
}

/**
 * Prepares the directory and returns the path of `name` in it, created empty with mode 0600 when
 * missing (an empty file is an empty SQLite database; `created` says so), and checked writable
 * when present.
 */
export function prepareDataFile(dir: string, name: string): { file: string; created: boolean } {
  prepareDataDir(dir);
  const file = join(dir, name);
  try {
    closeSync(openSync(file, 'wx', FILE_MODE));
    return { file, created: true };
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw problem(dir, error, `create ${name} in it`);
    try {
      accessSync(file, constants.R_OK | constants.W_OK);
    } catch (accessError) {
      throw problem(dir, accessError, `write to ${name}`);
    }
  }
  return { file, created: false };
}
