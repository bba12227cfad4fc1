/**
 * Provider account credentials: what each provider type needs, how it is validated (field by
 * field, with messages that say what is allowed), which fields are secret (write-only, stored
 * encrypted, returned masked as `••••1234`).
 */
import { createPrivateKey } from 'node:crypto';
import { validatePhoneNumberLength } from 'libphonenumber-js';
import { z } from 'zod';
import type { FieldProblem } from '../errors.js';
import type { GupshupCredentials, NexmoCredentials, ProviderCredentials, ProviderType } from './provider.js';

export const SECRET_FIELDS: Record<ProviderType, readonly string[]> = {
  gupshup: ['notificationPassword', 'twoWayPassword', 'apiKey'],
  nexmo: ['privateKey', 'apiSecret', 'signatureSecret'],
};

type Problems = FieldProblem[];

const NUMBER_LENGTH_PROBLEMS: Record<string, string> = {
  INVALID_COUNTRY: 'does not start with a country code',
  TOO_SHORT: 'is too short for its country code',
  TOO_LONG: 'is too long for its country code',
  INVALID_LENGTH: 'has a length no number of its country code has (is the country code missing?)',
  NOT_A_NUMBER: 'is not a phone number',
};

/**
 * Business number: E.164 (`+919876543210`), digits with country code, or a 3–8 digit shortcode.
 * Digits are checked against the lengths libphonenumber knows for their country code, not against
 * its number ranges (a new range must not lock an account out): a 10-digit local number typed
 * without its country code (`9876543210`, read as +98…) is refused instead of saved as another
 * country's number.
 */
export function normaliseBusinessNumber(value: string): { ok: true; number: string } | { ok: false; reason: string } {
  const compact = value.replace(/[\s()-]/g, '');
  if (/^\d{3,8}$/.test(compact)) return { ok: true, number: compact };
  const digits = compact.replace(/^\+|^00/, '');
  if (!/^[1-9]\d{7,14}$/.test(digits)) return { ok: false, reason: '' };
  const lengthProblem = validatePhoneNumberLength(`+${digits}`);
  if (lengthProblem) return { ok: false, reason: `+${digits} ${NUMBER_LENGTH_PROBLEMS[lengthProblem] ?? 'is not a possible phone number'}` };
  return { ok: true, number: digits };
}

// Every field is read leniently (a string, '' when absent) and checked afterwards, so one request
// gets every problem at once instead of the first one only.
const lenient = z.union([z.string(), z.number()]).transform((value) => String(value)).optional();

function readFields<K extends string>(input: unknown, keys: readonly K[], problems: Problems): Record<K, string> {
  const out = {} as Record<K, string>;
  const source = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    if (!(keys as readonly string[]).includes(key)) problems.push({ path: key, message: `is not a field of this provider (allowed: ${keys.join(', ')})` });
  }
  for (const key of keys) {
    const parsed = lenient.safeParse(source[key]);
    if (!parsed.success) problems.push({ path: key, message: 'must be a string' });
    out[key] = parsed.success ? (parsed.data ?? '') : '';
  }
  return out;
}

function maxLength(fields: Record<string, string>, limits: Record<string, number>, problems: Problems): void {
  for (const [key, limit] of Object.entries(limits)) {
    if ((fields[key] ?? '').length > limit) problems.push({ path: key, message: `must be at most ${limit.toLocaleString('en-US')} characters` });
  }
}

function businessNumber(fields: Record<string, string>, key: string, problems: Problems): string {
  const raw = (fields[key] ?? '').trim();
  if (!raw) {
    problems.push({ path: key, message: 'is required' });
    return '';
  }
  const normalised = normaliseBusinessNumber(raw);
  if (!normalised.ok) {
    const why = normalised.reason ? ` (${normalised.reason})` : '';
    problems.push({ path: key, message: `must be a phone number with country code (e.g. +919876543210 or 919876543210) or a 3–8 digit shortcode${why}` });
    return raw;
  }
  return normalised.number;
}

export const GUPSHUP_KEYS = ['mode', 'notificationUserId', 'notificationPassword', 'twoWayUserId', 'twoWayPassword', 'appName', 'mobileNumber', 'facebookUrl', 'apiKey'] as const;
export const NEXMO_KEYS = ['applicationId', 'privateKey', 'apiKey', 'apiSecret', 'signatureSecret', 'whatsappNumber'] as const;

/** The most characters a field may have (after trimming the ones trimmed); also in the OpenAPI document. */
export const GUPSHUP_MAX_LENGTHS = { notificationUserId: 50, notificationPassword: 200, twoWayUserId: 50, twoWayPassword: 200, appName: 100, facebookUrl: 500, apiKey: 200 } as const;
export const NEXMO_MAX_LENGTHS = { applicationId: 100, privateKey: 10_000, apiKey: 100, apiSecret: 200, signatureSecret: 200 } as const;

