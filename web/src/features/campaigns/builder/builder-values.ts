/**
 * The campaign builder's form state and its rules: turning it into the API's campaign input and
 * back, reading an uploaded identity list, and the checks the form makes before asking the server
 * (same field paths as the server's 422 answers, which stay the verdict).
 */
import type { Audience, Campaign, CampaignInput, FrequencyCap } from '../../../api/campaigns.types';
import type { ProviderAccount, Template } from '../../../api/types';

export type AudienceKind = 'all' | 'segment' | 'identities';
export type DndAction = 'delay' | 'discard';

export interface BuilderValues {
  name: string;
  providerId: string;
  conversionEvent: string;
  audienceKind: AudienceKind;
  segmentId: string;
  /** The uploaded or pasted list: one identity per line (or a CSV whose first column is the identity). */
  identitiesText: string;
  templateId: string;
  params: string[];
  mediaUrl: string;
  when: 'now' | 'later';
  /** `<input type="datetime-local">` value, in the browser's time zone. */
  sendAt: string;
  dndEnabled: boolean;
  dndFrom: string;
  dndTo: string;
  dndTimezone: string;
  dndAction: DndAction;
  cutoffEnabled: boolean;
  cutoffAt: string;
  /** Empty means the provider account's own rate. */
  ratePerSecond: string;
  frequencyCapEnabled: boolean;
  frequencyCapMessages: string;
  frequencyCapDays: string;
}

/** The server's bounds for a frequency cap (src/campaigns/frequency-cap.ts). */
export const FREQUENCY_CAP_LIMITS = { messages: { min: 1, max: 100 }, days: { min: 1, max: 90 } } as const;
export type FrequencyCapField = keyof typeof FREQUENCY_CAP_LIMITS;
/** The form value holding each field of the frequency cap. */
export const FREQUENCY_CAP_VALUES = { messages: 'frequencyCapMessages', days: 'frequencyCapDays' } as const satisfies Record<FrequencyCapField, keyof BuilderValues>;

export const PARAM_HINT = '{{ Profile.Name | default: "there" }}';

/** The browser's IANA time zone (DND hours default to it). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function emptyBuilderValues(providerId = ''): BuilderValues {
  return {
    name: '',
    providerId,
    conversionEvent: '',
    audienceKind: 'all',
    segmentId: '',
    identitiesText: '',
    templateId: '',
    params: [],
    mediaUrl: '',
    when: 'now',
    sendAt: '',
    dndEnabled: false,
    dndFrom: '21:00',
    dndTo: '09:00',
    dndTimezone: browserTimeZone(),
    dndAction: 'delay',
    cutoffEnabled: false,
    cutoffAt: '',
    ratePerSecond: '',
    frequencyCapEnabled: false,
    frequencyCapMessages: '1',
    frequencyCapDays: '7',
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Epoch ms → `YYYY-MM-DDTHH:mm` in the browser's time zone (what datetime-local inputs show). */
export function toLocalInput(ms: number | null): string {
  if (ms === null) return '';
  const date = new Date(ms);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value (browser time zone) → ISO 8601 UTC, or null when empty or not a date. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value.trim())) return null;
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export interface IdentityList {
  identities: string[];
  /** Lines repeating an identity already listed (they are sent once). */
  duplicates: number;
}

/**
 * Reads an identity list: one identity per line, or a CSV file whose first column is the identity
 * (a first line `identity` is taken as the header). Blank lines are ignored; repeats count once.
 */
export function parseIdentities(text: string): IdentityList {
  const seen = new Set<string>();
  let duplicates = 0;
  let first = true;
  for (const line of text.split(/\r?\n/)) {
    const cell = (line.split(/[,;\t]/)[0] ?? '').trim().replace(/^"(.*)"$/, '$1').trim();
    if (cell === '') continue;
    const header = first && /^(identity|objectid)$/i.test(cell);
    first = false;
    if (header) continue;
    if (seen.has(cell)) duplicates++;
    else seen.add(cell);
  }
  return { identities: [...seen], duplicates };
}

export function audienceOf(values: BuilderValues): Audience {
  if (values.audienceKind === 'segment') return { segmentId: values.segmentId };
  if (values.audienceKind === 'identities') return { identities: parseIdentities(values.identitiesText).identities };
  return { all: true };
}

/**
 * The frequency cap to estimate with: null while the cap is off or a field is not yet a whole
 * number within its bounds (the estimate then shows the reach alone; the field says what is wrong).
 */
