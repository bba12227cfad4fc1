import { useEffect } from 'react';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getConversation, inboxCounts, inboxEventsUrl, listConversations, markConversationRead, markConversationUnread, replyToConversation } from '../../api/inbox.api';
import { apiQueryOf, type InboxFilters } from './inbox-filters';
import { queryKeys } from '../../api/query-keys';
import type { ReplyInput } from '../../api/inbox.types';

/**
 * New messages arrive through callbacks at any time: the Inbox asks again this often while open.
 * The event stream (useInboxStream) makes changes show at once when this process applied them;
 * polling covers changes applied by another wacast process.
 */
export const INBOX_REFRESH_MS = 4_000;

/** Follows `GET /api/v1/inbox/events`: refetches the list and the changed conversations as they change. */
export function useInboxStream(): void {
  const client = useQueryClient();
  useEffect(() => {
    const source = new EventSource(inboxEventsUrl(), { withCredentials: true });
    source.addEventListener('conversations', (event: MessageEvent<string>) => {
      let changed: { phones?: string[]; all?: boolean };
      try {
        changed = JSON.parse(event.data) as typeof changed;
      } catch {
        return;
      }
      // Never cancel a fetch in flight: it may be the agent's "More conversations" / older
      // messages, which a cancelling refetch would drop (it refetches only the pages it had).
      // A list that is fetching anyway comes back fresh enough; the next change refetches again.
      const keep = { cancelRefetch: false };
      if (changed.all) {
        void client.invalidateQueries({ queryKey: queryKeys.conversations }, keep);
        return;
      }
      void client.invalidateQueries({ queryKey: [...queryKeys.conversations, 'list'] }, keep);
      void client.invalidateQueries({ queryKey: queryKeys.inboxCounts }, keep);
      for (const phone of changed.phones ?? []) void client.invalidateQueries({ queryKey: queryKeys.conversation(phone) }, keep);
    });
    return () => source.close();
  }, [client]);
}

/**
 * Conversations, most recent activity first, that pass the filters, page by page (the API gives
 * 50 at a time): "More conversations" reaches the older ones. Every page loaded is refetched on
 * each refresh.
 */
export function useConversations(filters: InboxFilters) {
  const query = apiQueryOf(filters);
  return useInfiniteQuery({
    queryKey: [...queryKeys.conversations, 'list', query],
    queryFn: ({ pageParam }) => listConversations({ ...query, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: INBOX_REFRESH_MS,
    // While a new search or filter is asked, the list keeps what it showed (marked as stale)
    // instead of emptying on every pause in typing.
    placeholderData: keepPreviousData,
  });
}

/**
 * How many conversations have unread messages: one count over an index of the unread ones. The
 * Inbox's event stream refetches it at once; elsewhere (the top navigation) it is asked again
 * every `intervalMs`.
 */
export function useInboxCounts(intervalMs = INBOX_REFRESH_MS) {
  return useQuery({ queryKey: queryKeys.inboxCounts, queryFn: inboxCounts, refetchInterval: intervalMs });
}

/** One conversation; the first page is the newest messages, "older" pages come before them. */
export function useConversation(phone: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.conversation(phone),
    queryFn: ({ pageParam }) => getConversation(phone, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: INBOX_REFRESH_MS,
  });
}

export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: markConversationRead,
    onSuccess: async () => {
      await Promise.all([client.invalidateQueries({ queryKey: [...queryKeys.conversations, 'list'] }), client.invalidateQueries({ queryKey: queryKeys.inboxCounts })]);
    },
  });
}

/**
 * Marks a conversation unread again (for later, or for a colleague). The open conversation is not
 * refetched: an open conversation with unread messages is marked read at once, so the view leaves
 * it (see ConversationView).
 */
export function useMarkUnread() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: markConversationUnread,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: [...queryKeys.conversations, 'list'] });
      void client.invalidateQueries({ queryKey: queryKeys.inboxCounts });
    },
  });
}

export function useReply(phone: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: ReplyInput) => replyToConversation(phone, input),
    onSettled: async () => {
      await Promise.all([client.invalidateQueries({ queryKey: queryKeys.conversation(phone) }), client.invalidateQueries({ queryKey: [...queryKeys.conversations, 'list'] })]);
    },
  });
}
