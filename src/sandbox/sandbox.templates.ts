/**
 * Template bodies with positional placeholders `{{1}}`, `{{2}}`, …: counting them, and matching a
 * rendered text against a body the way Gupshup Enterprise matches an HSM `msg` against the
 * approved templates (the placeholders replaced by non-empty values).
 */
import type { TemplateDefinition } from './sandbox.types.js';

const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;

/** A template split once, at registration, into the literal text between its placeholders. */
export interface CompiledTemplate {
  definition: TemplateDefinition;
  /** literals.length === placeholders + 1; literal i comes before placeholder i+1. */
  literals: string[];
  /** Placeholder numbers in order of occurrence. */
  order: number[];
  /** Distinct placeholder count (`{{1}}` twice counts once). */
  parameterCount: number;
  /** The definition's name split at its last colon (shared by every message that uses it). */
  name: string;
  namespace?: string;
}

export function compileTemplate(definition: TemplateDefinition): CompiledTemplate {
  const literals: string[] = [];
  const order: number[] = [];
  let last = 0;
  for (const match of definition.body.matchAll(PLACEHOLDER)) {
    literals.push(definition.body.slice(last, match.index));
    order.push(Number(match[1]));
    last = match.index + match[0].length;
  }
  literals.push(definition.body.slice(last));
  return { definition, literals, order, parameterCount: new Set(order).size, ...splitNamespace(definition.name) };
}

/**
 * The placeholder values if `rendered` is `template` with every placeholder replaced by a non-empty
 * value, else null. Literals are placed leftmost-first, which decides a pattern made of literals
 * and non-empty wildcards correctly in linear passes (no regex backtracking on 1,024-character
 * bodies). A placeholder used twice must get the same value twice.
 */
export function matchTemplate(template: CompiledTemplate, rendered: string): string[] | null {
  const { literals, order } = template;
  const first = literals[0]!;
  if (!rendered.startsWith(first)) return null;
  if (order.length === 0) return rendered === first ? [] : null;
  const lastLiteral = literals[literals.length - 1]!;
  const end = rendered.length - lastLiteral.length;
  if (end < first.length || !rendered.endsWith(lastLiteral)) return null;
  const values: string[] = [];
  let position = first.length;
  for (let i = 1; i < literals.length - 1; i++) {
    const literal = literals[i]!;
    // The value before this literal is non-empty, so the literal starts at position + 1 or later.
    const found = literal === '' ? position + 1 : rendered.indexOf(literal, position + 1);
    if (found < 0 || found + literal.length > end) return null;
    values.push(rendered.slice(position, found));
    position = found + literal.length;
  }
  if (end - position < 1) return null;
  values.push(rendered.slice(position, end));
  const byNumber = new Map<number, string>();
  for (let i = 0; i < order.length; i++) {
    const previous = byNumber.get(order[i]!);
    if (previous !== undefined && previous !== values[i]) return null;
    byNumber.set(order[i]!, values[i]!);
  }
  return [...byNumber.entries()].sort((a, b) => a[0] - b[0]).map(([, value]) => value);
}

/** Splits `namespace:name` at the last colon; a name without a colon has no namespace. */
export function splitNamespace(full: string): { namespace?: string; name: string } {
  const colon = full.lastIndexOf(':');
  return colon < 0 ? { name: full } : { namespace: full.slice(0, colon), name: full.slice(colon + 1) };
}
