/**
 * Phone numbers at the provider edge. Inside wacast a phone is E.164 with `+` (normalised once, at
 * the API edge, with libphonenumber); providers want digits with the country code and no `+`, and
 * send back digits with or without `+`. These helpers only convert between the two spellings —
 * they do not re-validate numbering plans, because a callback must never be dropped because a
 * metadata table is older than a number range.
 */

const E164 = /^\+[1-9]\d{6,14}$/;

/** `+919876543210` → `919876543210`; null when `e164` is not E.164 (`+`, 7–15 digits, no leading 0). */
export function toProviderNumber(e164: string): string | null {
  return E164.test(e164) ? e164.slice(1) : null;
}

/**
 * A WhatsApp business-scoped user id (BSUID): the user's country (ISO 3166 alpha-2), a dot and up to
 * 128 letters and digits, e.g. `US.13491208655302741918`. A user who set a WhatsApp username may
 * write under it alone (Vonage v1.20); Vonage takes it as `to` too. Returns the id, or undefined.
 */
export function whatsappUserIdOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const id = value.trim();
  return /^[A-Za-z]{2}\.[A-Za-z0-9]{1,128}$/.test(id) ? id : undefined;
}

/**
 * A phone number from a callback (`919876543210`, `+91 98765 43210`, `0091…`, a JSON number) → E.164
 * with `+`; null when it is not 7–15 digits once spaces, dashes, dots and brackets are removed.
 */
export function callbackPhoneToE164(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) value = String(value);
  if (typeof value !== 'string') return null;
  let text = value.trim().replace(/[\s\-.()]/g, '');
  if (text.startsWith('+')) text = text.slice(1);
  else if (text.startsWith('00')) text = text.slice(2);
  if (!/^[1-9]\d{6,14}$/.test(text)) return null;
  return `+${text}`;
}

/** A business number as configured (`+91…`, `91…`, or a 3–8 digit shortcode) → digits only. */
export function businessNumberDigits(value: string): string {
  return value.trim().replace(/^\+/, '').replace(/[\s\-.()]/g, '');
}
