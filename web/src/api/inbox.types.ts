/**
 * Shapes of the Inbox API (two-way conversations). The server side is built on the webhooks
 * branch; these follow its contract: conversations newest first, messages in order, replies as
 * session text inside the 24-hour window or as a template outside it.
 */

export interface ConversationProfile {
  identity: string;
  name: string | null;
}

export interface CampaignRef {
  id: string;
  name: string;
}

export interface Conversation {
  /** E.164, e.g. +14155551234. */
  phone: string;
  /** The tracked profile with this phone, or null for an unknown sender. */
  profile: ConversationProfile | null;
  lastText: string | null;
  /** Epoch ms of the last message either way. */
  lastAt: number | null;
  unread: number;
  /** The campaign the last inbound message answers, if any. */
  campaign: CampaignRef | null;
  /** True while the 24-hour customer-service window is open: a free-text reply is allowed. */
  windowOpen: boolean;
}

export interface ConversationMessage {
  id: string;
  direction: 'inbound' | 'outbound';
  /** The text (inbound text, session reply, or the rendered template). */
  text: string | null;
  /** inbound message type: text, image, button… */
  type?: string | null;
  /** Outbound delivery status: queued, sending, sent, delivered, read, failed, unknown, cancelled. */
  status?: string | null;
  /** Outbound kind: campaign, test, reply, auto_reply, keyword_reply. */
  kind?: string | null;
  campaign: CampaignRef | null;
  errorDetail?: string | null;
  at: number;
}

export interface ConversationDetail {
  conversation: Conversation;
  messages: ConversationMessage[];
}

export type ReplyInput = { text: string } | { templateId: string; params: string[] };
