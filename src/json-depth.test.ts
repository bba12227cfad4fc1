import { describe, expect, it } from 'vitest';
import { jsonNestingExceeds, MAX_JSON_NESTING } from './json-depth.js';

const nested = (levels: number, open = '[', close = ']') => `${open.repeat(levels)}${close.repeat(levels)}`;

describe('JSON nesting', () => {
  it('counts objects and arrays together, up to the limit and one past it', () => {
    expect(jsonNestingExceeds(nested(MAX_JSON_NESTING))).toBe(false);
    expect(jsonNestingExceeds(nested(MAX_JSON_NESTING + 1))).toBe(true);
    expect(jsonNestingExceeds('{"a":[{"b":[1]}]}', 4)).toBe(false);
    expect(jsonNestingExceeds('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(jsonNestingExceeds(`{"a":${'['.repeat(100_000)}`)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(jsonNestingExceeds(`{"text":"${'['.repeat(1000)}"}`)).toBe(false);
    expect(jsonNestingExceeds(`{"text":"say \\"${'{'.repeat(1000)}\\" \\\\"}`)).toBe(false);
    // After an escaped backslash the quote ends the string: the brackets after it count.
    expect(jsonNestingExceeds(`["\\\\",${nested(MAX_JSON_NESTING)}]`)).toBe(true);
  });

  it('reads flat siblings as flat, however many', () => {
    expect(jsonNestingExceeds(`[${Array.from({ length: 10_000 }, () => '{"a":[1]}').join(',')}]`)).toBe(false);
  });
});
