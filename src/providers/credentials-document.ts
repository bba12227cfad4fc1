/**
 * The `credentials` of a provider account in the OpenAPI document, which only said "an object":
 * each type's fields, their lengths and which are secret, from the field lists and limits of
 * credentials.ts. Its checks stay the authority: they also read numbers as text, and which fields
 * are required depends on the Gupshup mode and on how a Vonage account signs in (the descriptions
 * say it; a schema would need a branch per mode).
 */
import type { ProviderType } from './provider.js';
import { GUPSHUP_KEYS, GUPSHUP_MAX_LENGTHS, NEXMO_KEYS, NEXMO_MAX_LENGTHS, SECRET_FIELDS } from './credentials.js';

const BUSINESS_NUMBER = 'The business number: E.164 (+919876543210), digits with the country code, or a 3–8 digit shortcode.';

const GUPSHUP_FIELDS: Record<(typeof GUPSHUP_KEYS)[number], string> = {
  mode: '"enterprise" (the default: the notification and two-way accounts sign in) or "selfserve" (an app and its API key).',
  notificationUserId: 'Enterprise, required: the numeric id of the notification (HSM) account, which sends templates.',
  notificationPassword: 'Enterprise, required: its password.',
  twoWayUserId: 'Enterprise, required: the numeric id of the two-way account, which sends replies and auto-replies.',
  twoWayPassword: 'Enterprise, required: its password.',
  appName: 'Self-serve, required: the Gupshup app name (letters, digits, underscores).',
  mobileNumber: `Required. ${BUSINESS_NUMBER}`,
  facebookUrl: 'An http:// or https:// URL.',
  apiKey: 'Self-serve, required: the app\'s API key; refused with mode "enterprise".',
};

const NEXMO_FIELDS: Record<(typeof NEXMO_KEYS)[number], string> = {
  applicationId: 'The Vonage application id (a UUID), with privateKey: messages are signed with a JWT.',
  privateKey: "The application's PEM RSA private key (the private.key file Vonage downloads).",
  apiKey: 'Without an application: the account API key, with apiSecret (basic authentication).',
  apiSecret: 'Its secret.',
  signatureSecret: "Verifies Vonage's signed callbacks (HS256).",
  whatsappNumber: `Required. ${BUSINESS_NUMBER}`,
};

const SECRET_TEXT = ' Secret: write-only, answered masked (••••1234).';
const CLEAR_TEXT = ' Left out, empty or masked: the stored value stays (secrets); null clears the field.';

function typeSchema(type: ProviderType, fields: Record<string, string>, maxLengths: Record<string, number>, description: string, forPatch: boolean) {
  const secret = new Set(SECRET_FIELDS[type]);
  const properties = Object.fromEntries(
    Object.entries(fields).map(([key, text]) => {
      const field = {
        type: 'string',
        ...(key === 'mode' ? { enum: ['enterprise', 'selfserve'] } : {}),
        ...(maxLengths[key] === undefined ? {} : { maxLength: maxLengths[key] }),
        description: `${text}${secret.has(key) ? SECRET_TEXT : ''}`,
      };
      return [key, forPatch ? { anyOf: [field, { type: 'null' }] } : field];
    }),
  );
  return {
    title: type,
    type: 'object',
    properties,
    additionalProperties: false,
    ...(forPatch ? {} : { required: [type === 'gupshup' ? 'mobileNumber' : 'whatsappNumber'] }),
    description: `${description}${forPatch ? CLEAR_TEXT : ''}`,
  };
}

/** The JSON Schema of `credentials`, when an account is created or (`forPatch`) changed: one of the two types, as `type` says. */
export function credentialsDocument(forPatch: boolean): { anyOf: object[] } {
  return {
    anyOf: [
      typeSchema('gupshup', GUPSHUP_FIELDS, GUPSHUP_MAX_LENGTHS, 'Gupshup: Enterprise needs both accounts with their passwords; self-serve the app name and API key.', forPatch),
      typeSchema('nexmo', NEXMO_FIELDS, NEXMO_MAX_LENGTHS, 'Vonage (type "nexmo"): applicationId with privateKey, or apiKey with apiSecret.', forPatch),
    ],
  };
}
