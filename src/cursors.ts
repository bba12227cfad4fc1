/**
 * Cursors of list endpoints. A list answers `nextCursor`; the client passes it back unchanged as
 * `cursor`. A cursor this list could not have returned (mistyped, truncated, from another list)
 * is a 422 on `cursor`: ignoring it would answer the first page again, and a client following
 * cursors would loop over page one forever. An empty `cursor=` is refused the same way (no list
 * returns an empty cursor; leave the parameter out for the first page).
 */
import { validationFailed, type AppError } from './errors.js';

/** The one refusal every list gives. */
export function invalidCursor(): AppError {
  return validationFailed([
    {
      path: 'cursor',
      message: 'is not a cursor this list returned: pass the nextCursor of the previous page unchanged, or leave cursor out for the first page',
    },
  ]);
}

/** Row ids are lower-case UUIDs (`newId()`). */
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Lists keyed by row id: the cursor is the id of the last row of the previous page. */
export function idCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  if (!ID.test(cursor)) throw invalidCursor();
  return cursor;
}

/** Lists keyed by time then id: the cursor is `<epoch ms>:<id>` of the last row of the previous page. */
export function timeIdCursor(cursor: string | undefined): { ts: number; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const match = /^(-?\d{1,15}):(.*)$/.exec(cursor);
  if (!match || !ID.test(match[2]!)) throw invalidCursor();
  return { ts: Number(match[1]), id: match[2]! };
}

/** Lists keyed by a sequence number: the cursor is the number of the last row of the previous page. */
export function seqCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,15}$/.test(cursor)) throw invalidCursor();
  return Number(cursor);
}
