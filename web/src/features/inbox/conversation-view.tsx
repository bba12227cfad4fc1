import { useEffect, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { Loading } from '../../components/page';
import { Alert } from '../../components/alert';
import { QueryError } from '../../components/query-error';
import { profilePath } from '../audience/profiles.page';
import { useConversation, useMarkRead, useMarkUnread } from './inbox.hooks';
import { Party, conversationPath } from './conversation-list';
import { MessageBubble } from './message-bubble';
import { ReplyBox, UnsentReply } from './reply-box';
import { TemplateReply } from './template-reply';
import { MorePages } from '../../components/more-pages';

/** One conversation: messages in time order with ticks and campaign context, and the reply box (or the template picker outside the window). */
/** A sender known only by their WhatsApp user id (a Vonage user with a username), not by number. */
const isWhatsappUserId = (key: string) => /^[A-Za-z]{2}\.[A-Za-z0-9]{1,128}$/.test(key);

export function ConversationView({ phone }: { phone: string }) {
  const conversation = useConversation(phone);
  const markRead = useMarkRead();
  const first = conversation.data?.pages[0];
  const unread = first?.unread ?? 0;
  const { mutate: markAsRead } = markRead;
  const markUnread = useMarkUnread();
  const navigate = useNavigate();
  const location = useLocation();
  // An open conversation is read: marked unread, it is left for later, and the list shows it again (filters kept).
  const leaveUnread = () => markUnread.mutate(phone, { onSuccess: () => void navigate({ pathname: '/inbox', search: location.search }) });
  // The reply being written, per conversation: kept when the window closes under the agent's hands.
  const [draft, setDraft] = useState({ phone, text: '' });
  const draftText = draft.phone === phone ? draft.text : '';
  const setDraftText = (text: string) => setDraft({ phone, text });
  useEffect(() => {
    if (unread > 0) markAsRead(phone);
  }, [phone, unread, markAsRead]);
  // A user id paired with a number since: the server answers with the number's conversation,
  // which the id's joined; the address follows, so the list and the reply box use the number.
  const answeredFor = first?.phone;
  useEffect(() => {
    if (answeredFor !== undefined && answeredFor !== phone) void navigate({ pathname: conversationPath(answeredFor), search: location.search }, { replace: true });
  }, [answeredFor, phone, navigate, location.search]);

  if (conversation.isPending) return <Loading what="Loading the conversation" />;
  if (conversation.isError || !first) return <QueryError error={conversation.error} onRetry={() => void conversation.refetch()} />;
  // Pages go newest-first; each page holds its messages oldest-first.
  const messages = [...conversation.data.pages].reverse().flatMap((page) => page.messages);
  return (
    <section className="inbox__conversation" aria-labelledby="conversation-title">
      <header className="conversation-header">
        <h2 className="panel__title" id="conversation-title">
          <Party conversation={first} />
        </h2>
        <p className="muted">
          <span className="mono">{first.phone}</span>
          {first.profile ? (
            <>
              {' '}
              · <Link to={profilePath(first.profile.identity)}>Profile {first.profile.identity}</Link>
            </>
          ) : isWhatsappUserId(first.phone) ? (
            ' · Known only by their WhatsApp user id: they use a username and have not shared their number'
          ) : (
            ' · Unknown sender (no profile has this phone)'
          )}
          {first.campaign ? (
            <>
              {' '}
              · Answers <Link to={`/campaigns/${first.campaign.id}`}>{first.campaign.name}</Link>
            </>
          ) : null}
          {first.optedOut ? (
            <>
              {' '}
              <span className="badge badge--warning" data-testid="opted-out">
                Opted out
              </span>
            </>
          ) : null}
          {!first.optedOut && first.notOptedIn ? (
            <>
              {' '}
              <span className="badge badge--warning" data-testid="not-opted-in">
                Not opted in
              </span>
            </>
          ) : null}
        </p>
        <div className="conversation-header__actions">
          <button type="button" className="btn btn--secondary btn--small" onClick={leaveUnread} disabled={markUnread.isPending}>
            {markUnread.isPending ? 'Marking as unread…' : 'Mark as unread'}
          </button>
        </div>
        {markUnread.isError ? <QueryError error={markUnread.error} /> : null}
      </header>
      <MorePages query={conversation} label="Older messages" ghost />
      <ol className="messages" aria-label="Messages" data-testid="messages">
        {messages.map((message) => (
          <MessageBubble key={message.id} message={message} />
        ))}
      </ol>
      {!first.windowOpen && draftText.trim() !== '' ? <UnsentReply text={draftText} onDiscard={() => setDraftText('')} /> : null}
      {first.windowOpen ? (
        <ReplyBox key={phone} phone={phone} closesAt={first.windowClosesAt} text={draftText} setText={setDraftText} />
      ) : first.optedOut ? (
        // Templates are refused to a user who opted out: no picker that can only fail.
        <Alert kind="info">
          The 24-hour window is closed and this user opted out of WhatsApp messages (a STOP reply, an unsubscribe, or MSG-dndWhatsApp on the profile): templates are not
          sent to them. You can answer again when they write.
        </Alert>
      ) : first.notOptedIn ? (
        // Templates go only to profiles that opted in (MSG-whatsapp true): the server refuses them here.
        <Alert kind="info">
          The 24-hour window is closed and this profile has not opted in to WhatsApp (MSG-whatsapp is not true): templates are only sent to users who opted in. Once the
          user has agreed to receive WhatsApp messages, set MSG-whatsapp to true on the profile; or answer when they write again.
        </Alert>
      ) : (
        <TemplateReply key={phone} phone={phone} providerId={first.providerId} />
      )}
    </section>
  );
}
