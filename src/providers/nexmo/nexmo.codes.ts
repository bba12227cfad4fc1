/**
 * Vonage Messages API error codes (reference vonage.md §6 `x-errors`), as they arrive in status
 * webhooks (`error.title` = "1340" in v1, `error.code` = 1340 in v0.1) and in the `type` anchor of
 * problem+json answers, mapped to an ErrorCategory. Unlisted codes map to `other`.
 */
import type { ErrorCategory } from '../provider.js';

export const VONAGE_ERROR_CODES: Readonly<Record<string, ErrorCategory>> = {
  '1000': 'rate_limited', // Throttled: submission capacity exceeded
  '1010': 'invalid_request', // Missing params
  '1020': 'invalid_request', // Invalid params (also the deprecated `fallback` locale policy)
  '1022': 'template_mismatch', // Invalid template, template params, or a namespace that is not ours
  '1030': 'provider_down', // Internal error
  '1300': 'invalid_number', // Not part of the provider network: the number is not on WhatsApp
  '1310': 'invalid_number', // Not suitable device
  '1320': 'other', // Message already sent
  '1330': 'other', // Unknown / delivery failed, no reason given
  '1331': 'provider_down', // Provider error (WhatsApp failed)
  '1340': 'outside_window', // Outside of the allowed 24-hour window
  '1360': 'other', // TTL expired before delivery
  '1380': 'media', // Invalid resource (media URL)
  '1381': 'media', // Resource too large
  '1382': 'media', // Resource type invalid or unsupported
  '1400': 'invalid_request', // Unsupported channel
  '1410': 'invalid_request', // Invalid channel parameters
  '1420': 'invalid_request', // Invalid sender: our configured WhatsApp number
  '1430': 'invalid_number', // Invalid recipient
  '1440': 'invalid_request', // Invalid message type
  '1450': 'invalid_request', // Invalid client reference
  '1451': 'invalid_request', // Invalid context
  // Auto-limiting by provider: WhatsApp's per-user marketing message limit (Meta 131049). WhatsApp
  // withheld the message to protect the user, like Gupshup's 131049 → blocked.
  '1461': 'blocked',
};

/** The category of a Vonage error code (a number, or its decimal string). */
export function categoryForVonageCode(code: string | number | undefined): ErrorCategory {
  if (code === undefined) return 'other';
  return VONAGE_ERROR_CODES[String(code).trim()] ?? 'other';
}

/** The numeric code of a v1 error object: `title` when it is a number, else the `type` URL anchor. */
export function vonageCodeOf(error: { title?: unknown; type?: unknown; code?: unknown }): string | undefined {
  if (typeof error.code === 'number' || (typeof error.code === 'string' && /^\d+$/.test(error.code))) return String(error.code);
  if (typeof error.title === 'string' && /^\d+$/.test(error.title.trim())) return error.title.trim();
  if (typeof error.title === 'number') return String(error.title);
  if (typeof error.type === 'string') {
    const anchor = /#(\d+)$/.exec(error.type);
    if (anchor) return anchor[1];
  }
  return undefined;
}
