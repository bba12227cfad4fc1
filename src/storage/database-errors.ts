/**
 * The usual reasons a PostgreSQL database named by WACAST_DATABASE_URL cannot be opened, put in one
 * line with what to change, instead of a stack trace. Passwords never appear: PostgreSQL's messages
 * name the user and the database only.
 */

// SQLSTATE codes of the login failures (PostgreSQL, Appendix A).
const LOGIN_FIXES: Record<string, string> = {
  '3D000': 'create that database, or correct its name in WACAST_DATABASE_URL',
  '28000': 'create that role, or correct the user in WACAST_DATABASE_URL',
  '28P01': 'correct the user or password in WACAST_DATABASE_URL',
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET']);

/** One line for an error opening the database, or null when it is not one of the usual reasons. */
export function databaseOpenProblem(error: unknown): string | null {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return null;
  const fix = LOGIN_FIXES[error.code];
  if (fix) return `Cannot open the database (WACAST_DATABASE_URL): ${error.message}: ${fix}.`;
  if (NETWORK_CODES.has(error.code)) return `Cannot reach the database (WACAST_DATABASE_URL): ${error.message}.`;
  return null;
}

/**
 * A unique constraint refused the write (PostgreSQL 23505; SQLite's constraint error). A check
 * before an insert cannot see a concurrent insert of the same key: callers turn this into the
 * same 409 the check gives.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error) || !('code' in error)) return false;
  return error.code === '23505' || error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
