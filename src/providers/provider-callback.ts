/**
 * One entry point for the callback routes: parses a callback for a provider type. Both URLs of an
 * account (inbound and delivery) use it, because each parser accepts every shape of its provider
 * whichever URL it arrived on. Never throws; for Vonage, verify the signature first
 * (verifyVonageSignature) when the account has a signature secret.
 */
import type { ParseOptions } from './callback-fields.js';
import { parseGupshupCallback } from './gupshup/gupshup.callback.js';
import { parseNexmoCallback } from './nexmo/nexmo.callback.js';
import type { ParseResult, ProviderType, RawCallback } from './provider.js';

export type { ParseOptions } from './callback-fields.js';
export { parseGupshupCallback } from './gupshup/gupshup.callback.js';
export { parseNexmoCallback } from './nexmo/nexmo.callback.js';
export { verifyVonageSignature } from './nexmo/nexmo.jwt.js';

export function parseProviderCallback(type: ProviderType, raw: RawCallback, options?: ParseOptions): ParseResult {
  return type === 'gupshup' ? parseGupshupCallback(raw, options) : parseNexmoCallback(raw, options);
}
