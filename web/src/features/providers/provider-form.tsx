import { useId, useRef, useState, type FormEvent } from 'react';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { useFocusFirstInvalid } from '../../components/use-focus-first-invalid';
import { formErrorsOf, noFormErrors, withoutEditedPaths } from '../../api/form-errors';
import type { ProviderAccount, ProviderType } from '../../api/types';
import { CallbackUrls } from './callback-urls';
import { SecretField } from './secret-field';
import {
  apiKeyRemovedBySave,
  canClear,
  credentialFields,
  DAILY_LIMIT_OPTIONS,
  emptyProviderValues,
  formValuePath,
  GUPSHUP_MODE_OPTIONS,
  MAX_RATE_PER_SECOND,
  PROVIDER_TYPE_OPTIONS,
  providerFormPaths,
  providerFormProblems,
  providerValuesFrom,
  toCreateBody,
  toPatchBody,
  type GupshupMode,
  type ProviderFormValues,
} from './provider-fields';
import { useCallbackUrlPreview, useCreateProvider, useUpdateProvider } from './providers.hooks';

export interface ProviderFormProps {
  /** The saved account being edited; absent for a new one. */
  account?: ProviderAccount;
  isFirstAccount?: boolean;
  onSaved: (account: ProviderAccount, created: boolean) => void;
  onRotate?: () => void;
  /** Called on every change the user makes (the page drops its "Changes saved." then). */
  onEdited?: () => void;
}

