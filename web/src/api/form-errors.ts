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
  const summary =
    unplaced.length > 0
      ? unplaced.join('; ')
      : 'Some fields need attention: see the messages next to them.';
  return { fields, summary };
}
