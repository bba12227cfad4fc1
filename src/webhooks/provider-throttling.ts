/**
 * Throttling reported after the fact. A provider may accept a send and fail it later because the
 * account sent faster than it allows: WhatsApp's 130429 passed through by Gupshup, Vonage's
 * `rejected` with 1000 "Throttled". A 429 answer to the send already slows the account's pacer
 * down (dispatcher.ts); such a delivery report must too (PRODUCT §3: provider throttling slows
 * the sender down), or every message sent at the too-high rate fails the same way.
 *
 * The applier records the report's arrival on the account (provider_accounts.last_throttled_at,
 * through CallbackArrivals); the dispatcher sending for the account, in this process or another,
 * sees it on its next refresh and slows down.
 */
import type { ReceiptEvent } from '../providers/provider.js';

/**
 * WhatsApp's pair rate limit (too many messages to one user in a short time): throttling of one
 * recipient, not of the account, so it must not slow the account's other sends down.
 */
const ONE_RECIPIENT_CODES = new Set(['131056']);

/** A report older than this when it arrives (a provider's retry) says nothing about the rate now. */
export const THROTTLING_REPORT_FRESH_MS = 60_000;

/** True when the receipt says the account, not one recipient, was throttled, and recently. */
export function reportsAccountThrottling(event: ReceiptEvent, receivedAt: number): boolean {
  if (event.status !== 'failed' || event.category !== 'rate_limited') return false;
  if (event.errorCode !== undefined && ONE_RECIPIENT_CODES.has(event.errorCode)) return false;
  return receivedAt - event.occurredAt <= THROTTLING_REPORT_FRESH_MS;
}
