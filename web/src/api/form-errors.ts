import { ApiError } from './client';

/** What a form shows after a failed request: messages next to fields, and one summary line. */
export interface FormErrors {
  /** Message per field path (`nickname`, `credentials.apiKey`). */
  fields: Record<string, string>;
  /** The message for the top of the form, or null when every problem sits next to a field. */
  summary: string | null;
}

export const noFormErrors: FormErrors = { fields: {}, summary: null };

/**
 * Splits a failed request into per-field messages (for paths the form renders) and a summary
 * (the server's message, plus any problem about a field the form does not show, so nothing
 * the server said is hidden).
 */
export function formErrorsOf(error: unknown, formPaths: readonly string[]): FormErrors {
  if (!(error instanceof ApiError)) {
    return { fields: {}, summary: error instanceof Error ? error.message : 'Something went wrong.' };
  }
  const problems = error.problems;
  if (problems.length === 0) return { fields: {}, summary: error.message };
  const known = new Set(formPaths);
  const fields: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const problem of problems) {
    if (known.has(problem.path)) {
      fields[problem.path] = fields[problem.path] ? `${fields[problem.path]}; ${problem.message}` : problem.message;
    } else {
      unplaced.push(problem.path ? `${problem.path}: ${problem.message}` : problem.message);
    }
  }
  const summary = unplaced.length > 0 ? unplaced.join('; ') : FIELDS_NEED_ATTENTION;
  return { fields, summary };
}

const FIELDS_NEED_ATTENTION = 'Some fields need attention: see the messages next to them.';

/**
 * The errors of a failed save minus what is about values edited since (paths in `edited`): the
 * user is fixing them, and the next save judges again. The "see the messages next to them" line
 * goes with the last of those messages; a message about no field (a conflict such as "already
 * exists") goes with the first edit.
 */
export function withoutEditedPaths(errors: FormErrors, edited: ReadonlySet<string>): FormErrors {
  if (edited.size === 0) return errors;
  const fields = Object.fromEntries(Object.entries(errors.fields).filter(([path]) => !edited.has(path)));
  const aboutNoField = Object.keys(errors.fields).length === 0;
  const summary = aboutNoField || (errors.summary === FIELDS_NEED_ATTENTION && Object.keys(fields).length === 0) ? null : errors.summary;
  return { fields, summary };
}
