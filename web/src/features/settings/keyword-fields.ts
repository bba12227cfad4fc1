/**
 * The Keywords form's values and how they map to the API (`/api/v1/settings/keywords`). Keywords
 * are edited one per line: a keyword may hold spaces ("STOP PROMOTIONS") and commas, but never a
 * line break (the server reads any run of white space as one space), so lines lose nothing.
 */
import { ApiError } from '../../api/client';
import { formErrorsOf, type FormErrors } from '../../api/form-errors';
import type { KeywordSettings } from '../../api/types';

// The server's limits (src/webhooks/keywords.ts), shown in hints; the server enforces them.
export const MAX_KEYWORDS = 20;
export const MAX_KEYWORD_LENGTH = 50;
export const MAX_REPLY_LENGTH = 1000;

export const RULES = ['optOut', 'optIn'] as const;
export type RuleName = (typeof RULES)[number];

export interface RuleValues {
  /** One keyword per line. */
  keywords: string;
  reply: string;
}

export type KeywordFormValues = Record<RuleName, RuleValues>;

export const KEYWORD_FORM_PATHS = RULES.flatMap((rule) => [`${rule}.keywords`, `${rule}.reply`]);

export function keywordValuesFrom(settings: KeywordSettings): KeywordFormValues {
  return {
    optOut: { keywords: settings.optOut.keywords.join('\n'), reply: settings.optOut.reply },
    optIn: { keywords: settings.optIn.keywords.join('\n'), reply: settings.optIn.reply },
  };
}

/** The keywords of a textarea: one per non-blank line, trimmed. A stray empty line is not a keyword. */
export function parseKeywords(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export function toKeywordBody(values: KeywordFormValues): KeywordSettings {
  return {
    optOut: { keywords: parseKeywords(values.optOut.keywords), reply: values.optOut.reply },
    optIn: { keywords: parseKeywords(values.optIn.keywords), reply: values.optIn.reply },
  };
}

/** A keyword as the server stores it (src/webhooks/keywords.ts normaliseKeyword): trimmed, single spaces, capitals. */
function normaliseKeyword(keyword: string): string {
  return keyword.trim().replace(/\s+/g, ' ').toUpperCase();
}

// The server's default confirmations (src/webhooks/keywords.ts): while a reply is still the
// default text, the server names the other rule's first keyword in it instead of START / STOP.
const DEFAULT_REPLY: Record<RuleName, (undoKeyword: string | undefined) => string> = {
  optOut: (keyword) => (keyword ? `You have been unsubscribed. Reply ${keyword} to subscribe again.` : 'You have been unsubscribed.'),
  optIn: (keyword) => (keyword ? `You have been subscribed again. Reply ${keyword} to unsubscribe.` : 'You have been subscribed again.'),
};
const DEFAULT_UNDO_KEYWORD: Record<RuleName, string> = { optOut: 'START', optIn: 'STOP' };

export const OTHER_RULE: Record<RuleName, RuleName> = { optOut: 'optIn', optIn: 'optOut' };

/** The confirmation the server would send for a rule once these values are saved. */
export function confirmationSent(values: KeywordFormValues, rule: RuleName): string {
  const reply = values[rule].reply.trim();
  if (reply !== DEFAULT_REPLY[rule](DEFAULT_UNDO_KEYWORD[rule])) return reply;
  const [undoKeyword] = parseKeywords(values[OTHER_RULE[rule]].keywords).map(normaliseKeyword);
  return DEFAULT_REPLY[rule](undoKeyword);
}

/** What saving these values would store, as the server normalises it: duplicates dropped, replies trimmed. */
function storedForm(values: KeywordFormValues): string {
  return JSON.stringify(
    RULES.map((rule) => [[...new Set(parseKeywords(values[rule].keywords).map(normaliseKeyword))], values[rule].reply.trim()]),
  );
}

/**
 * Whether saving would change what is stored. Typing "stop" over "STOP" or adding a blank line
 * is not a change: the server would store the same, so leaving the page loses nothing.
 */
export function hasUnsavedChanges(values: KeywordFormValues, saved: KeywordFormValues): boolean {
  return storedForm(values) !== storedForm(saved);
}

function shortened(text: string): string {
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}

/**
 * Field messages of a failed save. The server names one keyword by its index
 * (`optOut.keywords.2`); the form has one field per list, so such a problem goes next to the
 * list and quotes the keyword it is about.
 */
export function keywordFormErrors(error: unknown, sent: KeywordSettings | undefined): FormErrors {
  if (!(error instanceof ApiError) || error.problems.length === 0) return formErrorsOf(error, KEYWORD_FORM_PATHS);
  const problems = error.problems.map((problem) => {
    const match = /^(optOut|optIn)\.keywords\.(\d+)$/.exec(problem.path);
    if (!match) return problem;
    const rule = match[1] as RuleName;
    const index = Number(match[2]);
    const keyword = sent?.[rule].keywords[index]?.trim();
    const which = keyword ? `“${shortened(keyword)}”` : `Keyword ${index + 1}`;
    return { path: `${rule}.keywords`, message: `${which} ${problem.message}` };
  });
  return formErrorsOf(new ApiError(error.status, error.code, error.message, problems), KEYWORD_FORM_PATHS);
}
