/**
 * The commands that act on the server's data (`project create`, `user create`, `import profiles`)
 * read the server's environment. Run from another directory with the default WACAST_DATA_DIR
 * (`./data`, relative to the current directory), they would silently create a second, empty
 * database that the server never reads: a project or admin "created" that cannot be used. They
 * still work (creating the first admin before the first start is a normal setup step), but say
 * where the new database is.
 */
import type { Db } from '../storage/db.js';

export function newDatabaseNote(db: Pick<Db, 'created' | 'location'>): string | null {
  if (!db.created) return null;
  return `Note: there was no wacast database at ${db.location}; a new, empty one was created there. If your server keeps its data elsewhere, run this command with the server's WACAST_DATA_DIR (or WACAST_DATABASE_URL).`;
}

/** Prints the note on stderr (stdout may be read by a script, e.g. `project create --json`). */
export function printNewDatabaseNote(db: Pick<Db, 'created' | 'location'>): void {
  const note = newDatabaseNote(db);
  if (note) console.error(note);
}

/**
 * `--help` of every command that opens the database says which one it opens: a new user who runs
 * `wacast worker` or `wacast user create` from another directory than the server otherwise learns
 * only afterwards (or never, for `worker`) that it worked on a different database.
 */
export const DATABASE_HELP =
  '\nWhich database: the one the server uses, from the same environment: WACAST_DATABASE_URL (PostgreSQL) when set,\n' +
  'else SQLite in WACAST_DATA_DIR (default ./data, taken from the current directory). Run it with the server\'s\n' +
  'environment (README, Configuration).';
