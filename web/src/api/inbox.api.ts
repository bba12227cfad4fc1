import { apiRequest, type Page } from './client';
import type { Conversation, ConversationDetail, ConversationMessage, ReplyInput } from './inbox.types';

const base = '/api/v1/inbox';
const one = (phone: string) => `${base}/${encodeURIComponent(phone)}`;

export function listConversations(options: { phone?: string; cursor?: string | null } = {}): Promise<Page<Conversation>> {
  return apiRequest('GET', base, { query: { phone: options.phone, cursor: options.cursor } });
}

export function getConversation(phone: string, cursor?: string | null): Promise<ConversationDetail> {
  return apiRequest('GET', one(phone), { query: { cursor } });
}

/** A session text (409 `window_closed` outside the 24-hour window) or a template (any time). */
export function replyToConversation(phone: string, input: ReplyInput): Promise<ConversationMessage> {
  return apiRequest('POST', `${one(phone)}/reply`, { body: input });
}

export function markConversationRead(phone: string): Promise<Conversation> {
  return apiRequest('POST', `${one(phone)}/read`);
}

/** Server-sent events announcing changed conversations (`conversations`: `{phones}` or `{all: true}`). */
export function inboxEventsUrl(): string {
  return `${base}/events`;
}
