/**
 * The provider account form as data: which credential fields each provider type has (with the
 * exact labels of the product contract), which are secret, and how form values become API bodies.
 * Pure functions only, so the rules are unit-tested without a browser.
 */
import type { AutoReply, DailyRecipientLimit, MessagingLimit, ProviderAccount, ProviderInput, ProviderPatch, ProviderType } from '../../api/types';

export type GupshupMode = 'enterprise' | 'selfserve';

export interface CredentialField {
  /** Key in `credentials` (and the error path `credentials.<key>`). */
  key: string;
  label: string;
  /** Write-only: sent when typed, shown masked afterwards, never prefilled. */
  secret: boolean;
  kind: 'text' | 'textarea' | 'tel' | 'url';
  hint?: string;
  placeholder?: string;
  /** Only shown in this Gupshup mode. */
  onlyInMode?: GupshupMode;
  /**
   * A stored secret the account can work without, so the form offers to remove it: always
   * (`true`), or only in this Gupshup mode. Required ones can only be replaced.
   */
  clearable?: true | GupshupMode;
}

export const PROVIDER_TYPE_OPTIONS = [
  { value: 'nexmo', label: 'Nexmo' },
  { value: 'gupshup', label: 'Gupshup' },
] as const;

export const GUPSHUP_MODE_OPTIONS = [
  { value: 'enterprise', label: 'Enterprise (notification and two-way accounts)' },
  { value: 'selfserve', label: 'Self-serve (app name and API key)' },
] as const;

/** WhatsApp's messaging limit tiers, as the form offers them ('' = unlimited / not set). */
export const DAILY_LIMIT_OPTIONS = [
  { value: '', label: 'Unlimited / not set' },
  { value: '250', label: '250 unique users per 24 hours' },
  { value: '1000', label: '1,000 unique users per 24 hours' },
  { value: '10000', label: '10,000 unique users per 24 hours' },
  { value: '100000', label: '100,000 unique users per 24 hours' },
] as const;

/** "used 247 of 250 in the last 24 h": an account's usage of its daily messaging limit. */
export function messagingLimitUsage(limit: MessagingLimit): string {
  return `used ${limit.usedLast24h.toLocaleString('en')} of ${limit.limit.toLocaleString('en')} in the last 24 h`;
}

export const DEFAULT_RATE_PER_SECOND = 80;
export const MAX_RATE_PER_SECOND = 10_000;

export const GUPSHUP_FIELDS: readonly CredentialField[] = [
  { key: 'notificationUserId', label: 'Notification account user ID', secret: false, kind: 'text', hint: 'The HSM account: sends templates and opt-ins.' },
  { key: 'notificationPassword', label: 'Notification account password', secret: true, kind: 'text', clearable: 'selfserve' },
  { key: 'twoWayUserId', label: 'Two-way account user ID', secret: false, kind: 'text', hint: 'Sends session messages: inbox replies and auto-replies.' },
  { key: 'twoWayPassword', label: 'Two-way account password', secret: true, kind: 'text', clearable: 'selfserve' },
  { key: 'appName', label: 'App name', secret: false, kind: 'text' },
  {
    key: 'mobileNumber',
    label: 'Mobile Number',
    secret: false,
    kind: 'tel',
    hint: 'Your Gupshup WhatsApp number with country code (+919876543210), or a 3–8 digit shortcode.',
  },
  { key: 'facebookUrl', label: 'Facebook URL', secret: false, kind: 'url', placeholder: 'https://www.facebook.com/…' },
  { key: 'apiKey', label: 'API key', secret: true, kind: 'text', onlyInMode: 'selfserve', hint: 'The API key of your Gupshup self-serve app.' },
];

export const NEXMO_FIELDS: readonly CredentialField[] = [
  { key: 'applicationId', label: 'Application ID', secret: false, kind: 'text', hint: 'From your Vonage application.' },
  {
    key: 'privateKey',
    label: 'Private key',
    secret: true,
    kind: 'textarea',
    hint: 'The PEM private key of the Vonage application (-----BEGIN PRIVATE KEY----- …).',
    // Not needed with an API key and secret instead (clear the Application ID with it).
    clearable: true,
  },
  { key: 'apiKey', label: 'API key', secret: false, kind: 'text' },
  { key: 'apiSecret', label: 'API secret', secret: true, kind: 'text', clearable: true },
  { key: 'signatureSecret', label: 'Signature secret', secret: true, kind: 'text', clearable: true, hint: 'Verifies the signed webhooks Vonage sends to the callback URLs.' },
  { key: 'whatsappNumber', label: 'WhatsApp number', secret: false, kind: 'tel', hint: 'Your WhatsApp Business number with country code, e.g. +14155551234.' },
];

