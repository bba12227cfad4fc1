/** What a message row carries to the provider (the `payload` JSON column). */
import { parseJson } from '../storage/json.js';

export type MessagePayload =
  | {
      type: 'template';
      templateId: string;
      /** Rendered values for {{1}}, {{2}}, … */
      params: string[];
      /** The template body with the values filled in. */
      body: string;
      mediaUrl?: string;
    }
  | { type: 'text'; text: string };

export function readPayload(value: unknown): MessagePayload | null {
  const payload = parseJson<MessagePayload | null>(value, null);
  if (!payload || typeof payload !== 'object') return null;
  if (payload.type === 'template' && Array.isArray(payload.params) && typeof payload.templateId === 'string') return payload;
  if (payload.type === 'text' && typeof payload.text === 'string') return payload;
  return null;
}
