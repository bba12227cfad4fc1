/**
 * Profile properties: what a `profileData` object may hold, the operators it may apply, and how
 * they change a stored profile. Pure functions; the upload service runs them and stores the
 * result. Properties are the single source of truth: the `phone`, `msg_whatsapp` and
 * `dnd_whatsapp` columns are derived from them by `profileColumns` (indexed copies).
 *
 * Stored value types: string (≤ 512 characters), finite number, boolean, date (canonical ISO
 * string, from `$D_<epoch seconds>`), and multi-value lists of strings (≤ 100 items).
 */
import {
  MAX_CUSTOM_PROPERTIES,
  MAX_MULTI_VALUE_ITEMS,
  MAX_VALUE_LENGTH,
  SYSTEM_PROPERTIES,
  keyProblem,
  textProblem,
} from './audience.limits.js';
import { dateTokenToIso, isDateToken } from './dates.js';
import { normalisePhone } from './phone.js';
import { failure, UploadCode, type RecordFailure } from './upload.codes.js';

export type Properties = Record<string, unknown>;
export type StoredValue = string | number | boolean | string[];

export type ProfileOp =
  | { kind: 'set'; key: string; value: StoredValue }
  | { kind: 'delete'; key: string }
  | { kind: 'add'; key: string; items: string[] }
  | { kind: 'remove'; key: string; items: string[] }
  | { kind: 'incr'; key: string; by: number };

export const PHONE = 'Phone';
export const MSG_WHATSAPP = 'MSG-whatsapp';
export const MSG_DND_WHATSAPP = 'MSG-dndWhatsApp';

/**
 * The subscription flags under their canonical spelling. The source product's docs spell the DND
 * key both `MSG-dndWhatsApp` and `MSG-DNDwhatsapp`, so flag keys are matched ignoring case.
 */
export function canonicalKey(key: string): string {
  const lower = key.toLowerCase();
  if (lower === 'msg-whatsapp') return MSG_WHATSAPP;
  if (lower === 'msg-dndwhatsapp') return MSG_DND_WHATSAPP;
  return key;
}

const OPERATORS = ['$add', '$remove', '$incr', '$decr', '$delete'] as const;
const FLAG_KEYS: ReadonlySet<string> = new Set([MSG_WHATSAPP, MSG_DND_WHATSAPP]);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const GENDERS: Record<string, string> = { m: 'M', male: 'M', f: 'F', female: 'F', o: 'O', other: 'O', u: 'U', unknown: 'U' };
const YES_NO: Record<string, string> = { y: 'Y', yes: 'Y', n: 'N', no: 'N' };
const EDUCATION: Record<string, string> = { school: 'School', college: 'College', graduate: 'Graduate' };

export type Parsed<T> = { ok: true; value: T } | { ok: false; failure: RecordFailure };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(code: RecordFailure['code'], error: string): Parsed<T> => ({ ok: false, failure: failure(code, error) });
const misc = <T>(error: string): Parsed<T> => bad<T>(UploadCode.MISCELLANEOUS, error);

/** A boolean flag written as true/false or "true"/"false" (any case); null when neither. */
export function parseFlag(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return null;
}

/** A string value: length-checked, `$D_` dates converted to the stored date form. */
export function parseString(key: string, value: string): Parsed<string> {
  const text = textProblem(value);
  if (text !== null) return misc(`${key}: the value ${text}`);
  if (isDateToken(value)) {
    const iso = dateTokenToIso(value);
    return iso === null ? misc(`${key}: ${JSON.stringify(value)} is not a date; write $D_<epoch seconds>, e.g. $D_1487576752`) : ok(iso);
  }
  if (value.length > MAX_VALUE_LENGTH) return misc(`${key}: the value is ${value.length} characters long; values have at most ${MAX_VALUE_LENGTH}`);
  return ok(value);
}