/** The credential fields shown for a type (and Gupshup mode), in form order. */
export function credentialFields(type: ProviderType, mode: GupshupMode): readonly CredentialField[] {
  if (type === 'nexmo') return NEXMO_FIELDS;
  return GUPSHUP_FIELDS.filter((field) => !field.onlyInMode || field.onlyInMode === mode);
}

/** Whether the form offers to remove this field's stored secret in the given Gupshup mode. */
export function canClear(field: CredentialField, mode: GupshupMode): boolean {
  return field.secret && (field.clearable === true || field.clearable === mode);
}

/**
 * The mask of the self-serve API key a save of these values removes, or null: a saved Gupshup
 * account in Enterprise mode (switched to it, or saved so before) keeps no API key — the server
 * drops it, and the field is hidden in that mode — so the form says so before the save.
 */
export function apiKeyRemovedBySave(values: ProviderFormValues, account: ProviderAccount | undefined): string | null {
  if (!account || account.type !== 'gupshup' || values.type !== 'gupshup' || values.gupshupMode !== 'enterprise') return null;
  const stored = account.credentials.apiKey;
  return isMasked(stored) ? stored! : null;
}

export function providerTypeLabel(type: ProviderType): string {
  return type === 'gupshup' ? 'Gupshup' : 'Nexmo';
}

/** Whether a returned credential value is a masked secret (`••••1234`). */
export function isMasked(value: string | undefined): boolean {
  return typeof value === 'string' && value.startsWith('•');
}

export interface ProviderFormValues {
  type: ProviderType;
  nickname: string;
  gupshupMode: GupshupMode;
  /** Typed text; for stored secrets '' means "keep the stored value". */
  credentials: Record<string, string>;
  /** Secret keys whose stored value the user chose to replace (edit only). */
  replacing: Record<string, boolean>;
  /** Secret keys whose stored value the user chose to remove (edit only): sent as null. */
  clearing: Record<string, boolean>;
  ratePerSecond: string;
  /** A value of DAILY_LIMIT_OPTIONS: '' for unlimited / not set. */
  dailyRecipientLimit: string;
  isDefault: boolean;
  autoReplyEnabled: boolean;
  autoReplyText: string;
}

export function emptyProviderValues(type: ProviderType, options: { isFirstAccount?: boolean } = {}): ProviderFormValues {
  return {
    type,
    nickname: '',
    gupshupMode: 'enterprise',
    credentials: {},
    replacing: {},
    clearing: {},
    ratePerSecond: String(DEFAULT_RATE_PER_SECOND),
    dailyRecipientLimit: '',
    // The first account of a project is the one campaigns will use: make it the default.
    isDefault: options.isFirstAccount ?? false,
    autoReplyEnabled: false,
    autoReplyText: '',
  };
}

/** Form values for editing a saved account: non-secret values prefilled, secrets left empty. */
export function providerValuesFrom(account: ProviderAccount): ProviderFormValues {
  const mode: GupshupMode = account.credentials.mode === 'selfserve' ? 'selfserve' : 'enterprise';
  const credentials: Record<string, string> = {};
  for (const field of credentialFields(account.type, 'selfserve')) {
    const value = account.credentials[field.key];
    if (!field.secret && typeof value === 'string' && !isMasked(value)) credentials[field.key] = value;
  }
  return {
    type: account.type,
    nickname: account.nickname,
    gupshupMode: mode,
    credentials,
    replacing: {},
    clearing: {},
    ratePerSecond: String(account.ratePerSecond),
    dailyRecipientLimit: account.dailyRecipientLimit === null ? '' : String(account.dailyRecipientLimit),
    isDefault: account.isDefault,
    autoReplyEnabled: account.autoReply.enabled,
    autoReplyText: account.autoReply.text,
  };
}

/** Problems the browser can see before asking the server, keyed by the server's field paths. */
export function providerFormProblems(values: ProviderFormValues): Record<string, string> {
  const problems: Record<string, string> = {};
  if (values.nickname.trim() === '') problems.nickname = 'is required: a name to recognise this account, e.g. “Gupshup promo”';
  const rate = values.ratePerSecond.trim();
  if (rate !== '' && !(/^\d+$/.test(rate) && Number(rate) >= 1 && Number(rate) <= MAX_RATE_PER_SECOND)) {
    problems.ratePerSecond = `must be a whole number from 1 to ${MAX_RATE_PER_SECOND.toLocaleString('en')}`;
  }
  if (values.autoReplyEnabled && values.autoReplyText.trim() === '') {
    problems['autoReply.text'] = 'is required when auto reply is on: the text sent to users not tracked';
  }
  return problems;
}

