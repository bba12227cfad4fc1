import { useParams } from 'react-router-dom';
import { PageHeader } from '../../components/page';
import { ConversationList } from './conversation-list';
import { ConversationView } from './conversation-view';
import { useInboxStream } from './inbox.hooks';

/** Inbox: conversations by phone on the left, the open one on the right. */
export function InboxPage() {
  const { phone } = useParams();
  useInboxStream();
  return (
    <>
      <PageHeader title="Inbox" description="Replies to your campaigns and messages from new numbers. Answer inside the 24-hour window, or with a template after it." />
      <div className="inbox">
        <ConversationList />
        {phone ? (
          <ConversationView key={phone} phone={phone} />
        ) : (
          <section className="inbox__conversation inbox__conversation--empty">
            <p className="muted">Choose a conversation.</p>
          </section>
        )}
      </div>
    </>
  );
}
