/**
 * One record of an upload call → what to store, or why not (with its code). Pure; see
 * upload.service.ts for storing. The record format is the source product's:
 * `{identity | objectId, type: "profile", profileData, ts?}` and
 * `{identity | objectId, type: "event", evtName, evtData?, ts?}`, `ts` in epoch seconds.
 */
import {
  MAX_EVENT_LIST_ITEMS,
  MAX_EVENT_PROPERTIES,
  MAX_IDENTITY_LENGTH,
  eventNameKey,
  eventNameProblem,
  isReservedEventName,
  keyProblem,
  textProblem,
} from './audience.limits.js';
import { parseProfileData, parseString, type ProfileOp, type Properties } from './profile-data.js';
import { failure, UploadCode, type RecordFailure } from './upload.codes.js';

export type ParsedRecord =
  | { kind: 'profile'; identity: string; ops: ProfileOp[] }
  | { kind: 'event'; identity: string; name: string; nameKey: string; properties: Properties; ts: number };

export type RecordResult = { ok: true; record: ParsedRecord } | { ok: false; failure: RecordFailure };

const refuse = (code: RecordFailure['code'], error: string): RecordResult => ({ ok: false, failure: failure(code, error) });

// Epoch seconds up to year 2286; anything above 1e11 is almost surely milliseconds.
const MAX_EPOCH_SECONDS = 9_999_999_999;

/** The record's identity (`identity`, else `objectId`), trimmed; or why there is none. */
export function recordIdentity(record: Record<string, unknown>): { ok: true; identity: string } | { ok: false; failure: RecordFailure } {
  const raw = record.identity;
  if (raw !== undefined && raw !== null) {
    const identity = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : typeof raw === 'string' ? raw.trim() : null;
    if (identity === null) return { ok: false, failure: failure(UploadCode.MISSING_IDENTITY, 'identity must be a string or a number') };
    if (identity === '') return { ok: false, failure: failure(UploadCode.MISSING_IDENTITY, 'identity is empty') };
    if (identity.length > MAX_IDENTITY_LENGTH) return { ok: false, failure: failure(UploadCode.MISSING_IDENTITY, `identity is ${identity.length} characters long; at most ${MAX_IDENTITY_LENGTH}`) };
    const text = textProblem(identity);
    if (text !== null) return { ok: false, failure: failure(UploadCode.MISSING_IDENTITY, `identity ${text}`) };
    return { ok: true, identity };
  }
  if (record.objectId !== undefined && record.objectId !== null) {
    const objectId = typeof record.objectId === 'string' ? record.objectId.trim() : '';
    if (objectId === '' || objectId.length > MAX_IDENTITY_LENGTH) {
      return { ok: false, failure: failure(UploadCode.INVALID_OBJECT_ID, `objectId must be a non-empty string of at most ${MAX_IDENTITY_LENGTH} characters`) };
    }
    const text = textProblem(objectId);
    if (text !== null) return { ok: false, failure: failure(UploadCode.INVALID_OBJECT_ID, `objectId ${text}`) };
    return { ok: true, identity: objectId };
  }
  const other = ['FBID', 'GPID'].find((key) => record[key] !== undefined);
  return {
    ok: false,
    failure: failure(UploadCode.MISSING_IDENTITY, other ? `identity (or objectId) is required; ${other} is not supported as an identifier` : 'identity (or objectId) is required'),
  };
}

/** `ts` (epoch seconds, optional) → epoch milliseconds; `now` when absent. */
export function recordTimestamp(value: unknown, now: number): { ok: true; ms: number } | { ok: false; failure: RecordFailure } {
  if (value === undefined || value === null) return { ok: true, ms: now };
  const seconds = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
    return { ok: false, failure: failure(UploadCode.INVALID_TS, `ts must be a whole number of seconds since 1970-01-01 (epoch seconds), got ${JSON.stringify(value)}`) };
  }
  if (seconds > MAX_EPOCH_SECONDS) {
    return { ok: false, failure: failure(UploadCode.INVALID_TS, `ts ${seconds} is not epoch seconds (it looks like milliseconds: divide by 1000)`) };
  }
  return { ok: true, ms: seconds * 1000 };
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function eventValue(key: string, value: unknown, depth: number): Parsed<unknown> {
  if (typeof value === 'string') {
    const parsed = parseString(key, value);
    return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, error: parsed.failure.error };
  }
  if (typeof value === 'number') return Number.isFinite(value) ? { ok: true, value } : { ok: false, error: `${key}: numbers must be finite` };
  if (typeof value === 'boolean') return { ok: true, value };
  if (Array.isArray(value) && depth === 0) {
    if (value.length > MAX_EVENT_LIST_ITEMS) return { ok: false, error: `${key}: a list holds at most ${MAX_EVENT_LIST_ITEMS} items, got ${value.length}` };
    const items: unknown[] = [];
    for (const item of value) {
      const parsed = item !== null && typeof item === 'object' && !Array.isArray(item) ? eventObject(key, item as Record<string, unknown>) : eventValue(key, item, 1);
      if (!parsed.ok) return parsed;
      items.push(parsed.value);
    }
    return { ok: true, value: items };
  }
  const what = value === null ? 'null' : Array.isArray(value) ? 'a nested list' : typeof value === 'object' ? 'an object' : typeof value;
  return { ok: false, error: `${key}: ${what} is not an event property value (strings, numbers, booleans, $D_ dates, or a list of those or of flat objects such as Charged Items)` };
}

