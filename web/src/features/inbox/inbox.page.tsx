import { EmptyState, PageHeader } from '../../components/page';

/** Placeholder until two-way conversations are shown in the dashboard. */
export function InboxPage() {
  return (
    <>
      <PageHeader title="Inbox" description="Replies from your users, per phone number, with the campaign they answer." />
      <EmptyState title="No conversations yet">
        <p>Conversations will appear here once the inbox is available in the dashboard.</p>
      </EmptyState>
    </>
  );
}