export function frequencyCapOf(values: BuilderValues): FrequencyCap | null {
  if (!values.frequencyCapEnabled) return null;
  const cap = { messages: Number(values.frequencyCapMessages.trim()), days: Number(values.frequencyCapDays.trim()) };
  const valid = (['messages', 'days'] as const).every((field) => {
    const { min, max } = FREQUENCY_CAP_LIMITS[field];
    return values[FREQUENCY_CAP_VALUES[field]].trim() !== '' && Number.isInteger(cap[field]) && cap[field] >= min && cap[field] <= max;
  });
  return valid ? cap : null;
}

/** The params list sized to the template's placeholders (extra values dropped, missing ones empty). */
export function sizedParams(params: readonly string[], count: number): string[] {
  return Array.from({ length: count }, (_, index) => params[index] ?? '');
}

export function toCampaignInput(values: BuilderValues, template: Template | undefined): CampaignInput {
  const rate = values.ratePerSecond.trim();
  return {
    name: values.name.trim(),
    providerId: values.providerId,
    templateId: values.templateId,
    audience: audienceOf(values),
    params: template ? sizedParams(values.params, template.placeholderCount) : values.params,
    mediaUrl: template && template.attachmentType !== 'none' ? values.mediaUrl.trim() || null : null,
    sendAt: values.when === 'later' ? (fromLocalInput(values.sendAt) ?? values.sendAt) : null,
    ratePerSecond: rate === '' ? null : asNumber(rate),
    dnd: values.dndEnabled ? { from: values.dndFrom, to: values.dndTo, timezone: values.dndTimezone.trim(), action: values.dndAction } : null,
    cutoffAt: values.cutoffEnabled ? (fromLocalInput(values.cutoffAt) ?? values.cutoffAt) : null,
    conversionEvent: values.conversionEvent.trim() || null,
    frequencyCap: values.frequencyCapEnabled ? { messages: asNumber(values.frequencyCapMessages), days: asNumber(values.frequencyCapDays) } : null,
  };
}

/** A typed number; not a number is passed on as typed, so the server names the problem next to the field. */
function asNumber(text: string): number {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : (trimmed as unknown as number);
}

export function valuesFromCampaign(campaign: Campaign): BuilderValues {
  const audience = campaign.audience;
  return {
    name: campaign.name,
    providerId: campaign.providerId,
    conversionEvent: campaign.conversionEvent ?? '',
    audienceKind: 'segmentId' in audience ? 'segment' : 'identities' in audience ? 'identities' : 'all',
    segmentId: 'segmentId' in audience ? audience.segmentId : '',
    identitiesText: 'identities' in audience ? audience.identities.join('\n') : '',
    templateId: campaign.templateId,
    params: [...campaign.params],
    mediaUrl: campaign.mediaUrl ?? '',
    when: campaign.sendAt !== null ? 'later' : 'now',
    sendAt: toLocalInput(campaign.sendAt),
    dndEnabled: campaign.dnd !== null,
    dndFrom: campaign.dnd?.from ?? '21:00',
    dndTo: campaign.dnd?.to ?? '09:00',
    dndTimezone: campaign.dnd?.timezone ?? browserTimeZone(),
    dndAction: campaign.dnd?.action ?? 'delay',
    cutoffEnabled: campaign.cutoffAt !== null,
    cutoffAt: toLocalInput(campaign.cutoffAt),
    ratePerSecond: campaign.ratePerSecond === null ? '' : String(campaign.ratePerSecond),
    frequencyCapEnabled: campaign.frequencyCap !== null,
    frequencyCapMessages: String(campaign.frequencyCap?.messages ?? 1),
    frequencyCapDays: String(campaign.frequencyCap?.days ?? 7),
  };
}

