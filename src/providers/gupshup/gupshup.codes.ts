/**
 * Every Gupshup code wacast understands, mapped to an ErrorCategory, in three tables:
 * 1. GatewayAPI (Enterprise) synchronous error ids — reference gupshup.md A7 (GS-ERR);
 * 2. asynchronous failure codes in self-serve `failed` events (B7, SS-ERR) and the Meta codes Gupshup
 *    passes through, also seen as the enterprise DLR `errorCode` of WhatsApp FAILED events;
 * 3. enterprise DLR `cause` values (A8; only partly documented, the rest by analogy with the SMS
 *    gateway that shares the DLR format).
 * Anything not listed maps to `other` and keeps its code and text, so a report still shows it.
 */
import type { ErrorCategory } from '../provider.js';

export interface SyncErrorMapping {
  category: ErrorCategory;
  /** Whether sending the same request again later can succeed. */
  retryable: boolean;
}

/** GatewayAPI error ids (`{"response":{"id":"102","status":"error"}}` / `error | 102 | …`). */
export const ENTERPRISE_ERROR_IDS: Readonly<Record<string, SyncErrorMapping>> = {
  // "UNKNOWN ERROR HAS OCCURED, contact support": a failure on Gupshup's side, not in our request.
  // Not retried: an error the gateway itself cannot name does not show that the message was not
  // queued before it, a retry could reach the person twice, and "contact support" is not a
  // transient condition. Final instead; if the gateway did send it, its DLR (matched by `extra`)
  // moves the message on from failed.
  '100': { category: 'provider_down', retryable: false },
  '101': { category: 'invalid_request', retryable: false }, // PARAMETER MISSING (a bug on our side)
  '102': { category: 'auth', retryable: false }, // AUTH FAILED: invalid userid or password
  '103': { category: 'auth', retryable: false }, // USER DOESNT EXIST: the userid is unknown
  '104': { category: 'auth', retryable: false }, // USER DISABLED: the account is switched off
  '105': { category: 'invalid_number', retryable: false }, // INVALID PH
  // METHOD NOT SUPPORTED: the method is not enabled for this account (e.g. SendMediaMessage on an
  // account without media) — a request the account cannot make, fixed with Gupshup, not by retrying.
  '106': { category: 'invalid_request', retryable: false },
  '107': { category: 'invalid_request', retryable: false }, // VERSION UNKNOWN (we always send v=1.1)
  '108': { category: 'invalid_request', retryable: false }, // INVALID MASK (SMS sender id)
  '109': { category: 'invalid_request', retryable: false }, // INVALID DND (SMS)
  // `The "INTERNATIONAL_PHONE" service is disabled for you`: an account permission, like auth it is
  // fixed by the account owner with Gupshup, and every send of this kind fails until then.
  '175': { category: 'auth', retryable: false },
  // 312 = duplicate / already opted in. A success for OPT_IN/OPT_OUT (handled there); on a send it
  // has no documented meaning.
  '312': { category: 'other', retryable: false },
};

/**
 * Failure codes of self-serve `failed` events (B7) and Meta codes passed through by Gupshup. Keys are
 * the decimal code as a string.
 */
