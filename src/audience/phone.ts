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
      /** What is accepted instead, in words starting lower-case, for messages that say "why; advice". */
      advice: string;
      /** The digits were read as starting with a country code because there was no "+" and no default region. */
      assumedCountryCode: boolean;
    };

// Only what people put around digits; letters (and so "ext. 12" or "call me") are refused. The
// "+" may stand in brackets, as in "(+91) 98765 43210".
const ALLOWED = /^(?:\+|\(\+)?[\d\s\-().\/\u00a0]+$/;

const MESSAGES: Record<PhoneProblem, string> = {
  empty: 'is empty',
  not_a_number: 'is not a phone number (only digits, spaces, dashes, dots, parentheses and a leading + are allowed)',
  invalid_country: 'has no known country calling code',
  too_short: 'is too short',
  too_long: 'is too long',
  invalid_length: 'has an invalid length for its country',
  invalid_number: 'is not a valid phone number',
};

const INTERNATIONAL = 'write it with its country code, e.g. +14155551234 or +91 98765 43210';
const ASSUMED_COUNTRY_CODE = 'without a "+" the digits are read as country code and number: write it with "+" and its country code, e.g. +14155551234';

function fail(reason: PhoneProblem, message = MESSAGES[reason], assumedCountryCode = false): PhoneResult {
  return { ok: false, reason, message, advice: assumedCountryCode ? ASSUMED_COUNTRY_CODE : INTERNATIONAL, assumedCountryCode };
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
  let assumed = false;
  if (digitsOnly.startsWith('+')) candidate = digitsOnly;
  else if (digitsOnly.startsWith('00')) candidate = `+${digitsOnly.slice(2)}`;
  else if (region) candidate = digitsOnly;
  else {
    candidate = `+${digitsOnly}`;
    assumed = true;
  }
  if (candidate.indexOf('+', 1) !== -1) return fail('not_a_number');

  try {
    const parsed = candidate.startsWith('+') ? parsePhoneNumberWithError(candidate) : parsePhoneNumberWithError(candidate, region);
    if (!parsed.isValid()) {
      // Mexican mobiles are still written, and sent by WhatsApp, with the "1" Mexico dropped in
      // 2019 (+52 1 55 1234 5678): that is the number +52 55 1234 5678.
      const mexican = /^\+521(\d{10})$/.exec(parsed.number);
      if (mexican) {
        const current = parsePhoneNumberWithError(`+52${mexican[1]}`);
        if (current.isValid()) return { ok: true, e164: current.number };
      }
      const where = parsed.country ? `${parsed.country} (+${parsed.countryCallingCode})` : `country code +${parsed.countryCallingCode}`;
      return fail('invalid_number', `is not a valid number for ${where}`, assumed);
    }
    return { ok: true, e164: parsed.number };
  } catch (error) {
    if (error instanceof ParseError) {
      switch (error.message) {
        case 'INVALID_COUNTRY':
          return fail('invalid_country', MESSAGES.invalid_country, assumed);
        case 'TOO_SHORT':
          return fail('too_short', MESSAGES.too_short, assumed);
        case 'TOO_LONG':
          return fail('too_long', MESSAGES.too_long, assumed);
        case 'INVALID_LENGTH':
          return fail('invalid_length', MESSAGES.invalid_length, assumed);
        default:
          return fail('not_a_number', MESSAGES.not_a_number, assumed);
      }
    }
    throw error;
  }
}
