import { useState, type FormEvent } from 'react';
import { TextField } from '../../../components/field';
import { Alert } from '../../../components/alert';
import { ProviderAnswer } from '../../../components/provider-answer';
import { formErrorsOf, noFormErrors, type FormErrors } from '../../../api/form-errors';
import type { Template } from '../../../api/types';
import { useSendCampaignTest } from '../campaigns.hooks';
import type { BuilderValues } from './builder-values';

/**
 * The paths of a Send test's answer that sit next to a field: the phone number in the panel, the
 * template, its values (`params`: one cannot be rendered for the sample profile) and the media
 * URL in the What section around it. Anything else is spelt out in the panel's summary.
 */
export const SEND_TEST_PATHS = ['to', 'templateId', 'params', 'mediaUrl'] as const;

/** A Send test and its answer's messages by field; `retire()` drops them once the values they judged change. */
export function useSendTest() {
  const send = useSendCampaignTest();
  const errors: FormErrors = send.isError ? formErrorsOf(send.error, SEND_TEST_PATHS) : noFormErrors;
  const retire = () => {
    if (send.isError) send.reset();
  };
  return { send, errors, retire };
}

export type SendTest = ReturnType<typeof useSendTest>;

/**
 * "Send test": the message rendered for the sample profile, sent now to one number through the
 * chosen account; shows the provider's raw answer. Not a form of its own (it sits inside the
 * builder's form), so Enter in the phone field does not submit the campaign. Its messages about
 * the template, values and media URL are shown by the What section, next to those fields.
 */
export function SendTestPanel({ template, values, params, identity, test }: { template: Template; values: BuilderValues; params: string[]; identity: string; test: SendTest }) {
  const [to, setTo] = useState('');
  const { send, errors, retire } = test;
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
            retire();
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