export const GUPSHUP_FAILURE_CODES: Readonly<Record<string, ErrorCategory>> = {
  // Gupshup's own codes (SS-ERR)
  '500': 'provider_down', // Internal Server Error
  '1001': 'not_opted_in', // Last Mapped Bot Failed: (sandbox) the user has not joined the app
  '1002': 'invalid_number', // Number does not exist on WhatsApp
  '1003': 'insufficient_funds', // Wallet balance low
  '1004': 'outside_window', // user inactive for session messaging, and template messaging disabled
  '1005': 'template_mismatch', // user inactive for session messaging and the template did not match
  '1006': 'not_opted_in', // legacy opt-in failures
  '1007': 'not_opted_in',
  '1008': 'not_opted_in', // "User is not Opted in and Inactive"
  '1010': 'media', // Invalid media URL
  '1011': 'media', // Invalid media size
  '1012': 'not_opted_in', // Number opted out
  '4001': 'rate_limited', // API rate limited
  '4002': 'provider_down', // Invalid response from WhatsApp
  '4003': 'template_mismatch', // No template match
  '4004': 'invalid_request', // Only a Cloud API feature
  '4005': 'template_mismatch', // Paused template
  // Meta (WhatsApp Business Platform) codes, passed through on asynchronous failures
  '190': 'auth', // access token expired
  '368': 'blocked', // temporarily blocked for policy violations
  '470': 'outside_window', // on-premises: more than 24 hours since the customer last replied
  '130429': 'rate_limited', // throughput reached
  '131000': 'provider_down', // something went wrong
  '131005': 'auth', // access denied
  '131008': 'invalid_request', // required parameter missing
  '131009': 'invalid_request', // parameter value invalid
  '131016': 'provider_down', // service unavailable
  '131021': 'invalid_number', // recipient cannot be the sender
  '131026': 'invalid_number', // message undeliverable: not on WhatsApp, old app, or terms not accepted
  '131031': 'blocked', // business account locked
  '131042': 'insufficient_funds', // payment method problem
  '131045': 'auth', // phone number certificate problem
  '131047': 'outside_window', // re-engagement message: more than 24 hours since the last reply
  '131048': 'blocked', // spam rate limit hit
  '131049': 'blocked', // Meta withheld it for a healthy ecosystem (per-user marketing limit)
  '131050': 'not_opted_in', // the user stopped marketing messages
  '131051': 'invalid_request', // unsupported message type
  '131052': 'media', // media download error
  '131053': 'media', // media upload error
  '131056': 'rate_limited', // pair rate limit (too many messages to one user)
  '132000': 'template_mismatch', // number of parameters does not match
  '132001': 'template_mismatch', // template does not exist (name or language)
  '132005': 'template_mismatch', // translated text too long
  '132007': 'template_mismatch', // format character policy violated
  '132012': 'template_mismatch', // parameter format mismatch
  '132015': 'template_mismatch', // template paused
  '132016': 'template_mismatch', // template disabled
  '132018': 'template_mismatch', // parameter contains newline, tab or >4 spaces
};

/**
 * Enterprise DLR `cause` values of FAILED events. Documented: SUCCESS, SENT, READ, OTHER,
 * UNKNOWN_SUBSCRIBER, DEFERRED, BLOCKED_FOR_USER (reference A8, from a client enum); the rest are
 * the SMS gateway's causes for the same DLR format, listed so that they do not fall into `other`.
 */
export const ENTERPRISE_DLR_CAUSES: Readonly<Record<string, ErrorCategory>> = {
  UNKNOWN_SUBSCRIBER: 'invalid_number',
  INVALID_SUBSCRIBER: 'invalid_number',
  ABSENT_SUBSCRIBER: 'invalid_number',
  BLOCKED_FOR_USER: 'blocked', // the number is blocked for this account (block list / DND)
  BLOCKED: 'blocked',
  DND_FAIL: 'not_opted_in',
  OPTED_OUT: 'not_opted_in',
  NOT_OPTED_IN: 'not_opted_in',
  TEMPLATE_MISMATCH: 'template_mismatch',
  NO_TEMPLATE_MATCH: 'template_mismatch',
  MEDIA_ERROR: 'media',
  RATE_LIMITED: 'rate_limited',
  DEFERRED: 'other', // the gateway gave up on a deferred message; no specific reason
  OTHER: 'other',
  UNKNOWN: 'other',
};

/**
 * The category of an asynchronous failure: by code first (Gupshup and Meta codes are specific), then
 * by the enterprise `cause`, else `other`.
 */
export function categoryForGupshupFailure(code: string | undefined, cause?: string): ErrorCategory {
  // Enterprise DLR codes are zero-padded 3-digit gateway codes ("000", "003", "026") with their own
  // meaning; only unpadded codes are looked up as Gupshup/Meta codes.
  if (code !== undefined && /^[1-9]\d*$/.test(code.trim())) {
    const byCode = GUPSHUP_FAILURE_CODES[code.trim()];
    if (byCode) return byCode;
  }
  if (cause !== undefined) {
    const byCause = ENTERPRISE_DLR_CAUSES[cause.trim().toUpperCase()];
    if (byCause) return byCause;
  }
  return 'other';
}