function checkGupshup(input: unknown, problems: Problems): GupshupCredentials {
  const raw = readFields(input, GUPSHUP_KEYS, problems);
  const fields = { ...raw };
  for (const key of ['notificationUserId', 'twoWayUserId', 'appName', 'facebookUrl', 'apiKey', 'mode'] as const) fields[key] = fields[key].trim();
  maxLength(fields, GUPSHUP_MAX_LENGTHS, problems);
  const mode = fields.mode || 'enterprise';
  if (mode !== 'enterprise' && mode !== 'selfserve') problems.push({ path: 'mode', message: 'must be "enterprise" or "selfserve"' });
  const need = (key: (typeof GUPSHUP_KEYS)[number], why: string) => {
    if (!fields[key]) problems.push({ path: key, message: `is required ${why}` });
  };
  if (mode === 'selfserve') {
    need('apiKey', "for Gupshup self-serve (the app's API key)");
    need('appName', 'for Gupshup self-serve (the Gupshup app name, sent as src.name)');
    if (fields.appName && !/^[A-Za-z0-9_]+$/.test(fields.appName)) problems.push({ path: 'appName', message: 'must contain only letters, digits and underscores' });
  } else {
    // Enterprise signs in with its two accounts and never reads an API key: one stored with it would
    // be a secret kept for nothing, and the dashboard hides the field in this mode, so no one would
    // see it was there.
    if (mode === 'enterprise' && fields.apiKey) {
      problems.push({ path: 'apiKey', message: 'is for Gupshup self-serve mode only (mode "selfserve"): leave it out for Enterprise, which signs in with the notification and two-way accounts' });
    }
    need('notificationUserId', 'for Gupshup Enterprise: the notification (HSM) account sends templates');
    need('notificationPassword', 'for Gupshup Enterprise');
    need('twoWayUserId', 'for Gupshup Enterprise: the two-way account sends replies and auto-replies');
    need('twoWayPassword', 'for Gupshup Enterprise');
  }
  for (const key of ['notificationUserId', 'twoWayUserId'] as const) {
    if (fields[key] && !/^\d{4,20}$/.test(fields[key])) problems.push({ path: key, message: 'must be the numeric Gupshup account id (e.g. 2000155005)' });
  }
  if (fields.facebookUrl && !/^https?:\/\/\S+$/i.test(fields.facebookUrl)) problems.push({ path: 'facebookUrl', message: 'must be an http:// or https:// URL' });
  const mobileNumber = businessNumber(fields, 'mobileNumber', problems);
  return { ...fields, mode: mode === 'selfserve' ? 'selfserve' : 'enterprise', mobileNumber };
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/**
 * A pasted PEM key as OpenSSL reads it. Keys arrive from text areas and copied JSON with Windows
 * line ends, indented lines, blank lines around them, literal `\n` escapes or all on one line;
 * OpenSSL refuses most of those with an unhelpful "unsupported", so the base64 body is re-wrapped
 * at 64 characters between its BEGIN and END lines. Anything that is not one PEM block (or a
 * block with headers, such as an old encrypted key) is returned as given, to be refused as such.
 */
export function normalisePem(value: string): { label: string; pem: string } | null {
  const match = PEM_BLOCK.exec(value.replace(/\\r\\n|\\n/g, '\n'));
  if (!match) return null;
  const label = match[1]!;
  const body = match[2]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return { label, pem: value };
  return { label, pem: `-----BEGIN ${label}-----\n${body.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n` };
}

/** What is wrong with a Vonage private key, or null; `pem` is the key to store. */
function checkPrivateKey(value: string): { pem: string; problem: string | null } {
  const normalised = normalisePem(value);
  if (!normalised) return { pem: value, problem: 'must be a PEM private key (-----BEGIN PRIVATE KEY----- …), as in the private.key file Vonage downloads when the application is created' };
  const { label, pem } = normalised;
  if (/PUBLIC KEY$/.test(label)) return { pem, problem: 'is a public key: paste the private key (-----BEGIN PRIVATE KEY----- …) from the private.key file Vonage downloaded' };
  if (/CERTIFICATE/.test(label)) return { pem, problem: 'is a certificate: paste the private key (-----BEGIN PRIVATE KEY----- …) from the private.key file Vonage downloaded' };
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/i.test(value)) return { pem, problem: 'is encrypted with a passphrase: paste the unencrypted private key Vonage downloaded' };
  try {
    if (createPrivateKey(pem).asymmetricKeyType !== 'rsa') return { pem, problem: 'must be an RSA private key (Vonage signs with RS256)' };
  } catch {
    return { pem, problem: 'must be a PEM private key (-----BEGIN PRIVATE KEY----- …): this one cannot be read (is it cut short?)' };
  }
  return { pem, problem: null };
}

