import { apiRequest, type Page } from './client';
import type { Conversation, ConversationDetail, ReplyInput } from './inbox.types';

const base = '/api/v1/inbox';
const one = (phone: string) => `${base}/${encodeURIComponent(phone)}`;

export function listConversations(cursor?: string | null): Promise<Page<Conversation>> {
  return apiRequest('GET', base, { query: { cursor } });
}

export function getConversation(phone: string): Promise<ConversationDetail> {
  return apiRequest('GET', one(phone));
}

/** A session text (409 `window_closed` outside the 24-hour window) or a template. */
export function replyToConversation(phone: string, input: ReplyInput): Promise<unknown> {
  return apiRequest('POST', `${one(phone)}/reply`, { body: input });
}

export function markConversationRead(phone: string): Promise<unknown> {
  return apiRequest('POST', `${one(phone)}/read`);
}
