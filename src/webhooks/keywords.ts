/**
 * Opt-out and opt-in keywords (PRODUCT §1.5): an inbound text equal to a keyword — compared
 * case-insensitively, trimmed, runs of spaces counted as one — sets or lifts the phone-level DND
 * and is answered with a confirmation. Per project, stored under `keywords` in projects.settings.
 */
import type { Db } from '../storage/db.js';
import { validationFailed, type FieldProblem } from '../errors.js';
import { getProjectSettings, updateProjectSettings } from '../projects/projects.service.js';

export interface KeywordRule {
  /** Normalised (upper case, single spaces). An empty list turns the rule off. */
  keywords: string[];
  /** Confirmation sent after a change; '' sends none. */
  reply: string;
}

export interface KeywordSettings {
  optOut: KeywordRule;
  optIn: KeywordRule;
}

export type KeywordSettingsPatch = {
  [K in keyof KeywordSettings]?: { keywords?: string[] | undefined; reply?: string | undefined } | undefined;
};

/**
 * The default confirmations, naming the keyword that undoes the change; with the other rule off
 * (no keywords) they offer none rather than a keyword that would do nothing.
 */
const DEFAULT_REPLY: Record<keyof KeywordSettings, (undoKeyword: string | undefined) => string> = {
  optOut: (keyword) => (keyword ? `You have been unsubscribed. Reply ${keyword} to subscribe again.` : 'You have been unsubscribed.'),
  optIn: (keyword) => (keyword ? `You have been subscribed again. Reply ${keyword} to unsubscribe.` : 'You have been subscribed again.'),
};

export const DEFAULT_KEYWORD_SETTINGS: KeywordSettings = {
  optOut: { keywords: ['STOP', 'UNSUBSCRIBE', 'STOP PROMOTIONS'], reply: DEFAULT_REPLY.optOut('START') },
  optIn: { keywords: ['START', 'SUBSCRIBE'], reply: DEFAULT_REPLY.optIn('STOP') },
};

export const MAX_KEYWORDS = 20;
export const MAX_KEYWORD_LENGTH = 50;
export const MAX_REPLY_LENGTH = 1000;

export function normaliseKeyword(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toUpperCase();
}

export type KeywordMatch = 'opt_out' | 'opt_in';

/** Which rule an inbound text triggers, if any. */
export function matchKeyword(settings: KeywordSettings, text: string | null): KeywordMatch | null {
  if (!text || text.length > MAX_KEYWORD_LENGTH * 2) return null;
  const normalised = normaliseKeyword(text);
  if (settings.optOut.keywords.includes(normalised)) return 'opt_out';
  if (settings.optIn.keywords.includes(normalised)) return 'opt_in';
  return null;
}

/**
 * The confirmation sent for a rule. A reply still equal to the default text (never customised:
 * the dashboard saves both texts on every save, unchanged) names the project's first keyword of
 * the other rule, so a project that opts in with ALTA does not tell people to reply START. A
 * reply the project wrote is sent as written.
 */
export function confirmationText(settings: KeywordSettings, rule: keyof KeywordSettings): string {
  const reply = settings[rule].reply;
  if (reply !== DEFAULT_KEYWORD_SETTINGS[rule].reply) return reply;
  const other = rule === 'optOut' ? settings.optIn : settings.optOut;
  return DEFAULT_REPLY[rule](other.keywords[0]);
}

function readRule(value: unknown, fallback: KeywordRule): KeywordRule {
  if (!value || typeof value !== 'object') return fallback;
  const rule = value as Partial<KeywordRule>;
  return {
    keywords: Array.isArray(rule.keywords) ? rule.keywords.filter((keyword): keyword is string => typeof keyword === 'string') : fallback.keywords,
    reply: typeof rule.reply === 'string' ? rule.reply : fallback.reply,
  };
}

export async function getKeywordSettings(db: Db, projectId: string): Promise<KeywordSettings> {
  const settings = await getProjectSettings<{ keywords: unknown }>(db, projectId);
  const stored = (settings.keywords ?? {}) as Partial<Record<keyof KeywordSettings, unknown>>;
  return { optOut: readRule(stored.optOut, DEFAULT_KEYWORD_SETTINGS.optOut), optIn: readRule(stored.optIn, DEFAULT_KEYWORD_SETTINGS.optIn) };
}

/**
 * The list a keyword in both rules is reported on: the one whose keywords this change alters.
 * The dashboard sends both lists on every save, so "was it sent" alone would always blame opt-in,
 * even when the user has just typed START into opt-out.
 */
function clashingList(patch: KeywordSettingsPatch, current: KeywordSettings, next: KeywordSettings): keyof KeywordSettings {
  const changed = (name: keyof KeywordSettings) =>
    patch[name]?.keywords !== undefined && next[name].keywords.join('\n') !== current[name].keywords.map(normaliseKeyword).join('\n');
  if (changed('optOut') && !changed('optIn')) return 'optOut';
  if (changed('optIn') && !changed('optOut')) return 'optIn';
  return patch.optIn?.keywords !== undefined ? 'optIn' : 'optOut';
}

/** Applies a partial change; every problem is reported at once (422) and nothing is stored then. */
export async function updateKeywordSettings(db: Db, projectId: string, patch: KeywordSettingsPatch): Promise<KeywordSettings> {
  const current = await getKeywordSettings(db, projectId);
  const next: KeywordSettings = { optOut: { ...current.optOut }, optIn: { ...current.optIn } };
  const problems: FieldProblem[] = [];
  for (const name of ['optOut', 'optIn'] as const) {
    const change = patch[name];
    if (!change) continue;
    if (change.keywords !== undefined && change.keywords.length > MAX_KEYWORDS) {
      // One problem for the list, not one per item of a list that may be thousands long.
      problems.push({ path: `${name}.keywords`, message: `must hold at most ${MAX_KEYWORDS} keywords, got ${change.keywords.length}` });
    } else if (change.keywords !== undefined) {
      const seen = new Set<string>();
      change.keywords.forEach((keyword, index) => {
        const normalised = normaliseKeyword(keyword);
        if (!normalised) problems.push({ path: `${name}.keywords.${index}`, message: 'must not be empty' });
        else if (normalised.length > MAX_KEYWORD_LENGTH) problems.push({ path: `${name}.keywords.${index}`, message: `must be at most ${MAX_KEYWORD_LENGTH} characters` });
        else seen.add(normalised);
      });
      next[name].keywords = [...seen];
    }
    if (change.reply !== undefined) {
      // The stored text is checked: a textarea's trailing newline must not push it over the limit.
      const reply = change.reply.trim();
      if (reply.length > MAX_REPLY_LENGTH) problems.push({ path: `${name}.reply`, message: `must be at most ${MAX_REPLY_LENGTH} characters` });
      next[name].reply = reply;
    }
  }
  const both = next.optOut.keywords.filter((keyword) => next.optIn.keywords.includes(keyword));
  if (both.length > 0) {
    problems.push({ path: `${clashingList(patch, current, next)}.keywords`, message: `${both.map((keyword) => `"${keyword}"`).join(', ')} cannot both opt out and opt in` });
  }
  if (problems.length > 0) throw validationFailed(problems);
  await updateProjectSettings(db, projectId, { keywords: next });
  return next;
}
