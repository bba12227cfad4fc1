/**
 * Formats epoch milliseconds for people, in their locale and time zone, naming the zone
 * ("Nov 26, 2026, 10:20 AM UTC"): a scheduled send or a log entry is read by people in other
 * zones, and the server may run in yet another. `timeZone` is for tests.
 */
export function formatDateTime(epochMs: number | null | undefined, timeZone?: string): string {
  if (epochMs === null || epochMs === undefined) return '—';
  return new Date(epochMs).toLocaleString(undefined, { ...DATE_TIME, ...(timeZone ? { timeZone } : {}) });
}

/** Like formatDateTime, with seconds: for log entries that arrive many a minute. */
export function formatDateTimeSeconds(epochMs: number, timeZone?: string): string {
  return new Date(epochMs).toLocaleString(undefined, { ...DATE_TIME, second: '2-digit', ...(timeZone ? { timeZone } : {}) });
}

/** The short name of the browser's time zone ("UTC", "GMT+5:30"), for labels next to times shown without it. */
export function timeZoneName(timeZone?: string): string {
  const parts = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short', ...(timeZone ? { timeZone } : {}) }).formatToParts(Date.now());
  return parts.find((part) => part.type === 'timeZoneName')?.value ?? 'UTC';
}

// dateStyle/timeStyle cannot be combined with timeZoneName, so the medium date and short time are spelled out.
const DATE_TIME: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };

/** "812 MB", "1.4 GB": decimal units, as `df -H` shows them. */
export function formatBytes(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(1)} GB`;
  if (value >= 1e6) return `${Math.round(value / 1e6)} MB`;
  return `${Math.max(0, Math.round(value / 1e3))} kB`;
}