function checkNexmo(input: unknown, problems: Problems): NexmoCredentials {
  const fields = readFields(input, NEXMO_KEYS, problems);
  fields.applicationId = fields.applicationId.trim();
  fields.apiKey = fields.apiKey.trim();
  maxLength(fields, NEXMO_MAX_LENGTHS, problems);
  const jwt = fields.applicationId !== '' || fields.privateKey.trim() !== '';
  if (jwt) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(fields.applicationId)) {
      problems.push({ path: 'applicationId', message: 'must be the Vonage application id (a UUID) when a private key is given' });
    }
    if (!fields.privateKey.trim()) {
      problems.push({ path: 'privateKey', message: "is required with an application id (the application's PEM private key)" });
    } else {
      const key = checkPrivateKey(fields.privateKey);
      if (key.problem) problems.push({ path: 'privateKey', message: key.problem });
      else fields.privateKey = key.pem;
    }
  } else if (!fields.apiKey || !fields.apiSecret) {
    problems.push({
      path: fields.apiKey ? 'apiSecret' : 'apiKey',
      message: 'is required: give an Application ID with its Private key, or an API key with its API secret',
    });
  }
  const whatsappNumber = businessNumber(fields, 'whatsappNumber', problems);
  return { ...fields, whatsappNumber };
}

export type ParsedCredentials = { ok: true; credentials: ProviderCredentials } | { ok: false; problems: FieldProblem[] };

export function parseCredentials(type: ProviderType, input: unknown): ParsedCredentials {
  const problems: Problems = [];
  // A masked value (`••••1234`, as the API shows a secret) copied into a new account would be
  // stored as the secret itself and every send would fail authentication. (An update never gets
  // here with one: mergeCredentials keeps the stored secret for it.)
  const source = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  for (const key of SECRET_FIELDS[type]) {
    const value = source[key];
    if (typeof value === 'string' && value.startsWith('••••')) problems.push({ path: key, message: 'is the masked value shown for a saved secret: enter the secret itself' });
  }
  const credentials = type === 'gupshup' ? checkGupshup(input, problems) : checkNexmo(input, problems);
  if (problems.length === 0) return { ok: true, credentials };
  return { ok: false, problems: problems.map((problem) => ({ path: `credentials.${problem.path}`, message: problem.message })) };
}

/**
 * `••••1234`: enough to recognise a secret, never enough to use it or guess it (secrets under 12
 * characters show 2 or none). Empty stays empty. A PEM key
 * shows the end of its base64 body: the end of the text is `-----` for every key.
 */
export function maskSecret(value: string): string {
  if (!value) return '';
  const compact = value.replace(/\s+/g, '');
  const pemBody = value.includes('-----BEGIN ') ? value.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s+/g, '').replace(/=+$/, '') : '';
  const shown = pemBody || compact;
  // A short password must not be given away by its own mask: the last 4 of "pass1234" are half of
  // it, of "1234" all of it. Short secrets show fewer characters, or none.
  const reveal = shown.length >= 12 ? 4 : shown.length >= 8 ? 2 : 0;
  return `••••${reveal > 0 ? shown.slice(-reveal) : ''}`;
}

/** The credentials as the API may show them: non-secret fields as they are, secrets masked. */
export function publicCredentials(type: ProviderType, credentials: ProviderCredentials): Record<string, string> {
  const secret = new Set(SECRET_FIELDS[type]);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(credentials)) {
    out[key] = secret.has(key) ? maskSecret(String(value ?? '')) : String(value ?? '');
  }
  return out;
}

/**
 * Applies a partial update: fields present in `patch` replace the stored ones; secrets that are
 * omitted, empty, or sent back masked (`••••…`) keep their stored value (a form sends them so);
 * `null` clears a field, secrets included — a Vonage account moving from its application's key to
 * an API key and secret, or dropping a signature secret, has no other way to lose the old one.
 * A Gupshup account that is (or becomes) Enterprise loses its stored self-serve `apiKey`: Enterprise
 * never uses it and the dashboard hides it in that mode. An `apiKey` the patch itself sets is kept,
 * for parseCredentials to refuse (self-serve only) rather than drop what the caller asked for.
 */
export function mergeCredentials(type: ProviderType, stored: ProviderCredentials, patch: Record<string, unknown>): Record<string, unknown> {
  const secret = new Set(SECRET_FIELDS[type]);
  const merged: Record<string, unknown> = { ...stored };
  const keepsStored = (key: string, value: unknown) => secret.has(key) && (value === '' || (typeof value === 'string' && value.startsWith('••••')));
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) {
      merged[key] = '';
      continue;
    }
    if (keepsStored(key, value)) continue;
    merged[key] = value;
  }
  if (type === 'gupshup') {
    // As checkGupshup reads it: blank or absent is Enterprise.
    const mode = typeof merged.mode === 'string' || merged.mode === undefined ? (merged.mode ?? '').trim() || 'enterprise' : merged.mode;
    const setsApiKey = patch.apiKey !== undefined && patch.apiKey !== null && !keepsStored('apiKey', patch.apiKey);
    if (mode === 'enterprise' && !setsApiKey) merged.apiKey = '';
  }
  return merged;
}
