import { useEffect, useState } from 'react';
import { NavLink, useLocation, useSearchParams } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { CheckboxField, SelectField, TextField } from '../../components/field';
import { QueryState } from '../../components/query-state';
import { formatDateTime } from '../../components/format';
import { useDebounced } from '../../components/use-debounced';
import type { Conversation } from '../../api/inbox.types';
import { getCampaign, listCampaigns } from '../../api/campaigns.api';
import { queryKeys } from '../../api/query-keys';
import { useConversations, useInboxCounts } from './inbox.hooks';
import { describeFilters, filtersFromSearch, hasFilters, NO_FILTERS, searchOfFilters, type InboxFilters } from './inbox-filters';
import { conversationsOf } from './conversation-pages';
import { MorePages } from '../../components/more-pages';

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

/**
 * The filters of the list, from the URL query string, and a way to change them (replacing the
 * history entry). A control's change is applied at once (`flushSync`): a checkbox bound to the URL
 * would otherwise flick back for a moment until the router has updated.
 */
export function useInboxFilters(): [InboxFilters, (filters: InboxFilters, options?: { fromControl?: boolean }) => void] {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromSearch(params);
  const setFilters = (next: InboxFilters, options: { fromControl?: boolean } = {}) =>
    setParams(new URLSearchParams(searchOfFilters(next)), { replace: true, flushSync: options.fromControl === true });
  return [filters, setFilters];
}

/** Campaigns to filter replies by: the newest 50, and the one filtered on if it is older. */
function useCampaignOptions(selectedId: string) {
  const list = useQuery({ queryKey: [...queryKeys.conversations, 'campaign-options'], queryFn: () => listCampaigns({}), staleTime: 60_000 });
  const listed = list.data?.items ?? [];
  const missing = selectedId !== '' && list.data !== undefined && !listed.some((campaign) => campaign.id === selectedId);
  const selected = useQuery({ queryKey: queryKeys.campaign(selectedId), queryFn: () => getCampaign(selectedId), enabled: missing, retry: false });
  const options = listed.filter((campaign) => campaign.state !== 'draft').map((campaign) => ({ value: campaign.id, label: campaign.name }));
  if (missing) options.unshift({ value: selectedId, label: selected.data?.name ?? (selected.isError ? `Unknown campaign ${selectedId}` : selectedId) });
  const name = selectedId === '' ? null : (options.find((option) => option.value === selectedId)?.label ?? null);
  return { options, name };
}

/**
 * Conversations, most recent first: who, the last text (as text), unread count, campaign, window.
 * Filters (unread only, window open, replies to a campaign, a name or phone search) combine and
 * live in the URL, so a filtered list survives a reload and can be shared.
 */
export function ConversationList() {
  const [filters, setFilters] = useInboxFilters();
  const location = useLocation();
  const [search, setSearch] = useState(filters.q);
  const q = useDebounced(search.trim(), 300);
  // The search box writes the URL once typing settles; a URL changed otherwise (Clear filters, a link) sets the box.
  useEffect(() => {
    if (q !== filters.q.trim()) setFilters({ ...filters, q });
  }, [q]);
  const [shownQ, setShownQ] = useState(filters.q);
  if (shownQ !== filters.q) {
    setShownQ(filters.q);
    if (filters.q.trim() !== search.trim()) setSearch(filters.q);
  }
  const conversations = useConversations(filters);
  const counts = useInboxCounts();
  const campaigns = useCampaignOptions(filters.campaignId);
  const items = conversations.data ? conversationsOf(conversations.data.pages) : [];
  const filtered = hasFilters(filters);
  const clear = () => {
    setSearch('');
    setFilters(NO_FILTERS, { fromControl: true });
  };
  const unreadTotal = counts.data?.unread;
  return (
    <div className="inbox__list">
      <TextField
        label="Search by name or phone"
        type="search"
        value={search}
        onChange={setSearch}
        autoComplete="off"
        placeholder="Asha, 98765"
        hint="The start of a first or last name (profile or WhatsApp name), or digits of the number."
      />
      <div className="inbox__filters" role="group" aria-label="Filters">
        <CheckboxField
          label={unreadTotal === undefined ? 'Unread only' : `Unread only (${unreadTotal})`}
          checked={filters.unread}
          onChange={(unread) => setFilters({ ...filters, unread }, { fromControl: true })}
        />
        <CheckboxField label="Window open" checked={filters.windowOpen} onChange={(windowOpen) => setFilters({ ...filters, windowOpen }, { fromControl: true })} hint="A free-text answer is possible." />
        <SelectField
          label="Replies to campaign"
          value={filters.campaignId}
          onChange={(campaignId) => setFilters({ ...filters, campaignId }, { fromControl: true })}
          placeholder="Any campaign"
          options={campaigns.options}
        />
        {filtered ? (
          <button type="button" className="btn btn--secondary btn--small" onClick={clear}>
            Clear filters
          </button>
        ) : null}
      </div>
      {/* Sighted users see the list dimmed; a line that came and went would shift it at every search. */}
      <p className="visually-hidden" role="status">
        {conversations.isPlaceholderData ? 'Searching…' : ''}
      </p>
      <QueryState query={conversations} loading="Loading conversations">
        {() =>
          items.length === 0 ? (
            filtered ? (
              <div className="muted" data-testid="no-match">
                <p>No conversation is {describeFilters(filters, campaigns.name).join(', ')}.</p>
                <button type="button" className="btn btn--secondary btn--small" onClick={clear}>
                  Clear filters
                </button>
              </div>
            ) : (
              <p className="muted">No conversations yet: replies to your campaigns and messages from new numbers appear here.</p>
            )
          ) : (
            <ul
              className={`conversations${conversations.isPlaceholderData ? ' is-stale' : ''}`}
              aria-label="Conversations"
              aria-busy={conversations.isPlaceholderData}
              data-testid="conversations"
            >
              {items.map((conversation) => (
                <li key={conversation.phone}>
                  <NavLink
                    to={{ pathname: conversationPath(conversation.phone), search: location.search }}
                    className={({ isActive }) => `conversation-item${isActive ? ' is-active' : ''}`}
                  >
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
          )
        }
      </QueryState>
      <MorePages query={conversations} label="More conversations" />
    </div>
  );
}