/** Create or edit a provider account (Settings → Channels → WhatsApp), with the exact labels of the product. */
export function ProviderForm({ account, isFirstAccount, onSaved, onRotate, onEdited }: ProviderFormProps) {
  const formId = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const focusFirstInvalid = useFocusFirstInvalid(formRef);
  const [values, setValues] = useState<ProviderFormValues>(() =>
    account ? providerValuesFrom(account) : emptyProviderValues('nexmo', { isFirstAccount: isFirstAccount ?? false }),
  );
  const [attempted, setAttempted] = useState(false);
  const preview = useCallbackUrlPreview(values.type, formId, !account);
  const create = useCreateProvider();
  const update = useUpdateProvider();
  const saving = create.isPending || update.isPending;
  const failed = account ? update : create;

  const clientProblems = attempted ? providerFormProblems(values) : {};
  // Fields changed since the last save (by their API path): the server's messages about them are retired.
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const markEdited = (path: string) => {
    setEdited((current) => (current.has(path) ? current : new Set(current).add(path)));
    onEdited?.();
  };
  const serverErrors = failed.isError ? withoutEditedPaths(formErrorsOf(failed.error, providerFormPaths(values)), edited) : noFormErrors;
  const errors: Record<string, string | undefined> = { ...serverErrors.fields, ...clientProblems };

  const set = <K extends keyof ProviderFormValues>(key: K, value: ProviderFormValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    markEdited(formValuePath(key));
  };
  const setCredential = (key: string, value: string) => {
    setValues((current) => ({ ...current, credentials: { ...current.credentials, [key]: value } }));
    markEdited(`credentials.${key}`);
  };
  const setReplacing = (key: string, replacing: boolean) => {
    setValues((current) => ({ ...current, replacing: { ...current.replacing, [key]: replacing } }));
    markEdited(`credentials.${key}`);
  };
  const setClearing = (key: string, clearing: boolean) => {
    setValues((current) => ({ ...current, clearing: { ...current.clearing, [key]: clearing } }));
    markEdited(`credentials.${key}`);
  };

  function changeType(type: ProviderType) {
    // Credentials of one provider mean nothing to the other (both have an "API key"): start them afresh.
    setValues((current) => ({ ...current, type, credentials: {}, replacing: {}, clearing: {} }));
    create.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    setEdited(new Set());
    if (Object.keys(providerFormProblems(values)).length > 0) {
      focusFirstInvalid();
      return;
    }
    const onError = focusFirstInvalid;
    if (account) {
      update.mutate(
        { id: account.id, patch: toPatchBody(values, account) },
        {
          onSuccess: (saved) => {
            setValues(providerValuesFrom(saved));
            setAttempted(false);
            onSaved(saved, false);
          },
          onError,
        },
      );
    } else {
      create.mutate(toCreateBody(values, preview.data?.callbackToken), { onSuccess: (saved) => onSaved(saved, true), onError });
    }
  }

  const inbound = account ? account.inboundCallbackUrl : (preview.data?.inboundCallbackUrl ?? '');
  const delivery = account ? account.deliveryCallbackUrl : (preview.data?.deliveryCallbackUrl ?? '');
  const fields = credentialFields(values.type, values.gupshupMode);
  const removedApiKey = apiKeyRemovedBySave(values, account);
  const isDefaultAccount = account?.isDefault === true;

  return (
    <form ref={formRef} className="form" onSubmit={submit} noValidate>
      {serverErrors.summary ? <Alert>{serverErrors.summary}</Alert> : null}
      {attempted && Object.keys(clientProblems).length > 0 ? <Alert>Some fields need attention: see the messages next to them.</Alert> : null}

      <SelectField
        label="Provider"
        value={values.type}
        onChange={(value) => changeType(value as ProviderType)}
        options={PROVIDER_TYPE_OPTIONS}
        disabled={account !== undefined}
        hint={account ? 'The provider of a saved account cannot change: create another account instead.' : undefined}
        error={errors.type}
      />
      <TextField
        label="Nickname"
        value={values.nickname}
        onChange={(value) => set('nickname', value)}
        autoComplete="off"
        required
        hint="How this account appears in campaigns, e.g. “Gupshup promo”."
        error={errors.nickname}
      />

      <CallbackUrls
        type={values.type}
        inbound={inbound}
        delivery={delivery}
        loading={!account && preview.isPending}
        error={!account && preview.isError ? preview.error.message : null}
        onRotate={account ? onRotate : undefined}
        arrivals={account ? { lastReceiptAt: account.lastReceiptAt, lastInboundAt: account.lastInboundAt, lastThrottledAt: account.lastThrottledAt } : undefined}
      />

      <fieldset className="fieldset">
        <legend className="fieldset__legend">{values.type === 'gupshup' ? 'Gupshup account' : 'Vonage application'}</legend>
        {values.type === 'gupshup' ? (
          <SelectField
            label="Gupshup mode"
            value={values.gupshupMode}
            onChange={(value) => set('gupshupMode', value as GupshupMode)}
            options={GUPSHUP_MODE_OPTIONS}
            hint="Enterprise uses the notification and two-way accounts; self-serve uses the app name and an API key."
            error={errors['credentials.mode']}
          />
        ) : null}
        {removedApiKey ? (
          <Alert kind="warning">
            Saving in Enterprise mode removes the stored API key ({removedApiKey}): only self-serve uses it. Choose Self-serve again to keep it.
          </Alert>
        ) : null}
        {fields.map((field) =>
          field.secret ? (
            <SecretField
              key={`${values.type}-${field.key}`}
              field={field}
              stored={account?.type === values.type ? account.credentials[field.key] : undefined}
              replacing={values.replacing[field.key] ?? false}
              onReplacingChange={(replacing) => setReplacing(field.key, replacing)}
              clearable={account !== undefined && canClear(field, values.gupshupMode)}
              clearing={values.clearing[field.key] ?? false}
              onClearingChange={(clearing) => setClearing(field.key, clearing)}
              value={values.credentials[field.key] ?? ''}
              onChange={(value) => setCredential(field.key, value)}
              error={errors[`credentials.${field.key}`]}
            />
          ) : field.kind === 'textarea' ? (
            <TextAreaField
              key={`${values.type}-${field.key}`}
              label={field.label}
              value={values.credentials[field.key] ?? ''}
              onChange={(value) => setCredential(field.key, value)}
              hint={field.hint}
              error={errors[`credentials.${field.key}`]}
            />
          ) : (
            <TextField
              key={`${values.type}-${field.key}`}
              label={field.label}
              type={field.kind}
              value={values.credentials[field.key] ?? ''}
              onChange={(value) => setCredential(field.key, value)}
              autoComplete="off"
              spellCheck={false}
              placeholder={field.placeholder}
              hint={field.hint}
              error={errors[`credentials.${field.key}`]}
            />
          ),
        )}
      </fieldset>

      <fieldset className="fieldset">
        <legend className="fieldset__legend">Sending</legend>
        <TextField
          label="Messages per second"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_RATE_PER_SECOND}
          value={values.ratePerSecond}
          onChange={(value) => set('ratePerSecond', value)}
          hint="The most this account may send per second, across all campaigns (WhatsApp's default tier is 80)."
          error={errors.ratePerSecond}
        />
        <SelectField
          label="Daily messaging limit"
          value={values.dailyRecipientLimit}
          onChange={(value) => set('dailyRecipientLimit', value)}
          options={DAILY_LIMIT_OPTIONS}
          hint={
            <>
              WhatsApp lets a number start conversations with only so many unique users in a rolling 24 hours: 250, 1,000, 10,000, 100,000, then unlimited, rising
              as the number sends well (see its tier in WhatsApp Manager). Beyond it, WhatsApp fails the extra template messages. Set the tier here to see what is
              used and to be warned when a campaign's audience is larger than what is left; nothing is refused because of it.
            </>
          }
          error={errors.dailyRecipientLimit}
        />
        <CheckboxField
          label="Mark as default"
          checked={values.isDefault}
          onChange={(checked) => set('isDefault', checked)}
          // A project always has a default account: it moves by marking another one (the server
          // refuses unmarking this one), so the box is not offered to be unticked here.
          disabled={isDefaultAccount}
          hint={
            isDefaultAccount
              ? 'This is the default account: new campaigns use it unless you choose another. To change the default, mark another account as default.'
              : 'New campaigns use the default account unless you choose another.'
          }
          error={errors.isDefault}
        />
      </fieldset>

      <fieldset className="fieldset">
        <legend className="fieldset__legend">Auto reply</legend>
        <CheckboxField
          label="Auto reply for users not tracked"
          checked={values.autoReplyEnabled}
          onChange={(checked) => set('autoReplyEnabled', checked)}
          hint="Answers a sender with no profile in this project, at most once per phone every 24 hours."
          error={errors['autoReply.enabled']}
        />
        {values.autoReplyEnabled ? (
          <TextAreaField
            label="Auto reply message"
            value={values.autoReplyText}
            onChange={(value) => set('autoReplyText', value)}
            rows={3}
            error={errors['autoReply.text']}
          />
        ) : null}
      </fieldset>

      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
