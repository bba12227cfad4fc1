/**
 * Campaign "do not disturb" hours: a daily window (e.g. 21:00–09:00) in an IANA timezone during
 * which the campaign sends nothing. With `delay`, sending resumes when the window ends; with
 * `discard`, messages still queued when the window starts are cancelled.
 */
export interface DndWindow {
  from: string;
  to: string;
  timezone: string;
  action: 'delay' | 'discard';
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const formatters = new Map<string, Intl.DateTimeFormat>();

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

export function isValidTime(value: string): boolean {
  return TIME.test(value);
}

function minutesOf(value: string): number {
  const match = TIME.exec(value);
  if (!match) throw new Error(`Invalid time ${value}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Minutes since local midnight in `timezone` at `at` (epoch ms). */
export function localMinutes(at: number, timezone: string): number {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, formatter);
  }
  const parts = formatter.formatToParts(new Date(at));
  const hour = Number(parts.find((part) => part.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((part) => part.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

/** True when `at` falls inside the window (which may cross midnight). */
export function inDndWindow(window: Pick<DndWindow, 'from' | 'to' | 'timezone'>, at: number): boolean {
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  if (from === to) return false;
  const now = localMinutes(at, window.timezone);
  return from < to ? now >= from && now < to : now >= from || now < to;
}
