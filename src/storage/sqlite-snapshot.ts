/** The copy itself, shared by the backup thread and the in-process fallback (sqlite-backup.ts). */
import BetterSqlite3 from 'better-sqlite3';

export interface SnapshotRequest {
  source: string;
  target: string;
}

/**
 * Writes a compact, consistent copy of `source` to `target` (which must not exist). The source
 * connection only reads; a busy timeout lets it wait for a writer's lock instead of failing.
 */
export function copySnapshot({ source, target }: SnapshotRequest): void {
  const sqlite = new BetterSqlite3(source, { fileMustExist: true });
  try {
    sqlite.pragma('busy_timeout = 10000');
    sqlite.prepare('VACUUM INTO ?').run(target);
  } finally {
    sqlite.close();
  }
}
