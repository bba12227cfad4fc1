import type { Conversation } from '../../api/inbox.types';

/**
 * The loaded pages of the conversation list as one list. Pages are fetched one after the other, so
 * a conversation that moved up between two fetches can be on both: it is shown once, where it is
 * newest (a second copy would also give React two rows with one key).
 */
export function conversationsOf(pages: ReadonlyArray<{ items: readonly Conversation[] }>): Conversation[] {
  const seen = new Set<string>();
  const list: Conversation[] = [];
  for (const page of pages) {
    for (const conversation of page.items) {
      if (seen.has(conversation.phone)) continue;
      seen.add(conversation.phone);
      list.push(conversation);
    }
  }
  return list;
}
