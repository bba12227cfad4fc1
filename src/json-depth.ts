/**
 * How deeply JSON text nests objects and arrays, read from the text before it is parsed.
 *
 * Why: JSON.parse takes any depth, but code after it is recursive — schema validation, JSON.stringify
 * when a value is stored or echoed in an error — and overflows the stack at a few thousand levels,
 * which turned such a body into a 500 (API) or a callback acknowledged and then never applied. No
 * real request or provider callback nests more than a handful of levels.
 */

/** Nesting that every body and callback may use; far beyond any real one (segment filters: 6 groups). */
export const MAX_JSON_NESTING = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** Whether `text` nests objects and arrays more than `limit` levels deep (brackets inside strings do not count). */
export function jsonNestingExceeds(text: string, limit = MAX_JSON_NESTING): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** The refusal's wording, shared by the API and the callback endpoints. */
export const TOO_DEEP = `nests objects and lists more than ${MAX_JSON_NESTING} levels deep`;
