/**
 * Reads a GatewayAPI answer. The gateway answers HTTP 200 for successes and for logical errors alike;
 * the body says which (reference gupshup.md A6/A7):
 * - JSON   `{"response":{"id","phone","details","status":"success"|"error"}}`
 * - JSON   `{"data":{"response_messages":[{…same fields…}]}}` (multi-number requests)
 * - text   `success | 919876543210 | 4843671605020377110-242097152723471982`
 * - text   `error | 102 | Authentication failed…` and the SMS gateway's `error | <phone> | 105 | …`
 * We always ask for `format=json`, but parse text too: accounts configured for text, proxies and the
 * documented samples all exist.
 */
import { isRecord, tryParseJson } from '../provider-wire.js';

export type EnterpriseAnswer =
  | { status: 'success'; id: string; phone: string; details: string }
  | { status: 'error'; code: string; message: string }
  | { status: 'unreadable'; detail: string };

export function parseEnterpriseAnswer(body: string): EnterpriseAnswer {
  const text = body.trim();
  if (!text) return { status: 'unreadable', detail: 'empty response body' };
  if (text.startsWith('{') || text.startsWith('[')) {
    const json = tryParseJson(text);
    if (json === undefined) return { status: 'unreadable', detail: `response is not valid JSON: ${text.slice(0, 200)}` };
    return fromJson(json, text);
  }
  return fromText(text);
}

function fromJson(json: unknown, text: string): EnterpriseAnswer {
  let item: unknown = isRecord(json) ? json.response : undefined;
  if (item === undefined && isRecord(json) && isRecord(json.data) && Array.isArray(json.data.response_messages)) {
    item = json.data.response_messages[0];
  }
  if (Array.isArray(item)) item = item[0];
  if (!isRecord(item)) return { status: 'unreadable', detail: `no "response" object in ${text.slice(0, 200)}` };
  const status = stringField(item.status).toLowerCase();
  const id = stringField(item.id);
  const details = stringField(item.details);
  if (status === 'success') return { status: 'success', id, phone: stringField(item.phone), details };
  if (status === 'error' || status === 'failed' || status === 'failure') return { status: 'error', code: id, message: details || 'no details given' };
  return { status: 'unreadable', detail: `unexpected response.status ${JSON.stringify(item.status)} in ${text.slice(0, 200)}` };
}

function fromText(text: string): EnterpriseAnswer {
  const parts = text.split('|').map((part) => part.trim());
  const status = (parts[0] ?? '').toLowerCase();
  if (status === 'success') {
    if (parts.length < 3) return { status: 'unreadable', detail: `success line without a message id: ${text.slice(0, 200)}` };
    return { status: 'success', phone: parts[1] ?? '', id: parts.slice(2).join(' | '), details: '' };
  }
  if (status === 'error') {
    // `error | <code> | <message>`, or `error | <phone> | <code> | <message>` (SMS gateway).
    const codeIndex = parts.length >= 4 && /^\d{1,4}$/.test(parts[2] ?? '') && !/^\d{1,4}$/.test(parts[1] ?? '') ? 2 : 1;
    const code = parts[codeIndex] ?? '';
    return { status: 'error', code, message: parts.slice(codeIndex + 1).join(' | ') || 'no details given' };
  }
  return { status: 'unreadable', detail: `unrecognised response: ${text.slice(0, 200)}` };
}

function stringField(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number') return String(value);
  return '';
}