function typedCredentials(values: ProviderFormValues, account: ProviderAccount | null): Record<string, string> {
  const credentials: Record<string, string> = {};
  for (const field of credentialFields(values.type, values.gupshupMode)) {
    const raw = values.credentials[field.key] ?? '';
    // Secrets are sent exactly as typed (a password may start or end with a space); the rest trimmed.
    const value = field.secret ? raw : raw.trim();
    if (value === '') continue;
    const stored = account?.credentials[field.key];
    if (field.secret && isMasked(stored) && !values.replacing[field.key]) continue;
    credentials[field.key] = value;
  }
  if (values.type === 'gupshup') credentials.mode = values.gupshupMode;
  return credentials;
}

function autoReplyOf(values: ProviderFormValues): AutoReply {
  return { enabled: values.autoReplyEnabled, text: values.autoReplyText.trim() };
}

function dailyLimitOf(values: ProviderFormValues): DailyRecipientLimit | null {
  return values.dailyRecipientLimit === '' ? null : (Number(values.dailyRecipientLimit) as DailyRecipientLimit);
}

function rateOf(values: ProviderFormValues): number | undefined {
  const rate = values.ratePerSecond.trim();
  return rate === '' ? undefined : Number(rate);
}

/** The body of `POST /api/v1/providers`. Empty fields are left out, so the server names every missing one. */
export function toCreateBody(values: ProviderFormValues, callbackToken: string | undefined): ProviderInput {
  const body: ProviderInput = {
    type: values.type,
    nickname: values.nickname.trim(),
    isDefault: values.isDefault,
    autoReply: autoReplyOf(values),
    credentials: typedCredentials(values, null),
  };
  const limit = dailyLimitOf(values);
  if (limit !== null) body.dailyRecipientLimit = limit;
  const rate = rateOf(values);
  if (rate !== undefined) body.ratePerSecond = rate;
  if (callbackToken) body.callbackToken = callbackToken;
  return body;
}

/**
 * The body of `PATCH /api/v1/providers/:id`. Stored secrets are only sent when the user chose to
 * replace them and typed a new value, or as null when the user chose to remove them; omitted
 * secrets are kept by the server. A non-secret field emptied by the user is sent empty, so the
 * server removes it (or says it is required) instead of keeping the old value unseen.
 */
export function toPatchBody(values: ProviderFormValues, account: ProviderAccount): ProviderPatch {
  const credentials: Record<string, string | null> = typedCredentials(values, account);
  for (const field of credentialFields(values.type, values.gupshupMode)) {
    const stored = account.credentials[field.key];
    if (field.secret) {
      if (values.clearing[field.key] && isMasked(stored) && canClear(field, values.gupshupMode)) credentials[field.key] = null;
    } else if ((values.credentials[field.key] ?? '').trim() === '' && typeof stored === 'string' && stored !== '') {
      credentials[field.key] = '';
    }
  }
  const patch: ProviderPatch = {
    nickname: values.nickname.trim(),
    isDefault: values.isDefault,
    autoReply: autoReplyOf(values),
    dailyRecipientLimit: dailyLimitOf(values),
    credentials,
  };
  const rate = rateOf(values);
  if (rate !== undefined) patch.ratePerSecond = rate;
  return patch;
}

/** Every field path the form can show an error next to (the rest go to the summary). */
/** The API path (as in the server's error details) of a form value other than the credentials. */
export function formValuePath(key: keyof ProviderFormValues): string {
  const paths: Partial<Record<keyof ProviderFormValues, string>> = { gupshupMode: 'credentials.mode', autoReplyEnabled: 'autoReply.enabled', autoReplyText: 'autoReply.text' };
  return paths[key] ?? key;
}

export function providerFormPaths(values: ProviderFormValues): string[] {
  return [
    'type',
    'nickname',
    'ratePerSecond',
    'dailyRecipientLimit',
    'isDefault',
    'autoReply.enabled',
    'autoReply.text',
    'credentials.mode',
    ...credentialFields(values.type, values.gupshupMode).map((field) => `credentials.${field.key}`),
  ];
}