/** Every field path the builder shows next to a control (server problems on other paths go to the summary). */
export function builderPaths(placeholderCount: number): string[] {
  return [
    'name',
    'providerId',
    'conversionEvent',
    'audience',
    'audience.segmentId',
    'audience.identities',
    'audience.all',
    'templateId',
    'params',
    ...Array.from({ length: placeholderCount }, (_, index) => `params.${index}`),
    'mediaUrl',
    'sendAt',
    'dnd',
    'dnd.from',
    'dnd.to',
    'dnd.timezone',
    'dnd.action',
    'cutoffAt',
    'ratePerSecond',
    'frequencyCap',
    'frequencyCap.messages',
    'frequencyCap.days',
  ];
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * What is plainly wrong before asking the server, by field path. The server checks a draft as
 * fully as a campaign to publish, so one set of rules serves both buttons.
 */
export function builderProblems(
  values: BuilderValues,
  context: { template: Template | undefined; provider: ProviderAccount | undefined; now: number },
): Record<string, string> {
  const problems: Record<string, string> = {};
  if (values.name.trim() === '') problems.name = 'is required';
  if (values.providerId === '') problems.providerId = 'is required: choose the provider account to send through';
  if (values.audienceKind === 'segment' && values.segmentId === '') problems['audience.segmentId'] = 'is required: choose a segment';
  if (values.audienceKind === 'identities' && parseIdentities(values.identitiesText).identities.length === 0) {
    problems['audience.identities'] = 'must list at least one identity: upload a file or paste one identity per line';
  }
  const { template, provider } = context;
  if (values.templateId === '') problems.templateId = 'is required: choose a template';
  if (template) {
    sizedParams(values.params, template.placeholderCount).forEach((param, index) => {
      if (param.trim() === '') problems[`params.${index}`] = `is required: the value for {{${index + 1}}}, e.g. ${PARAM_HINT}`;
    });
    if (template.attachmentType !== 'none' && values.mediaUrl.trim() === '') problems.mediaUrl = `is required: the template has ${/^[aeiou]/.test(template.attachmentType) ? 'an' : 'a'} ${template.attachmentType} attachment`;
  }
  let sendAt: number | null = null;
  if (values.when === 'later') {
    const iso = fromLocalInput(values.sendAt);
    if (!iso) problems.sendAt = 'is required: pick the date and time to send';
    else {
      sendAt = Date.parse(iso);
      if (sendAt <= context.now) problems.sendAt = 'must be in the future (or choose Now)';
    }
  }
  if (values.dndEnabled) {
    if (!TIME.test(values.dndFrom)) problems['dnd.from'] = 'must be a time HH:MM (24-hour), e.g. 21:00';
    if (!TIME.test(values.dndTo)) problems['dnd.to'] = 'must be a time HH:MM (24-hour), e.g. 09:00';
    // Named by the label the user sees beside it ("DND from"), not the API path dnd.from.
    else if (values.dndFrom === values.dndTo) problems['dnd.to'] = `must differ from DND from: ${values.dndFrom} to ${values.dndTo} is no window at all (turn DND hours off to send at any time)`;
    if (values.dndTimezone.trim() === '' || !isTimeZone(values.dndTimezone.trim())) problems['dnd.timezone'] = 'must be an IANA timezone such as Asia/Kolkata or Europe/Berlin';
  }
  if (values.cutoffEnabled) {
    const iso = fromLocalInput(values.cutoffAt);
    if (!iso) problems.cutoffAt = 'is required: pick the date and time after which nothing is sent';
    else if (Date.parse(iso) <= (sendAt ?? context.now)) problems.cutoffAt = 'must be after the send time';
  }
  const rate = values.ratePerSecond.trim();
  if (rate !== '') {
    const number = Number(rate);
    if (!Number.isInteger(number) || number < 1) problems.ratePerSecond = 'must be a whole number of at least 1';
    else if (provider && number > provider.ratePerSecond) problems.ratePerSecond = `must be at most ${provider.ratePerSecond}, the provider account's limit`;
  }
  if (values.frequencyCapEnabled) {
    for (const field of ['messages', 'days'] as const) {
      const number = Number(values[FREQUENCY_CAP_VALUES[field]].trim());
      const { min, max } = FREQUENCY_CAP_LIMITS[field];
      if (!Number.isInteger(number) || number < min || number > max) problems[`frequencyCap.${field}`] = `must be a whole number from ${min} to ${max}`;
    }
  }
  return problems;
}

/** The first segment of the server paths each form value answers for (`dndTimezone` → `dnd`). */
export const VALUE_PATH_ROOTS: Record<keyof BuilderValues, string> = {
  name: 'name',
  providerId: 'providerId',
  conversionEvent: 'conversionEvent',
  audienceKind: 'audience',
  segmentId: 'audience',
  identitiesText: 'audience',
  templateId: 'templateId',
  params: 'params',
  mediaUrl: 'mediaUrl',
  when: 'sendAt',
  sendAt: 'sendAt',
  dndEnabled: 'dnd',
  dndFrom: 'dnd',
  dndTo: 'dnd',
  dndTimezone: 'dnd',
  dndAction: 'dnd',
  cutoffEnabled: 'cutoffAt',
  cutoffAt: 'cutoffAt',
  ratePerSecond: 'ratePerSecond',
  frequencyCapEnabled: 'frequencyCap',
  frequencyCapMessages: 'frequencyCap',
  frequencyCapDays: 'frequencyCap',
};

/** Server field messages minus those about values changed since (the user is fixing them; the next save judges again). */
export function withoutEdited(fields: Record<string, string>, edited: ReadonlySet<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([path]) => !edited.has(path.split('.')[0] ?? path)));
}
