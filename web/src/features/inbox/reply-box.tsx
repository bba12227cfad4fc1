import type { FormEvent } from 'react';
import { TextAreaField } from '../../components/field';
import { Alert } from '../../components/alert';
import { ApiError } from '../../api/client';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';
import { formatDateTime } from '../../components/format';
import { useReply } from './inbox.hooks';

/**
 * A free-text session reply, allowed inside the 24-hour window (the server says 409 window_closed
 * outside it). The text is held by the conversation, so that it survives the window closing while
 * the agent writes (see UnsentReply).
 */
export function ReplyBox({ phone, closesAt, text, setText }: { phone: string; closesAt: number | null; text: string; setText: (text: string) => void }) {
  const reply = useReply(phone);
  const closed = reply.error instanceof ApiError && reply.error.code === 'window_closed' ? reply.error.message : null;
  const errors = reply.isError && closed === null ? formErrorsOf(reply.error, ['text']) : noFormErrors;
  function submit(event: FormEvent) {
    event.preventDefault();
    if (text.trim() === '') return;
    reply.mutate({ text }, { onSuccess: () => setText('') });
  }
  return (
    <form className="reply-box" onSubmit={submit} noValidate>
      {/* The server's message already says to send a template instead. */}
      {closed ? <Alert kind="warning">{closed}</Alert> : null}
      {errors.summary ? <Alert>{errors.summary}</Alert> : null}
      <TextAreaField
        label="Your reply"
        value={text}
        onChange={setText}
        rows={3}
        maxLength={4096}
        hint={closesAt ? `A session message through the two-way account. The 24-hour window closes ${formatDateTime(closesAt)}.` : 'A session message through the two-way account.'}
        error={errors.fields.text}
      />
      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={reply.isPending || text.trim() === ''}>
          {reply.isPending ? 'Sending…' : 'Send reply'}
        </button>
      </div>
    </form>
  );
}

/** What the agent was writing when the 24-hour window closed: kept to copy, since it can no longer go as free text. */
export function UnsentReply({ text, onDiscard }: { text: string; onDiscard: () => void }) {
  return (
    <div className="reply-box" data-testid="unsent-reply">
      <Alert kind="warning">The 24-hour window closed while you were writing: this reply can no longer be sent as free text. Copy what you need, or send a template below.</Alert>
      <TextAreaField label="Your unsent reply" value={text} onChange={() => undefined} readOnly rows={3} />
      <div className="actions">
        <button type="button" className="btn btn--secondary btn--small" onClick={onDiscard}>
          Discard the unsent reply
        </button>
      </div>
    </div>
  );
}
