import { apiRequest, type Page } from './client';
import type { Conversation, ConversationDetail, ConversationMessage, ReplyInput } from './inbox.types';

const base = '/api/v1/inbox';
const one = (phone: string) => `${base}/${encodeURIComponent(phone)}`;

/** Conversations that pass every filter given (`q`: a name or phone search). */
export function listConversations(
  options: { q?: string; unread?: 'true'; window?: 'open'; campaignId?: string; cursor?: string | null } = {},
): Promise<Page<Conversation>> {
  return apiRequest('GET', base, { query: { q: options.q, unread: options.unread, window: options.window, campaignId: options.campaignId, cursor: options.cursor } });
}

/** How many conversations have unread messages. */
export function inboxCounts(): Promise<{ unread: number }> {
  return apiRequest('GET', `${base}/counts`);
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

/** Leaves the conversation for later or a colleague: unread again. */
export function markConversationUnread(phone: string): Promise<Conversation> {
  return apiRequest('POST', `${one(phone)}/unread`);
}

/** Server-sent events announcing changed conversations (`conversations`: `{phones}` or `{all: true}`). */
export function inboxEventsUrl(): string {
  return `${base}/events`;
}