function parseItems(key: string, operand: unknown, operator: string): Parsed<string[]> {
  const list = Array.isArray(operand) ? operand : [operand];
  if (list.length > MAX_MULTI_VALUE_ITEMS) return misc(`${key}: ${operator} has ${list.length} items; multi-value properties hold at most ${MAX_MULTI_VALUE_ITEMS}`);
  const items: string[] = [];
  for (const item of list) {
    if (typeof item === 'number' && Number.isFinite(item)) items.push(String(item));
    else if (typeof item === 'string') {
      if (item.length > MAX_VALUE_LENGTH) return misc(`${key}: an item is ${item.length} characters long; items have at most ${MAX_VALUE_LENGTH}`);
      const text = textProblem(item);
      if (text !== null) return misc(`${key}: an item ${text}`);
      items.push(item);
    } else return misc(`${key}: ${operator} takes strings or numbers (or a list of them), got ${describe(item)}`);
  }
  return ok([...new Set(items)]);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Checks (and normalises) a value set on one of the source product's typed system fields: Phone
 * (E.164; `defaultRegion` reads national numbers), the MSG- flags, Email, Gender, Employed,
 * Married, Education, Age. Other keys pass unchanged.
 */
export function checkSystemValue(key: string, value: StoredValue, defaultRegion?: string): Parsed<StoredValue> {
  switch (key) {
    case PHONE: {
      const phone = normalisePhone(value, defaultRegion);
      return phone.ok ? ok(phone.e164) : bad(UploadCode.INVALID_PHONE, `Phone ${JSON.stringify(value)} ${phone.message}; ${phone.advice}`);
    }
    case MSG_WHATSAPP:
    case MSG_DND_WHATSAPP: {
      const flag = parseFlag(value);
      return flag === null ? misc(`${key} must be true or false, got ${describe(value)}`) : ok(flag);
    }
    case 'Email':
      return typeof value === 'string' && EMAIL.test(value) ? ok(value) : bad(UploadCode.INVALID_EMAIL, `Email ${JSON.stringify(value)} is not an email address`);
    case 'Gender': {
      const gender = typeof value === 'string' ? GENDERS[value.trim().toLowerCase()] : undefined;
      return gender ? ok(gender) : bad(UploadCode.INVALID_GENDER, `Gender must be M, F, O or U, got ${describe(value)}`);
    }
    case 'Employed':
    case 'Married': {
      const answer = typeof value === 'string' ? YES_NO[value.trim().toLowerCase()] : undefined;
      if (answer) return ok(answer);
      return bad(key === 'Employed' ? UploadCode.INVALID_EMPLOYED : UploadCode.INVALID_MARRIED, `${key} must be Y or N, got ${describe(value)}`);
    }
    case 'Education': {
      const level = typeof value === 'string' ? EDUCATION[value.trim().toLowerCase()] : undefined;
      return level ? ok(level) : bad(UploadCode.INVALID_EDUCATION, `Education must be School, College or Graduate, got ${describe(value)}`);
    }
    case 'Age': {
      const age = typeof value === 'string' && /^\d{1,3}$/.test(value.trim()) ? Number(value) : value;
      return typeof age === 'number' && Number.isInteger(age) && age >= 0 && age <= 150
        ? ok(age)
        : bad(UploadCode.INVALID_AGE, `Age must be a whole number from 0 to 150, got ${describe(value)}`);
    }
    default:
      return ok(value);
  }
}

/** A plain value (not an operator object) → what is stored, or why it cannot be. */
function parseValue(key: string, value: unknown): Parsed<StoredValue> {
  let stored: StoredValue;
  if (typeof value === 'string') {
    const parsed = parseString(key, value);
    if (!parsed.ok) return parsed;
    stored = parsed.value;
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) return misc(`${key}: numbers must be finite`);
    stored = value;
  } else if (typeof value === 'boolean') {
    stored = value;
  } else if (Array.isArray(value)) {
    const items = parseItems(key, value, 'a multi-value property');
    if (!items.ok) return items;
    stored = items.value;
  } else {
    return misc(`${key}: ${describe(value)} is not a property value (strings, numbers, booleans, lists, or one of the operators ${OPERATORS.join(', ')})`);
  }
  return checkSystemValue(key, stored);
}

function parseOperator(key: string, object: Record<string, unknown>): Parsed<ProfileOp> {
  const names = Object.keys(object);
  const name = names[0];
  if (names.length !== 1 || name === undefined || !(OPERATORS as readonly string[]).includes(name)) {
    return misc(`${key}: objects are operators with exactly one of ${OPERATORS.join(', ')}, got ${names.length === 0 ? 'an empty object' : names.map((n) => JSON.stringify(n)).join(', ')}`);
  }
  const operand = object[name];
  if (name === '$delete') return ok({ kind: 'delete', key });
  if (key === PHONE || FLAG_KEYS.has(key)) return misc(`${key}: only a value or $delete applies to it, not ${name}`);
  if (name === '$incr' || name === '$decr') {
    if (typeof operand !== 'number' || !Number.isFinite(operand)) return misc(`${key}: ${name} takes a number, got ${describe(operand)}`);
    return ok({ kind: 'incr', key, by: name === '$incr' ? operand : -operand });
  }
  const items = parseItems(key, operand, name);
  if (!items.ok) return items;
  return ok({ kind: name === '$add' ? 'add' : 'remove', key, items: items.value });
}

