/**
 * The spellings WhatsApp uses for one subscriber's number. WhatsApp ids — what providers put in
 * inbound callbacks, so in STOP replies — keep two numbering-plan relics:
 *   - Mexican mobiles as +52 1 and 10 digits (the "1" Mexico dropped in 2019): +5215512345678
 *     for +525512345678;
 *   - Brazilian mobiles of older accounts without the ninth digit: +551187654321 for
 *     +5511987654321.
 * A phone-level DND is written for every spelling, so that a STOP from one spelling blocks the
 * profiles stored with the other (and a resubscribe lifts both). The extra spellings are never
 * other people's numbers: a Mexican number has 10 digits after +52, and a Brazilian 8-digit number
 * starting 6–9 is a mobile, never a landline.
 */
const MEXICO_WITH_ONE = /^\+521(\d{10})$/;
const MEXICO = /^\+52(\d{10})$/;
const BRAZIL_EIGHT_DIGITS = /^\+55([1-9]{2})([6-9]\d{7})$/;
const BRAZIL_NINE_DIGITS = /^\+55([1-9]{2})9([6-9]\d{7})$/;

/** `e164` first, then its other WhatsApp spellings (none for most numbers). */
export function whatsappSpellings(e164: string): string[] {
  let match = MEXICO_WITH_ONE.exec(e164);
  if (match) return [e164, `+52${match[1]}`];
  match = MEXICO.exec(e164);
  if (match) return [e164, `+521${match[1]}`];
  match = BRAZIL_EIGHT_DIGITS.exec(e164);
  if (match) return [e164, `+55${match[1]}9${match[2]}`];
  match = BRAZIL_NINE_DIGITS.exec(e164);
  if (match) return [e164, `+55${match[1]}${match[2]}`];
  return [e164];
}