/** A flat object inside a list (e.g. one of the `Items` of a `Charged` event). */
function eventObject(listKey: string, object: Record<string, unknown>): Parsed<Properties> {
  const out: Properties = {};
  for (const [key, value] of Object.entries(object)) {
    const problem = keyProblem(key);
    if (problem) return { ok: false, error: `${listKey}: item key ${JSON.stringify(key.slice(0, 130))} ${problem}` };
    const parsed = eventValue(`${listKey}.${key}`, value, 1);
    if (!parsed.ok) return parsed;
    out[key] = parsed.value;
  }
  return { ok: true, value: out };
}

/** `evtData` → stored event properties, or the failure (512, or 522 over the limit). */
export function parseEventData(data: unknown): { ok: true; properties: Properties } | { ok: false; failure: RecordFailure } {
  if (data === undefined || data === null) return { ok: true, properties: {} };
  if (typeof data !== 'object' || Array.isArray(data)) return { ok: false, failure: failure(UploadCode.INVALID_STRUCTURE, 'evtData must be an object') };
  const entries = Object.entries(data as Record<string, unknown>);
  if (entries.length > MAX_EVENT_PROPERTIES) {
    return { ok: false, failure: failure(UploadCode.EVENT_PROPERTIES_LIMIT, `evtData has ${entries.length} properties; an event has at most ${MAX_EVENT_PROPERTIES}`) };
  }
  const properties: Properties = {};
  for (const [key, value] of entries) {
    const problem = keyProblem(key);
    if (problem) return { ok: false, failure: failure(UploadCode.INVALID_STRUCTURE, `evtData key ${JSON.stringify(key.slice(0, 130))} ${problem}`) };
    const parsed = eventValue(key, value, 0);
    if (!parsed.ok) return { ok: false, failure: failure(UploadCode.INVALID_STRUCTURE, `evtData ${parsed.error}`) };
    properties[key] = parsed.value;
  }
  return { ok: true, properties };
}

/** Validates one record of an upload call. `now` (epoch ms) is the default event time. */
export function parseUploadRecord(record: unknown, now: number): RecordResult {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return refuse(UploadCode.NOT_EVENT_OR_PROFILE, 'a record must be an object with type "profile" or "event"');
  }
  const fields = record as Record<string, unknown>;
  const type = fields.type;
  if (type !== 'profile' && type !== 'event') {
    return refuse(UploadCode.NOT_EVENT_OR_PROFILE, `type must be "profile" or "event", got ${type === undefined ? 'nothing' : JSON.stringify(type)}`);
  }
  const identity = recordIdentity(fields);
  if (!identity.ok) return identity;
  const ts = recordTimestamp(fields.ts, now);
  if (!ts.ok) return ts;

  if (type === 'profile') {
    const ops = parseProfileData(fields.profileData);
    if (!ops.ok) return ops;
    return { ok: true, record: { kind: 'profile', identity: identity.identity, ops: ops.value } };
  }

  const name = fields.evtName;
  if (name === undefined || name === null || (typeof name === 'string' && name.trim() === '')) {
    return refuse(UploadCode.EVENT_NAME_MISSING, 'evtName is required for an event record');
  }
  if (typeof name !== 'string') return refuse(UploadCode.INVALID_STRUCTURE, `evtName must be a string, got ${typeof name}`);
  const trimmed = name.trim();
  const problem = eventNameProblem(trimmed);
  if (problem) return refuse(UploadCode.INVALID_STRUCTURE, `evtName ${problem}`);
  if (isReservedEventName(trimmed)) return refuse(UploadCode.RESTRICTED_EVENT, `"${trimmed}" is a system event; uploads may not record it`);
  const data = parseEventData(fields.evtData);
  if (!data.ok) return data;
  return { ok: true, record: { kind: 'event', identity: identity.identity, name: trimmed, nameKey: eventNameKey(trimmed), properties: data.properties, ts: ts.ms } };
}
