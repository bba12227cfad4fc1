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
        const received = issue.input === null ? 'null' : Array.isArray(issue.input) ? 'array' : typeof issue.input;
        return `expected ${issue.expected}, got ${received}`;
      }
      if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
      return undefined;
    },
  });
}

configureZod();

/** A list response: `{"items":[…],"nextCursor":null|"…"}`. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** The error body every failing request gets. */
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
