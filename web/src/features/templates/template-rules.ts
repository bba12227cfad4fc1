/**
 * The template rules the server enforces, repeated here so the form can say what is wrong while
 * the user types. The server stays the judge: its answer is shown by field too.
 */
import type { AttachmentType, Template, TemplateInput } from '../../api/types';

/** `ACCOUNTNAME:template_name`: the Gupshup account in capitals, a colon, the template name on the provider. */
export const NAMESPACE_PATTERN = /^[A-Z0-9_]+:[a-z0-9_]+$/;
export const MAX_BODY_LENGTH = 1024;

export const ATTACHMENT_OPTIONS: ReadonlyArray<{ value: AttachmentType; label: string }> = [
  { value: 'none', label: 'None' },
  { value: 'image', label: 'Image' },
  { value: 'video', label: 'Video' },
  { value: 'document', label: 'Document' },
];

export function attachmentLabel(type: AttachmentType): string {
  return ATTACHMENT_OPTIONS.find((option) => option.value === type)?.label ?? type;
}

export interface PlaceholderSummary {
  /** Values a campaign must supply: the highest placeholder number (`{{3}}` → 3). */
  count: number;
  /** Distinct placeholder numbers in order of value. */
  numbers: number[];
  /** Numbers between 1 and `count` that do not appear (a gap usually means a typo). */
  missing: number[];
}

/**
 * Finds the positional placeholders `{{1}}`, `{{2}}`, … of a template message. Spaces inside the
 * braces (`{{ 1 }}`) are allowed, as the server counts and fills them: the form must announce the
 * count the server will save and every campaign will have to supply.
 */
export function placeholdersOf(body: string): PlaceholderSummary {
  const seen = new Set<number>();
  for (const match of body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)) seen.add(Number(match[1]));
  const numbers = [...seen].sort((a, b) => a - b);
  const count = numbers.length === 0 ? 0 : numbers[numbers.length - 1]!;
  const missing: number[] = [];
  for (let n = 1; n <= count; n++) if (!seen.has(n)) missing.push(n);
  return { count, numbers, missing };
}

export function namespaceProblem(namespace: string): string | null {
  const value = namespace.trim();
  if (value === '') return 'is required, e.g. ABC:welcome_message';
  if (!NAMESPACE_PATTERN.test(value)) {
    return 'must be the account name in capitals, a colon, then the template name in lower case (letters, digits and _ only), e.g. ABC:welcome_message';
  }
  return null;
}

/**
 * The namespace problem to show while the user is still typing: only characters that can never
 * become valid ("abc", a space, a second colon), so "ABC" or "ABC:" on the way to
 * "ABC:welcome" raise nothing.
 */
export function namespaceProblemWhileTyping(namespace: string): string | null {
  const value = namespace.trim();
  if (value === '' || /^[A-Z0-9_]*(:[a-z0-9_]*)?$/.test(value)) return null;
  return namespaceProblem(value);
}

/** Characters as the server counts them (code points): an emoji is one, though its `.length` is 2. */
export function characterCount(text: string): number {
  return Array.from(text).length;
}

export function bodyProblem(body: string): string | null {
  if (body.trim() === '') return 'is required: the approved template text, with {{1}}, {{2}}… where values go';
  const length = characterCount(body);
  if (length > MAX_BODY_LENGTH) return `is ${length} characters long; the most WhatsApp allows is ${MAX_BODY_LENGTH}`;
  return null;
}

export interface TemplateFormValues {
  providerId: string;
  namespace: string;
  body: string;
  attachmentType: AttachmentType;
  language: string;
}

export function emptyTemplateValues(providerId: string): TemplateFormValues {
  return { providerId, namespace: '', body: '', attachmentType: 'none', language: '' };
}

export function templateValuesFrom(template: Template): TemplateFormValues {
  return {
    providerId: template.providerId,
    namespace: template.namespace,
    body: template.body,
    attachmentType: template.attachmentType,
    language: template.language,
  };
}

/** Problems found before asking the server, keyed by the server's field paths. */
export function templateFormProblems(values: TemplateFormValues): Record<string, string> {
  const problems: Record<string, string> = {};
  if (values.providerId === '') problems.providerId = 'is required: choose the provider account this template is approved on';
  const namespace = namespaceProblem(values.namespace);
  if (namespace) problems.namespace = namespace;
  const body = bodyProblem(values.body);
  if (body) problems.body = body;
  return problems;
}

/** The API body; an empty language is left out so the server applies its default. */
export function toTemplateInput(values: TemplateFormValues): TemplateInput {
  const input: TemplateInput = {
    providerId: values.providerId,
    namespace: values.namespace.trim(),
    body: values.body,
    attachmentType: values.attachmentType,
  };
  const language = values.language.trim();
  if (language !== '') input.language = language;
  return input;
}

export const TEMPLATE_FORM_PATHS = ['providerId', 'namespace', 'body', 'attachmentType', 'language'] as const;
