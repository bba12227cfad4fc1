import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { Modal } from '../../components/modal';
import { SelectField, TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { ProviderAnswer } from '../../components/provider-answer';
import { Loading } from '../../components/page';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';
import type { ProviderAccount } from '../../api/types';
import { useTemplates } from '../templates/templates.hooks';
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
  const templates = useTemplates();
  const send = useSendTestMessage(account.id);
  const [to, setTo] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [params, setParams] = useState<string[]>([]);
  const mine = (templates.data ?? []).filter((template) => template.providerId === account.id);
  const template = mine.find((candidate) => candidate.id === templateId);
  const count = template?.placeholderCount ?? 0;
  const paths = ['to', 'templateId', 'params', ...Array.from({ length: count }, (_, index) => `params.${index}`)];
  const errors = send.isError ? formErrorsOf(send.error, paths) : noFormErrors;

  function submit(event: FormEvent) {
    event.preventDefault();
    send.mutate({ to: to.trim(), templateId, params: Array.from({ length: count }, (_, index) => params[index] ?? '') });
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
          onChange={setTo}
          autoComplete="off"
          hint="With the country code, e.g. +14155551234."
          error={errors.fields.to}
        />
        <SelectField
          label="Template"
          value={templateId}
          onChange={(value) => {
            setTemplateId(value);
            setParams([]);
          }}
          options={mine.map((candidate) => ({ value: candidate.id, label: candidate.namespace }))}
          placeholder="Choose a template"
          error={errors.fields.templateId}
        />
        {template ? <p className="template-preview">{template.body}</p> : null}
        {Array.from({ length: count }, (_, index) => (
          <TextField
            key={`${templateId}-${index}`}
            label={`Value for {{${index + 1}}}`}
            value={params[index] ?? ''}
            onChange={(value) =>
              setParams((current) => {
                const next = [...current];
                next[index] = value;
                return next;
              })
            }
            error={errors.fields[`params.${index}`]}
          />
        ))}
        {errors.fields.params ? <p className="field__error">{errors.fields.params}</p> : null}
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
