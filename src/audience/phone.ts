/**
 * Phone numbers are normalised to E.164 once, at the edge (upload API, subscribe API, CSV import,
 * provider callbacks), with libphonenumber's full metadata ("max": it checks each country's
 * number patterns, not only lengths; about 8 µs per number).
 *
 * Accepted spellings: `+14155551234`, `+1 (415) 555-1234`, `0014155551234`, and digits with the
 * country code but no `+` (`919876543210`, what providers send in callbacks). Digits without a
 * country code are read as a national number only when a default region is given.
 */
import { isSupportedCountry, parsePhoneNumberWithError, ParseError, type CountryCode } from 'libphonenumber-js/max';

export type PhoneProblem = 'empty' | 'not_a_number' | 'invalid_country' | 'too_short' | 'too_long' | 'invalid_length' | 'invalid_number';

export type PhoneResult =
  | { ok: true; e164: string }
  | {
      ok: false;
      reason: PhoneProblem;
      /** Why, in words, starting lower-case: "is too short", "is not a valid number for IN (+91)". */
      message: string;
    };

// Only what people put around digits; letters (and so "ext. 12" or "call me") are refused.
const ALLOWED = /^\+?[\d\s\-().\/\u00a0]+$/;

const MESSAGES: Record<PhoneProblem, string> = {
  empty: 'is empty',
  not_a_number: 'is not a phone number (only digits, spaces, dashes, dots, parentheses and a leading + are allowed)',
  invalid_country: 'has no known country calling code: write it with the country code, e.g. +14155551234',
  too_short: 'is too short',
  too_long: 'is too long',
  invalid_length: 'has an invalid length for its country',
  invalid_number: 'is not a valid phone number',
};

function fail(reason: PhoneProblem, message = MESSAGES[reason]): PhoneResult {
  return { ok: false, reason, message };
}

/** True when `region` is an ISO 3166-1 alpha-2 code libphonenumber knows (`IN`, `US`, …). */
export function isPhoneRegion(region: string): region is CountryCode {
  return isSupportedCountry(region);
}

/**
 * `input` (a string, or a number such as 919876543210) → its E.164 form, or why it is not a
 * valid number. `defaultRegion` (e.g. "IN") applies only to numbers written without a country
 * code; an unknown region is reported as `invalid_country`.
 */
export function normalisePhone(input: unknown, defaultRegion?: string): PhoneResult {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input <= 0) return fail('not_a_number');
    text = String(input);
  } else if (typeof input === 'string') {
    text = input.trim();
  } else {
    return fail('not_a_number', 'is not a phone number (expected a string such as "+14155551234")');
  }
  if (text === '') return fail('empty');
  if (!ALLOWED.test(text)) return fail('not_a_number');

  let region: CountryCode | undefined;
  if (defaultRegion !== undefined) {
    const upper = defaultRegion.toUpperCase();
    if (!isSupportedCountry(upper)) return fail('invalid_country', `cannot be read: the default region ${JSON.stringify(defaultRegion)} is not a known country code`);
    region = upper;
  }

  const digitsOnly = text.replace(/[^\d+]/g, '');
  let candidate: string;
  if (digitsOnly.startsWith('+')) candidate = digitsOnly;
  else if (digitsOnly.startsWith('00')) candidate = `+${digitsOnly.slice(2)}`;
  else if (region) candidate = digitsOnly;
  else candidate = `+${digitsOnly}`;
  if (candidate.indexOf('+', 1) !== -1) return fail('not_a_number');

  try {
    const parsed = candidate.startsWith('+') ? parsePhoneNumberWithError(candidate) : parsePhoneNumberWithError(candidate, region);
    if (!parsed.isValid()) {
      const where = parsed.country ? `${parsed.country} (+${parsed.countryCallingCode})` : `country code +${parsed.countryCallingCode}`;
      return fail('invalid_number', `is not a valid number for ${where}`);
    }
    return { ok: true, e164: parsed.number };
  } catch (error) {
    if (error instanceof ParseError) {
      switch (error.message) {
        case 'INVALID_COUNTRY':
          return fail('invalid_country');
        case 'TOO_SHORT':
          return fail('too_short');
        case 'TOO_LONG':
          return fail('too_long');
        case 'INVALID_LENGTH':
          return fail('invalid_length');
        default:
          return fail('not_a_number');
      }
    }
    throw error;
  }
}
