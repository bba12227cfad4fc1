/**
 * Dates in profile and event properties. The upload format writes them `"$D_<epoch seconds>"`;
 * wacast stores every date as a canonical ISO-8601 UTC string with milliseconds
 * (`2017-02-20T07:45:52.000Z`, what `Date.prototype.toISOString` writes): readable in the API and
 * in templates, and ordered like the instants they denote, so segments compare them as strings
 * (see `JsonFields.dateCompare` in src/storage/dialect.ts).
 */

/** Years 0000–9999: the range a canonical ISO string can hold. */
const MIN_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const TOKEN = /^\$D_(-?\d{1,15})$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** True for strings in the upload date form `$D_…` (valid or not). */
export function isDateToken(value: string): boolean {
  return value.startsWith('$D_');
}

/** True for the stored date form. */
export function isCanonicalDate(value: string): boolean {
  return CANONICAL.test(value);
}

/** Epoch milliseconds → the stored date form, or null outside years 0000–9999. */
export function msToIso(ms: number): string | null {
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) return null;
  return new Date(ms).toISOString();
}

/** `$D_<epoch seconds>` → the stored date form, or null when malformed or out of range. */
export function dateTokenToIso(token: string): string | null {
  const match = TOKEN.exec(token);
  if (!match) return null;
  return msToIso(Number(match[1]) * 1000);
}

function validDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * A date written by a person or a client → epoch milliseconds, or null when it is not a date.
 * Accepts `YYYY-MM-DD` (the start of that day in UTC, or its last millisecond with
 * `bound: 'end'`), ISO-8601 date-times (`2024-05-01T10:00`, seconds, fractions and a `Z` or
 * `±hh:mm` offset optional; without an offset the time is UTC) and `$D_<epoch seconds>`.
 */
export function parseDate(value: string, bound: 'start' | 'end' = 'start'): number | null {
  const text = value.trim();
  if (isDateToken(text)) {
    const iso = dateTokenToIso(text);
    return iso === null ? null : Date.parse(iso);
  }
  const day = DATE_ONLY.exec(text);
  if (day) {
    const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
    if (!validDay(year, month, date)) return null;
    const start = Date.UTC(year, month - 1, date);
    return bound === 'end' ? start + 86_400_000 - 1 : start;
  }
  const full = DATE_TIME.exec(text);
  if (!full) return null;
  const [year, month, date, hour, minute] = [Number(full[1]), Number(full[2]), Number(full[3]), Number(full[4]), Number(full[5])];
  const second = full[6] === undefined ? 0 : Number(full[6]);
  const millis = full[7] === undefined ? 0 : Math.floor(Number(`0.${full[7]}`) * 1000);
  if (!validDay(year, month, date) || hour > 23 || minute > 59 || second > 59) return null;
  let ms = Date.UTC(year, month - 1, date, hour, minute, second, millis);
  const zone = full[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    if (offsetMinutes > 18 * 60) return null;
    ms -= sign * offsetMinutes * 60_000;
  }
  return msToIso(ms) === null ? null : ms;
}

/** What `parseDate` accepts, for error messages. */
export const DATE_FORMS = 'YYYY-MM-DD, an ISO-8601 date-time such as 2024-05-01T10:00:00Z, or $D_<epoch seconds>';
