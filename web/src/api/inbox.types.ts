/** Shapes of the Inbox API (two-way conversations), mirroring src/inbox/inbox.routes.ts. Texts are plain text: rendered as text, never as HTML. */

export interface CampaignRef {
  id: string;
  name: string;
}

export interface Conversation {
  /** E.164, e.g. +14155551234. */
  phone: string;
  providerId: string;
  /** The tracked profile with this phone, or null for a sender wacast does not know. */
  profile: { id: string; identity: string; name: string | null } | null;
  /** The WhatsApp profile name the sender set (latest message that carried one), or null. Chosen by the sender, unverified: plain text. */
  senderName: string | null;
  lastText: string | null;
  lastDirection: 'in' | 'out' | null;
  lastInboundAt: number | null;
  lastOutboundAt: number | null;
  unread: number;
  /** The campaign the latest attributed reply answers. */
  campaign: CampaignRef | null;
  /** A free-text reply is allowed (the user wrote within 24 hours). */
  windowOpen: boolean;
  windowClosesAt: number | null;
  /** Templates are refused: the phone opted out (STOP, subscribe API) or the profile has MSG-dndWhatsApp true. */
  optedOut: boolean;
  /** Templates are refused (409 profile_not_opted_in): the profile has not opted in to WhatsApp (MSG-whatsapp is not true). False without a profile. */
  notOptedIn: boolean;
  updatedAt: number;
}

export type Ticks = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface ConversationMessage {
  id: string;
  direction: 'in' | 'out';
  at: number;
  text: string | null;
  messageType: string;
  kind: 'campaign' | 'test' | 'reply' | 'auto_reply' | 'keyword_reply' | null;
  status: string | null;
  ticks: Ticks | null;
  campaign: CampaignRef | null;
  error: { category: string | null; code: string | null; detail: string | null } | null;
  sentAt: number | null;
  deliveredAt: number | null;
  readAt: number | null;
  failedAt: number | null;
  mediaUrl: string | null;
  /** Where a shared location is (inbound `location` messages), else null. Name and address are plain text. */
  location: SharedLocation | null;
}

export interface SharedLocation {
  latitude: number;
  longitude: number;
  name: string | null;
  address: string | null;
}

/** A conversation with one page of messages, oldest first; `nextCursor` fetches older ones. */
export interface ConversationDetail extends Conversation {
  messages: ConversationMessage[];
  nextCursor: string | null;
}

export type ReplyInput = { text: string } | { templateId: string; params: string[]; mediaUrl?: string };
