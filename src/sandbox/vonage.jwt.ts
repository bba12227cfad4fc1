/**
 * The two JWTs of the Vonage Messages API (reference vonage.md §2, §8), with node:crypto only:
 * checking an application's RS256 request token, and signing webhooks with HS256 under the
 * account's signature secret.
 */
import { createHash, createHmac, verify, type KeyObject } from 'node:crypto';
import { uuidV4 } from './sandbox.ids.js';

/** Clock skew tolerated on `iat` / `nbf` / `exp`, seconds. */
const SKEW_SECONDS = 60;
/** Vonage caps a token's lifetime at 24 hours after generation (§2). */
const MAX_LIFETIME_SECONDS = 24 * 60 * 60;
/** …and requires at least 30 seconds of it ("exp … min 30 s", §2). */
const MIN_LIFETIME_SECONDS = 30;

export type JwtCheck =
  | { ok: true; applicationId: string; exp: number | undefined }
  | { ok: false; reason: string };

function decodeJson(segment: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The `application_id` claim of a token, unverified: it says which key verifies the token. */
export function peekApplicationId(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const claims = decodeJson(parts[1]!);
  return typeof claims?.application_id === 'string' ? claims.application_id : undefined;
}

/**
 * Verifies an RS256 token with `publicKey`: header alg RS256, a valid signature, the required
 * claims `application_id`, `iat`, `jti`, not expired (`exp`), not before `nbf`, and a lifetime of at
 * least 30 seconds and at most 24 hours. `now` is epoch ms.
 */
export function verifyRs256(token: string, publicKey: KeyObject, now: number): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'the token is not a JWT (three dot-separated parts)' };
  const header = decodeJson(parts[0]!);
  if (!header) return { ok: false, reason: 'the JWT header is not base64url JSON' };
  if (header.alg !== 'RS256') return { ok: false, reason: `alg must be RS256, not ${JSON.stringify(header.alg)}` };
  const claims = decodeJson(parts[1]!);
  if (!claims) return { ok: false, reason: 'the JWT payload is not base64url JSON' };
  const signed = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), publicKey, Buffer.from(parts[2]!, 'base64url'));
  if (!signed) return { ok: false, reason: 'the signature does not verify with the application public key' };
  if (typeof claims.application_id !== 'string' || claims.application_id === '') return { ok: false, reason: 'claim application_id is required' };
  if (typeof claims.iat !== 'number') return { ok: false, reason: 'claim iat (unix seconds) is required' };
  if (typeof claims.jti !== 'string' || claims.jti === '') return { ok: false, reason: 'claim jti is required' };
  const seconds = now / 1000;
  if (claims.iat > seconds + SKEW_SECONDS) return { ok: false, reason: 'claim iat is in the future' };
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > seconds + SKEW_SECONDS)) return { ok: false, reason: 'the token is not valid yet (nbf)' };
  if (claims.exp !== undefined) {
    if (typeof claims.exp !== 'number') return { ok: false, reason: 'claim exp must be unix seconds' };
    if (claims.exp < seconds - SKEW_SECONDS) return { ok: false, reason: 'the token has expired (exp)' };
    if (claims.exp - claims.iat > MAX_LIFETIME_SECONDS) return { ok: false, reason: 'exp is more than 24 hours after iat' };
    if (claims.exp - claims.iat < MIN_LIFETIME_SECONDS) return { ok: false, reason: 'exp is less than 30 seconds after iat' };
  }
  return { ok: true, applicationId: claims.application_id, exp: typeof claims.exp === 'number' ? claims.exp : undefined };
}

/** Signs claims as an HS256 JWT. */
export function signHs256(claims: Record<string, unknown>, secret: string): string {
  const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/**
 * The `Authorization` value of a signed webhook (§8): HS256 over `iat`, `jti`, `iss` "Vonage",
 * `payload_hash` (SHA-256 hex of exactly the body bytes sent), `api_key`, `application_id`.
 */
export function webhookAuthorization(body: string, apiKey: string, applicationId: string, signatureSecret: string): string {
  const claims = {
    iat: Math.floor(Date.now() / 1000),
    jti: uuidV4(),
    iss: 'Vonage',
    payload_hash: createHash('sha256').update(body, 'utf8').digest('hex'),
    api_key: apiKey,
    application_id: applicationId,
  };
  return `Bearer ${signHs256(claims, signatureSecret)}`;
}
