/**
 * Limits of the audience data, the source product's (so that existing upload code keeps working)
 * where it documents one. docs/audience.md lists them for users.
 */

import { eventNameKey } from './event-names.js';
/** Records per upload or subscribe call. */
export const MAX_RECORDS_PER_CALL = 1000;
/** Characters in a property or event-property key. */
export const MAX_KEY_LENGTH = 120;
/** Characters in a string value (and in each multi-value item). */
export const MAX_VALUE_LENGTH = 512;
/** Custom (non-system) properties per profile. */
export const MAX_CUSTOM_PROPERTIES = 256;
/** Items in a multi-value property; `$add` beyond it evicts the oldest items first. */
export const MAX_MULTI_VALUE_ITEMS = 100;
/** Properties per event. */
export const MAX_EVENT_PROPERTIES = 256;
/** Items in an event property holding a list (the `Items` of a `Charged` event). */
export const MAX_EVENT_LIST_ITEMS = 256;
/** Characters in an identity. */
export const MAX_IDENTITY_LENGTH = 512;
/** Characters in an event name. */
export const MAX_EVENT_NAME_LENGTH = 512;
/**
 * Request body limit of the upload API: 1000 records of about 10 KB each. Raised from the 1 MiB
 * default, which a full batch of ordinary profiles (≈ 1–2 KB each) already exceeds.
 */
export const UPLOAD_BODY_LIMIT = 10 * 1024 * 1024;

/** Characters that may not appear in keys: `% > < ! | & . : ; $ ' " \ #`. */
export const PROHIBITED_KEY_CHARACTERS = ['%', '>', '<', '!', '|', '&', '.', ':', ';', '$', "'", '"', '\\', '#'] as const;

/**
 * The source product's built-in profile fields: they do not count against the custom-property
 * limit. MSG-* are the subscription flags.
 */
export const SYSTEM_PROPERTIES: ReadonlySet<string> = new Set([
  'Name', 'Email', 'Phone', 'Gender', 'DOB', 'Age', 'Employed', 'Education', 'Married', 'Photo', 'Tz',
  'MSG-email', 'MSG-push', 'MSG-sms', 'MSG-whatsapp', 'MSG-dndPhone', 'MSG-dndEmail', 'MSG-dndWhatsApp',
]);

/**
 * Event names the system records itself (PRODUCT §1.4) or the source product reserves; uploads may
 * not use them. Compared by name key (lower case, no spaces).
 */
export { eventNameKey };

export const RESERVED_EVENT_NAMES = [
  'Notification Sent', 'Notification Delivered', 'Notification Viewed', 'Notification Clicked',
  'Notification Replied', 'Notification Failed', 'UTM Visited', 'App Launched', 'App Installed',
  'App Uninstalled', 'Stayed', 'Channel Unsubscribed', 'Push Impressions', 'Geocluster Entered',
  'Geocluster Exited', 'State Transitioned', 'Control Group Ejected',
] as const;

const RESERVED_KEYS: ReadonlySet<string> = new Set(RESERVED_EVENT_NAMES.map(eventNameKey));

export function isReservedEventName(name: string): boolean {
  return RESERVED_KEYS.has(eventNameKey(name));
}

// In a `u` regex a surrogate pair is one code point, so only a lone half matches.
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Why `text` cannot be stored as text, or null when it can. PostgreSQL refuses the NUL character
 * in text and JSON ("unsupported Unicode escape sequence"), and JSON cannot carry half of a UTF-16
 * surrogate pair: both are refused at the edge on either engine, so that one bad value is one
 * refused record or row, never a failed batch, and both engines store the same data.
 */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'contains the NUL character (U+0000), which text may not hold';
  if (LONE_SURROGATE.test(text)) return 'contains half of a UTF-16 surrogate pair (not a Unicode character)';
  return null;
}

/** Why `name` is not a valid event name, or null when it is. */
export function eventNameProblem(name: string): string | null {
  if (name.trim() === '') return 'is empty';
  const text = textProblem(name);
  if (text !== null) return text;
  if (name.length > MAX_EVENT_NAME_LENGTH) return `is ${name.length} characters long; event names have at most ${MAX_EVENT_NAME_LENGTH}`;
  const bad = PROHIBITED_KEY_CHARACTERS.find((character) => name.includes(character));
  if (bad !== undefined) return `contains ${JSON.stringify(bad)}; event names may not contain any of ${PROHIBITED_KEY_CHARACTERS.join(' ')}`;
  return null;
}

/** Why `key` is not a valid property key, or null when it is. */
export function keyProblem(key: string): string | null {
  if (key.trim() === '') return 'is empty';
  const text = textProblem(key);
  if (text !== null) return text;
  if (key.length > MAX_KEY_LENGTH) return `is ${key.length} characters long; keys have at most ${MAX_KEY_LENGTH}`;
  const bad = PROHIBITED_KEY_CHARACTERS.find((character) => key.includes(character));
  if (bad !== undefined) return `contains ${JSON.stringify(bad)}; keys may not contain any of ${PROHIBITED_KEY_CHARACTERS.join(' ')}`;
  return null;
}
