/**
 * Vonage JWTs with node:crypto (reference vonage.md §2 and §8):
 * - application tokens (RS256, signed with the application's private key) authenticate our sends;
 * - signed webhooks carry an HS256 token made with the account's signature secret, whose
 *   `payload_hash` is the SHA-256 of the request body.
 */
import { jsonNestingExceeds } from '../../json-depth.js';
import { createHash, createHmac, createPrivateKey, randomUUID, sign, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { RawCallback } from '../provider.js';

/** Token lifetime: the Vonage SDKs' default of 15 minutes (Vonage allows 30 s to 24 h). */
export const APPLICATION_JWT_TTL_SECONDS = 900;

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** Parses a PEM private key; null (never a throw) when it is not one. */
export function parsePrivateKey(pem: string): KeyObject | null {
  try {
    const key = createPrivateKey({ key: pem.replace(/\\n/g, '\n'), format: 'pem' });
    return key.asymmetricKeyType === 'rsa' ? key : null;
  } catch {
    return null;
  }
}

/**
 * An RS256 application JWT: header `{"alg":"RS256","typ":"JWT"}`, claims `application_id`, `iat`
 * (unix seconds), `jti` (UUID v4), `exp` = iat + 900.
 */
export function createApplicationJwt(applicationId: string, privateKey: KeyObject, nowMs = Date.now(), jti: string = randomUUID()): string {
  const iat = Math.floor(nowMs / 1000);
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(JSON.stringify({ application_id: applicationId, iat, jti, exp: iat + APPLICATION_JWT_TTL_SECONDS }));
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), privateKey).toString('base64url');
  return `${header}.${claims}.${signature}`;
}

function decodeJson(segment: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * True when the callback carries `Authorization: Bearer <jwt>` signed HS256 with `signatureSecret`,
 * issued by `Vonage`, not expired (when it has `exp`), and whose `payload_hash` equals the SHA-256
 * hex of the raw body (or of the body parsed and serialised again, as Vonage's snippet computes it). Comparisons of the signature and the hash are constant-time.
 */
export function verifyVonageSignature(raw: RawCallback, signatureSecret: string, nowMs = Date.now()): boolean {
  if (!signatureSecret) return false;
  const header = raw.headers.authorization;
  const match = header ? /^Bearer\s+([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(header.trim()) : null;
  if (!match) return false;
  const [, headerPart, claimsPart, signaturePart] = match as unknown as [string, string, string, string];

  const jwtHeader = decodeJson(headerPart);
  if (!jwtHeader || jwtHeader.alg !== 'HS256') return false;
  const expected = createHmac('sha256', signatureSecret).update(`${headerPart}.${claimsPart}`).digest();
  if (!safeEqual(expected, Buffer.from(signaturePart, 'base64url'))) return false;

  const claims = decodeJson(claimsPart);
  if (!claims || claims.iss !== 'Vonage') return false;
  if (typeof claims.exp === 'number' && claims.exp * 1000 < nowMs) return false;
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 > nowMs + 60_000) return false;
  if (typeof claims.payload_hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(claims.payload_hash)) return false;
  const expectedHash = Buffer.from(claims.payload_hash, 'hex');
  if (safeEqual(createHash('sha256').update(raw.body, 'utf8').digest(), expectedHash)) return true;
  // Which bytes Vonage hashes is not documented (vonage.md §8, UNSURE). Vonage's own verification
  // snippet hashes the parsed body serialised again, `JSON.stringify(Object.assign(req.query,
  // req.body))`; accept that too, so that a body Vonage sends formatted differently from what it
  // hashed is not refused. The token is HMAC-signed either way.
  const reserialised = reserialisedBody(raw);
  return reserialised !== null && safeEqual(createHash('sha256').update(reserialised, 'utf8').digest(), expectedHash);
}

/** `JSON.stringify(Object.assign(query, body))` of Vonage's signed-webhook snippet, or null. */
function reserialisedBody(raw: RawCallback): string | null {
  let body: unknown;
  // Too deep to serialise again (the parser refuses such a body anyway).
  if (jsonNestingExceeds(raw.body)) return null;
  try {
    body = JSON.parse(raw.body) as unknown;
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const text = JSON.stringify(Object.assign({ ...raw.query }, body));
  return text === raw.body ? null : text;
}
