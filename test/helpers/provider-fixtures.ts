/**
 * Loads a recorded provider callback from src/providers/fixtures/ as the RawCallback a callback
 * route would build (see the fixtures README for the file-name conventions).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RawCallback } from '../../src/providers/provider.js';

const FIXTURES = fileURLToPath(new URL('../../src/providers/fixtures/', import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}

export function loadCallbackFixture(name: string, headers: Record<string, string> = {}): RawCallback {
  const text = fixtureText(name);
  if (name.endsWith('.query.json')) {
    return { method: 'GET', contentType: null, body: '', query: JSON.parse(text) as Record<string, string>, headers };
  }
  if (name.endsWith('.form.txt')) {
    return { method: 'POST', contentType: 'application/x-www-form-urlencoded', body: text.trimEnd(), query: {}, headers };
  }
  return { method: 'POST', contentType: 'application/json', body: text, query: {}, headers };
}
