import { useRef, useState, type FormEvent } from 'react';
import { SelectField, TextAreaField, TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { useFocusFirstInvalid } from '../../components/use-focus-first-invalid';
import { formErrorsOf, noFormErrors, withoutEditedPaths } from '../../api/form-errors';
import type { AttachmentType, ProviderAccount, Template } from '../../api/types';
import {
  ATTACHMENT_OPTIONS,
  emptyTemplateValues,
  MAX_BODY_LENGTH,
  characterCount,
  namespaceProblemWhileTyping,
  placeholdersOf,
  TEMPLATE_FORM_PATHS,
  templateFormProblems,
  templateValuesFrom,
  toTemplateInput,
  type TemplateFormValues,
} from './template-rules';
import { useCreateTemplate, useUpdateTemplate } from './templates.hooks';

export interface TemplateFormProps {
  providers: ProviderAccount[];
  template?: Template;
  onSaved: (template: Template, created: boolean) => void;
  /** Called on every change the user makes (the page drops its "Changes saved." then). */
  onEdited?: () => void;
}

function PlaceholderHint({ body }: { body: string }) {
  const summary = placeholdersOf(body);
  const length = characterCount(body);
  const tooLong = length > MAX_BODY_LENGTH;
  return (
    <>
      <span data-testid="placeholder-count">
        {summary.count === 0
          ? 'No placeholders.'
          : `${summary.count} placeholder${summary.count === 1 ? '' : 's'}: ${Array.from({ length: summary.count }, (_, index) => `{{${index + 1}}}`).join(', ')}.`}
      </span>{' '}
      <span className={tooLong ? 'text-danger' : undefined}>
        {length.toLocaleString('en')} / {MAX_BODY_LENGTH.toLocaleString('en')} characters.
      </span>
      {summary.missing.length > 0 ? (
        <span className="text-warning">
          {' '}
          {summary.missing.map((n) => `{{${n}}}`).join(', ')} {summary.missing.length === 1 ? 'is' : 'are'} missing: number the placeholders 1, 2, 3… without
          gaps.
        </span>
      ) : null}
      {' '}Write <code>{'{{1}}'}</code>, <code>{'{{2}}'}</code>… where a campaign fills in values.
    </>
  );
}

/** + Template / edit a template: Provider, Template namespace, Template message, Attachment type. */
export function TemplateForm({ providers, template, onSaved, onEdited }: TemplateFormProps) {
  const formRef = useRef<HTMLFormElement>(null);
  const focusInvalid = useFocusFirstInvalid(formRef);
  const defaultProvider = providers.find((provider) => provider.isDefault) ?? providers[0];
  const [values, setValues] = useState<TemplateFormValues>(() => (template ? templateValuesFrom(template) : emptyTemplateValues(defaultProvider?.id ?? '')));
  const [attempted, setAttempted] = useState(false);
  const create = useCreateTemplate();
  const update = useUpdateTemplate();
  const mutation = template ? update : create;

  const clientProblems = attempted ? templateFormProblems(values) : {};
  // The namespace is checked while typing (not on blur: a message appearing on blur moves the
  // Save button away from under the pointer that is clicking it).
  if (!attempted) {
    const problem = namespaceProblemWhileTyping(values.namespace);
    if (problem) clientProblems.namespace = problem;
  }
  // Fields changed since the last save: the server's messages about them are retired.
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const serverErrors = mutation.isError ? withoutEditedPaths(formErrorsOf(mutation.error, TEMPLATE_FORM_PATHS), edited) : noFormErrors;
  const errors: Record<string, string | undefined> = { ...serverErrors.fields, ...clientProblems };
  const set = <K extends keyof TemplateFormValues>(key: K, value: TemplateFormValues[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
    setEdited((current) => (current.has(key) ? current : new Set(current).add(key)));
    onEdited?.();
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    setEdited(new Set());
    if (Object.keys(templateFormProblems(values)).length > 0) {
      focusInvalid();
      return;
    }
    const input = toTemplateInput(values);
    if (template) {
      update.mutate({ id: template.id, patch: input }, { onSuccess: (saved) => onSaved(saved, false), onError: focusInvalid });
    } else {
      create.mutate(input, { onSuccess: (saved) => onSaved(saved, true), onError: focusInvalid });
    }
  }

  return (
    <form ref={formRef} className="form" onSubmit={submit} noValidate>
      {serverErrors.summary ? <Alert>{serverErrors.summary}</Alert> : null}
      <SelectField
        label="Provider"
        value={values.providerId}
        onChange={(value) => set('providerId', value)}
        options={providers.map((provider) => ({ value: provider.id, label: `${provider.nickname}${provider.isDefault ? ' (default)' : ''}` }))}
        placeholder={values.providerId === '' ? 'Choose a provider account' : undefined}
        hint="The account on which this template is approved."
        error={errors.providerId}
      />
      <TextField
        label="Template namespace"
        value={values.namespace}
        onChange={(value) => set('namespace', value)}
        autoComplete="off"
        spellCheck={false}
        placeholder="ABC:welcome_message"
        hint="The account name in capitals, a colon, and the template name on the provider, e.g. ABC:welcome_message."
        error={errors.namespace}
      />
      <TextAreaField
        label="Template message"
        value={values.body}
        onChange={(value) => set('body', value)}
        rows={6}
        hint={<PlaceholderHint body={values.body} />}
        error={errors.body}
      />
      <SelectField
        label="Attachment type"
        value={values.attachmentType}
        onChange={(value) => set('attachmentType', value as AttachmentType)}
        options={ATTACHMENT_OPTIONS}
        hint="Image, video and document templates need a media URL in each campaign."
        error={errors.attachmentType}
      />
      <TextField
        label="Language"
        value={values.language}
        onChange={(value) => set('language', value)}
        autoComplete="off"
        spellCheck={false}
        placeholder="en"
        hint="Optional: the template's language code on the provider, e.g. en or en_US."
        error={errors.language}
      />
      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={mutation.isPending}>
          {mutation.isPending ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