/**
 * A `profileData` object → the operations it asks for, in key order, or the first reason it is
 * refused (with its upload code). `null` values delete the property, like `{"$delete": 1}`.
 */
export function parseProfileData(data: unknown): Parsed<ProfileOp[]> {
  if (data === undefined) return misc('profileData is required for a profile record');
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return misc(`profileData must be an object, got ${describe(data)}`);
  const entries = Object.entries(data as Record<string, unknown>);
  let custom = 0;
  const ops: ProfileOp[] = [];
  for (const [rawKey, value] of entries) {
    const problem = keyProblem(rawKey);
    if (problem) return misc(`key ${JSON.stringify(rawKey.slice(0, 130))} ${problem}`);
    const key = canonicalKey(rawKey);
    if (!SYSTEM_PROPERTIES.has(key)) custom++;
    if (value === null) {
      ops.push({ kind: 'delete', key });
    } else if (typeof value === 'object' && !Array.isArray(value)) {
      const op = parseOperator(key, value as Record<string, unknown>);
      if (!op.ok) return op;
      ops.push(op.value);
    } else {
      const parsed = parseValue(key, value);
      if (!parsed.ok) return parsed;
      ops.push({ kind: 'set', key, value: parsed.value });
    }
  }
  if (custom > MAX_CUSTOM_PROPERTIES) return misc(`profileData has ${custom} custom properties; a profile has at most ${MAX_CUSTOM_PROPERTIES}`);
  return ok(ops);
}

/** Number of custom (non-system) properties. */
export function countCustomProperties(properties: Properties): number {
  let count = 0;
  for (const key of Object.keys(properties)) if (!SYSTEM_PROPERTIES.has(key)) count++;
  return count;
}

/**
 * Applies `ops` to a copy of `properties`. Multi-value `$add` keeps each item once and, past 100
 * items, evicts the oldest (the source product's FIFO rule); `$incr`/`$decr` start from 0 and
 * refuse a property that holds something other than a number.
 */
export function applyProfileOps(properties: Properties, ops: readonly ProfileOp[]): Parsed<Properties> {
  const next: Properties = { ...properties };
  for (const op of ops) {
    const current = next[op.key];
    switch (op.kind) {
      case 'set':
        next[op.key] = op.value;
        break;
      case 'delete':
        delete next[op.key];
        break;
      case 'add': {
        const list = current === undefined ? [] : Array.isArray(current) ? current.map(String) : [String(current)];
        for (const item of op.items) if (!list.includes(item)) list.push(item);
        next[op.key] = list.length > MAX_MULTI_VALUE_ITEMS ? list.slice(list.length - MAX_MULTI_VALUE_ITEMS) : list;
        break;
      }
      case 'remove': {
        if (Array.isArray(current)) next[op.key] = current.filter((item) => !op.items.includes(String(item)));
        else if (current !== undefined && op.items.includes(String(current))) delete next[op.key];
        break;
      }
      case 'incr': {
        if (current !== undefined && typeof current !== 'number') {
          return misc(`${op.key}: ${op.by >= 0 ? '$incr' : '$decr'} needs a number property, but it holds ${describe(current)}`);
        }
        next[op.key] = (current ?? 0) + op.by;
        break;
      }
    }
  }
  const custom = countCustomProperties(next);
  if (custom > MAX_CUSTOM_PROPERTIES) return misc(`the profile would have ${custom} custom properties; a profile has at most ${MAX_CUSTOM_PROPERTIES}`);
  return ok(next);
}

export interface ProfileColumns {
  phone: string | null;
  msg_whatsapp: number | null;
  dnd_whatsapp: number | null;
}

function flagColumn(value: unknown): number | null {
  return value === true ? 1 : value === false ? 0 : null;
}

/** The indexed columns, derived from the properties. */
export function profileColumns(properties: Properties): ProfileColumns {
  const phone = properties[PHONE];
  return {
    phone: typeof phone === 'string' ? phone : null,
    msg_whatsapp: flagColumn(properties[MSG_WHATSAPP]),
    dnd_whatsapp: flagColumn(properties[MSG_DND_WHATSAPP]),
  };
}
