/**
 * Zod set-up shared by every route: messages that say what is wrong in plain words
 * ("is required", "expected a number") instead of zod's internal phrasing.
 */
import { z } from 'zod';

let configured = false;

export function configureZod(): void {
  if (configured) return;
  configured = true;
  z.config({
    customError: (issue) => {
      if (issue.code === 'invalid_type') {
        if (issue.input === undefined) return 'is required';
        // A query parameter coerced to a number arrives as NaN ("limit=abc"): say what was wanted.
        if (typeof issue.input === 'number' && Number.isNaN(issue.input)) return `expected ${issue.expected}, got something that is not a number`;
        const received = issue.input === null ? 'null' : Array.isArray(issue.input) ? 'array' : typeof issue.input;
        return `expected ${issue.expected}, got ${received}`;
      }
      if (issue.code === 'unrecognized_keys') {
        const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
        const allowed = shape ? ` (allowed: ${Object.keys(shape).join(', ')})` : '';
        return `unknown field(s): ${issue.keys.join(', ')}${allowed}`;
      }
      if (issue.code === 'invalid_value' && issue.values.length > 0) {
        const values = issue.values.map((value) => JSON.stringify(value));
        return values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(', ')}`;
      }
      return undefined;
    },
  });
}

configureZod();

/** A list response: `{"items":[…],"nextCursor":null|"…"}`. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/**
 * The `cursor` query parameter of a list. Services check it (`src/cursors.ts`): a value the list
 * did not return is a 422 on `cursor`, never the first page again.
 */
export const cursorParam = z
  .string()
  .optional()
  .describe('The nextCursor of the previous page, unchanged; leave out for the first page. Any other value is refused (422).');

/** The error body every failing request gets. */
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
