import { useState, type FormEvent } from 'react';
import { TextField } from '../../../components/field';
import { Alert } from '../../../components/alert';
import { ProviderAnswer } from '../../../components/provider-answer';
import { formErrorsOf, noFormErrors } from '../../../api/form-errors';
import type { Template } from '../../../api/types';
import { useSendCampaignTest } from '../campaigns.hooks';
import type { BuilderValues } from './builder-values';

/**
 * "Send test": the message rendered for the sample profile, sent now to one number through the
 * chosen account; shows the provider's raw answer. Not a form of its own (it sits inside the
 * builder's form), so Enter in the phone field does not submit the campaign.
 */
export function SendTestPanel({ template, values, params, identity }: { template: Template; values: BuilderValues; params: string[]; identity: string }) {
  const [to, setTo] = useState('');
  const send = useSendCampaignTest();
  const errors = send.isError ? formErrorsOf(send.error, ['to']) : noFormErrors;
  function submit(event?: FormEvent) {
    event?.preventDefault();
    send.mutate({
      providerId: values.providerId,
      templateId: template.id,
      params,
      mediaUrl: template.attachmentType !== 'none' ? values.mediaUrl.trim() || null : null,
      to: to.trim(),
      ...(identity.trim() ? { identity: identity.trim() } : {}),
    });
  }
  return (
    <div className="panel panel--inset">
      <h3 className="panel__title">Send test</h3>
      <p className="muted">Sends the message, rendered for the sample profile above, to one phone number now, through the chosen provider account.</p>
      {errors.summary ? <Alert>{errors.summary}</Alert> : null}
      <div className="inline-form">
        <TextField
          label="Test phone number"
          type="tel"
          value={to}
          onChange={(value) => {
            // The answer to the previous attempt is about the number being changed: it goes.
            if (send.isError) send.reset();
            setTo(value);
          }}
          autoComplete="off"
          hint="With the country code, e.g. +14155551234."
          error={errors.fields.to}
        />
        <button type="button" className="btn btn--secondary" disabled={send.isPending || values.providerId === ''} onClick={() => submit()}>
          {send.isPending ? 'Sending…' : 'Send test'}
        </button>
      </div>
      {send.data ? <ProviderAnswer result={send.data} /> : null}
    </div>
  );
}
