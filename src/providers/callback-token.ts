/**
 * Callback tokens: the secret part of a provider account's two callback URLs. A token is 16 random
 * bytes (128 bits) followed by an 8-byte MAC under the instance key, base64url (32 characters). The
 * MAC lets the dashboard show the URLs before the first save (the token is issued first, then
 * adopted by the create request) while refusing tokens the server did not issue.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../secrets/secret-box.js';
import type { ProviderType } from './provider.js';

const PURPOSE = 'callback-token';

export function issueCallbackToken(secrets: SecretBox): string {
  const random = randomBytes(16);
  const tag = secrets.mac(PURPOSE, random).subarray(0, 8);
  return Buffer.concat([random, tag]).toString('base64url');
}

export function isIssuedCallbackToken(secrets: SecretBox, token: string): boolean {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return false;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== 24) return false;
  const expected = secrets.mac(PURPOSE, bytes.subarray(0, 16)).subarray(0, 8);
  return timingSafeEqual(expected, bytes.subarray(16));
}

/** The two URLs a provider account's callbacks go to; the token is shared by both. */
export function callbackUrls(publicUrl: string, type: ProviderType, token: string): { inboundCallbackUrl: string; deliveryCallbackUrl: string } {
  const base = `${publicUrl}/hooks/${type}/${token}`;
  return {
    inboundCallbackUrl: `${base}/inbound`,
    deliveryCallbackUrl: `${base}/${type === 'gupshup' ? 'delivery' : 'status'}`,
  };
}
