/**
 * Text a database cannot store, anywhere in a parsed JSON body: the NUL character (PostgreSQL
 * refuses it in text and JSON) and half of a UTF-16 surrogate pair (not a character; JSON has an
 * escape for it, text columns do not). Checked once where JSON bodies are parsed, so a campaign
 * name, a template, a nickname or any later field answers a 422 naming it on both engines —
 * instead of a 500 on PostgreSQL and data stored on SQLite only.
 *
 * Routes that check such text themselves opt out with `config.checksTextItself`: the
 * CleverTap-compatible upload and subscribe calls refuse such a record alone and store the others,
 * and the segment routes name the filter part it is in (audience/segment-filter.ts).
 */
import type { FieldProblem } from '../errors.js';
import { textProblem } from '../audience/audience.limits.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route checks for text the database cannot store itself (see src/net/storable-text.ts). */
    checksTextItself?: boolean;
  }
}

const MAX_PROBLEMS = 20;

/** Every string (and object key) of `value` the database cannot store, with its dotted path; at most MAX_PROBLEMS. */
export function unstorableText(value: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (problems.length >= MAX_PROBLEMS) return;
    if (typeof node === 'string') {
      const problem = textProblem(node);
      if (problem) problems.push({ path: path.join('.') || 'body', message: problem });
    } else if (Array.isArray(node)) {
      node.forEach((item, index) => walk(item, [...path, String(index)]));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        const keyProblem = textProblem(key);
        if (keyProblem) problems.push({ path: [...path, key.replace(/[\u0000\p{Surrogate}]/gu, '\uFFFD')].join('.'), message: `has a name that ${keyProblem}` });
        walk(item, [...path, key]);
      }
    }
  };
  walk(value, []);
  return problems;
}
