import { useState, type FormEvent } from 'react';
import { TextAreaField } from '../../components/field';
import { Alert } from '../../components/alert';
import { ApiError } from '../../api/client';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';
import { formatDateTime } from '../../components/format';
import { useReply } from './inbox.hooks';

/** A free-text session reply, allowed inside the 24-hour window (the server says 409 window_closed outside it). */
export function ReplyBox({ phone, closesAt }: { phone: string; closesAt: number | null }) {
  const [text, setText] = useState('');
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
      {closed ? <Alert kind="warning">{closed} Send a template instead.</Alert> : null}
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
