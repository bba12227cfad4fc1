import { createHash, createHmac, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RawCallback } from '../provider.js';
import { APPLICATION_JWT_TTL_SECONDS, createApplicationJwt, parsePrivateKey, verifyVonageSignature } from './nexmo.jwt.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function decode(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('createApplicationJwt (RS256)', () => {
  it('verifies with the public key and carries application_id, iat, jti and exp = iat + 900', () => {
    const key = parsePrivateKey(PEM);
    expect(key).not.toBeNull();
    const token = createApplicationJwt('aaaaaaaa-bbbb-cccc-dddd-0123456789ab', key!, 1_700_000_000_123);
    const [header, claims, signature] = token.split('.') as [string, string, string];
    expect(verify('sha256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    expect(decode(header)).toStrictEqual({ alg: 'RS256', typ: 'JWT' });
    const decoded = decode(claims);
    expect(decoded).toMatchObject({ application_id: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab', iat: 1_700_000_000, exp: 1_700_000_000 + APPLICATION_JWT_TTL_SECONDS });
    expect(decoded.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Object.keys(decoded).sort()).toStrictEqual(['application_id', 'exp', 'iat', 'jti']);
  });

  it('gives every token a new jti', () => {
    const key = parsePrivateKey(PEM)!;
    const jti = (token: string) => decode(token.split('.')[1]!).jti;
    expect(jti(createApplicationJwt('app', key))).not.toBe(jti(createApplicationJwt('app', key)));
  });

  it('parses keys pasted with literal \\n and refuses non-keys and non-RSA keys', () => {
    expect(parsePrivateKey(PEM.replace(/\n/g, '\\n'))).not.toBeNull();
    expect(parsePrivateKey('not a key')).toBeNull();
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(parsePrivateKey(ec)).toBeNull();
  });
});

describe('verifyVonageSignature (HS256 signed webhooks)', () => {
  const SECRET = 'sig-secret-0123456789';
  const BODY = '{"message_uuid":"aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab","status":"delivered","timestamp":"2025-02-03T12:14:25Z"}';
  const NOW = 1_738_584_865_000;

  function token(claims: Record<string, unknown>, secret = SECRET, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
    const h = Buffer.from(JSON.stringify(header)).toString('base64url');
    const c = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const s = createHmac('sha256', secret).update(`${h}.${c}`).digest('base64url');
    return `${h}.${c}.${s}`;
  }

  function claims(body = BODY): Record<string, unknown> {
    return {
      iat: NOW / 1000,
      jti: 'c5ba8f24-1a14-4c10-bfdf-3fbe8ce511b5',
      iss: 'Vonage',
      payload_hash: createHash('sha256').update(body).digest('hex'),
      api_key: 'a1b2c3d',
      application_id: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
    };
  }

  function callback(authorization: string | undefined, body = BODY): RawCallback {
    return { method: 'POST', contentType: 'application/json', body, query: {}, headers: { authorization } };
  }

  it('accepts a correctly signed webhook whose payload_hash matches the raw body', () => {
    expect(verifyVonageSignature(callback(`Bearer ${token(claims())}`), SECRET, NOW)).toBe(true);
  });

  it('also accepts payload_hash computed as Vonage\'s snippet does: over JSON.stringify of the parsed body', () => {
    // The same status sent pretty-printed, hashed over its compact serialisation (vonage.md §8, S8).
    const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
    expect(verifyVonageSignature(callback(`Bearer ${token(claims(BODY))}`, pretty), SECRET, NOW)).toBe(true);
    // Still bound to the content: another status with the same hash is refused.
    const other = JSON.stringify(JSON.parse(BODY.replace('delivered', 'read')), null, 2);
    expect(verifyVonageSignature(callback(`Bearer ${token(claims(BODY))}`, other), SECRET, NOW)).toBe(false);
  });

  it('rejects a wrong secret', () => {
    expect(verifyVonageSignature(callback(`Bearer ${token(claims(), 'another-secret')}`), SECRET, NOW)).toBe(false);
  });

  it('rejects a tampered body', () => {
    expect(verifyVonageSignature(callback(`Bearer ${token(claims())}`, BODY.replace('delivered', 'read')), SECRET, NOW)).toBe(false);
  });

  it('rejects a missing or malformed Authorization header', () => {
    expect(verifyVonageSignature(callback(undefined), SECRET, NOW)).toBe(false);
    expect(verifyVonageSignature(callback(token(claims())), SECRET, NOW)).toBe(false);
    expect(verifyVonageSignature(callback('Bearer abc'), SECRET, NOW)).toBe(false);
    expect(verifyVonageSignature(callback('Basic YWFhOmJiYg=='), SECRET, NOW)).toBe(false);
  });

  it('rejects alg other than HS256, a wrong issuer, an expired token, a missing payload_hash and an empty secret', () => {
    const none = token(claims(), SECRET, { alg: 'none', typ: 'JWT' });
    expect(verifyVonageSignature(callback(`Bearer ${none}`), SECRET, NOW)).toBe(false);
    expect(verifyVonageSignature(callback(`Bearer ${token({ ...claims(), iss: 'Someone' })}`), SECRET, NOW)).toBe(false);
    expect(verifyVonageSignature(callback(`Bearer ${token({ ...claims(), exp: NOW / 1000 - 1 })}`), SECRET, NOW)).toBe(false);
    const { payload_hash: _omitted, ...noHash } = claims();
    expect(verifyVonageSignature(callback(`Bearer ${token(noHash)}`), SECRET, NOW)).toBe(false);
    expect(verifyVonageSignature(callback(`Bearer ${token(claims(), '')}`), '', NOW)).toBe(false);
  });
});
