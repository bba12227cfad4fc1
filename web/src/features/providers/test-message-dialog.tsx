import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { Modal } from '../../components/modal';
import { TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { ProviderAnswer } from '../../components/provider-answer';
import { Loading } from '../../components/page';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';
import type { ProviderAccount } from '../../api/types';
import { TemplateFields, useTemplateChoice, withEdits } from '../templates/template-fields';
import { useSendTestMessage } from './providers.hooks';

export function TestMessageDialog({ account, onClose }: { account: ProviderAccount | null; onClose: () => void }) {
  return (
    <Modal open={account !== null} title={account ? `Send test message — ${account.nickname}` : 'Send test message'} onClose={onClose} wide>
      {account ? <TestMessageForm account={account} /> : null}
    </Modal>
  );
}

/** Sends one template to a phone number through this account and shows exactly what the provider answered. */
function TestMessageForm({ account }: { account: ProviderAccount }) {
  const send = useSendTestMessage(account.id);
  // A change retires the server's verdict on the previous attempt: its messages were about other values.
  const edited = () => {
    if (send.isError) send.reset();
  };
  const choice = withEdits(useTemplateChoice(account.id), edited);
  const { templates, mine, template } = choice;
  const [to, setTo] = useState('');
  const [mediaUrl, setMediaUrl] = useState('');
  const withAttachment = template !== undefined && template.attachmentType !== 'none';
  const errors = send.isError ? formErrorsOf(send.error, ['to', ...choice.paths, 'mediaUrl']) : noFormErrors;

  function submit(event: FormEvent) {
    event.preventDefault();
    send.mutate({ to: to.trim(), templateId: choice.templateId, params: choice.values(), ...(withAttachment ? { mediaUrl: mediaUrl.trim() } : {}) });
  }

  if (templates.isPending) return <Loading what="Loading templates" />;
  return (
    <div className="stack">
      <p className="muted">
        The template goes out for real, through this account, to the number below: use a phone you own that has opted in to your WhatsApp business.
      </p>
      {mine.length === 0 ? (
        <Alert kind="info">
          This account has no templates yet. <Link to="/templates/new">Add a template</Link> first.
        </Alert>
      ) : null}
      <form className="stack" onSubmit={submit} noValidate>
        {errors.summary ? <Alert>{errors.summary}</Alert> : null}
        <TextField
          label="Phone number"
          type="tel"
          value={to}
          onChange={(value) => {
            edited();
            setTo(value);
          }}
          autoComplete="off"
          hint="With the country code, e.g. +14155551234."
          error={errors.fields.to}
        />
        <TemplateFields label="Template" choice={choice} errors={errors.fields} />
        {withAttachment ? (
          <TextField
            label="Media URL"
            type="url"
            value={mediaUrl}
            onChange={(value) => {
              edited();
              setMediaUrl(value);
            }}
            hint={`The ${template.attachmentType} to send with the template, e.g. https://cdn.example.com/offer.jpg.`}
            error={errors.fields.mediaUrl}
          />
        ) : null}
        <div className="actions">
          <button type="submit" className="btn btn--primary" disabled={send.isPending || mine.length === 0}>
            {send.isPending ? 'Sending…' : 'Send test message'}
          </button>
        </div>
      </form>
      {send.data ? <ProviderAnswer result={send.data} /> : null}
    </div>
  );
}
