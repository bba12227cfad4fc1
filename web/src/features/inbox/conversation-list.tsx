import { useState } from 'react';
import { NavLink } from 'react-router-dom';
import { TextField } from '../../components/field';
import { Loading } from '../../components/page';
import { QueryError } from '../../components/query-error';
import { formatDateTime } from '../../components/format';
import { useDebounced } from '../../components/use-debounced';
import type { Conversation } from '../../api/inbox.types';
import { useConversations } from './inbox.hooks';
import { conversationsOf } from './conversation-pages';

export const conversationPath = (phone: string) => `/inbox/${encodeURIComponent(phone)}`;

/** Who the conversation is with: the profile's name or identity, else the phone number. */
export function partyOf(conversation: Conversation): string {
  return conversation.profile ? (conversation.profile.name ?? conversation.profile.identity) : conversation.phone;
}

/**
 * The WhatsApp profile name a sender without a profile set in their app, shown next to the phone
 * as WhatsApp shows unsaved contacts ("~Name"). Chosen by the sender and unverified: rendered as
 * text only, in its own direction.
 */
function SenderName({ name }: { name: string }) {
  return (
    <span className="sender-name" title="WhatsApp profile name, set by the sender (not verified)" data-testid="sender-name">
      ~<bdi>{name}</bdi>
    </span>
  );
}

/** Who the conversation is with (partyOf), and for a sender without a profile the name they set. */
export function Party({ conversation, className }: { conversation: Conversation; className?: string }) {
  return (
    <>
      <bdi className={className}>{partyOf(conversation)}</bdi>
      {!conversation.profile && conversation.senderName ? (
        <>
          {' '}
          <SenderName name={conversation.senderName} />
        </>
      ) : null}
    </>
  );
}

/** Conversations, most recent first: who, the last text (as text), unread count, campaign, window. */
export function ConversationList() {
  const [search, setSearch] = useState('');
  const phone = useDebounced(search.replace(/\D/g, ''), 300);
  // Only digits search: a name or other text would otherwise leave every conversation listed, as if it matched.
  const noDigits = search.trim() !== '' && !/\d/.test(search);
  const conversations = useConversations(phone);
  const items = conversations.data ? conversationsOf(conversations.data.pages) : [];
  return (
    <div className="inbox__list">
      <TextField
        label="Search by phone"
        type="search"
        value={search}
        onChange={setSearch}
        autoComplete="off"
        inputMode="tel"
        placeholder="98765"
        error={noDigits ? 'searches phone numbers: type some of its digits, e.g. 98765' : undefined}
      />
      {noDigits ? null : conversations.isPending ? (
        <Loading what="Loading conversations" />
      ) : conversations.isError ? (
        <QueryError error={conversations.error} onRetry={() => void conversations.refetch()} />
      ) : items.length === 0 ? (
        <p className="muted">{phone ? 'No conversation with such a number.' : 'No conversations yet: replies to your campaigns and messages from new numbers appear here.'}</p>
      ) : (
        <ul className="conversations" aria-label="Conversations" data-testid="conversations">
          {items.map((conversation) => (
            <li key={conversation.phone}>
              <NavLink to={conversationPath(conversation.phone)} className={({ isActive }) => `conversation-item${isActive ? ' is-active' : ''}`}>
                <span className="conversation-item__top">
                  <span>
                    <Party conversation={conversation} className="conversation-item__party" />
                  </span>
                  {conversation.unread > 0 ? <span className="badge badge--accent">{conversation.unread} unread</span> : null}
                </span>
                <span className="conversation-item__meta">
                  {conversation.profile ? <span className="mono">{conversation.phone}</span> : <span>Unknown sender</span>}
                  {conversation.campaign ? <span> · {conversation.campaign.name}</span> : null}
                </span>
                <span className="conversation-item__text" data-testid="last-text">
                  {conversation.lastDirection === 'out' ? 'You: ' : ''}
                  {/* Its own direction: an Arabic or Hebrew text reads right to left after "You: ". */}
                  <bdi>{conversation.lastText ?? '(no text)'}</bdi>
                </span>
                <span className="conversation-item__meta">
                  {formatDateTime(Math.max(conversation.lastInboundAt ?? 0, conversation.lastOutboundAt ?? 0) || conversation.updatedAt)}
                  {conversation.windowOpen ? ' · window open' : ''}
                  {conversation.optedOut ? ' · opted out' : ''}
                  {!conversation.optedOut && conversation.notOptedIn ? ' · not opted in' : ''}
                </span>
              </NavLink>
            </li>
          ))}
        </ul>
      )}
      {!noDigits && conversations.hasNextPage ? (
        <button type="button" className="btn btn--secondary btn--small" disabled={conversations.isFetchingNextPage} onClick={() => void conversations.fetchNextPage()}>
          {conversations.isFetchingNextPage ? 'Loading…' : 'More conversations'}
        </button>
      ) : null}
    </div>
  );
}
