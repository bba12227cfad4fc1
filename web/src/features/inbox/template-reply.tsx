import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { SelectField, TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';
import { useTemplates } from '../templates/templates.hooks';
import { useReply } from './inbox.hooks';

/** Outside the 24-hour window only a template may be sent: pick one of the account's templates and give its values. */
export function TemplateReply({ phone, providerId }: { phone: string; providerId: string }) {
  const templates = useTemplates();
  const reply = useReply(phone);
  const [templateId, setTemplateId] = useState('');
  const [params, setParams] = useState<string[]>([]);
  const [mediaUrl, setMediaUrl] = useState('');
  const mine = (templates.data ?? []).filter((template) => template.providerId === providerId);
  const template = mine.find((candidate) => candidate.id === templateId);
  const count = template?.placeholderCount ?? 0;
  const paths = ['templateId', 'params', 'mediaUrl', ...Array.from({ length: count }, (_, index) => `params.${index}`)];
  const errors = reply.isError ? formErrorsOf(reply.error, paths) : noFormErrors;
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!template) return;
    reply.mutate(
      { templateId, params: Array.from({ length: count }, (_, index) => params[index] ?? ''), ...(template.attachmentType !== 'none' ? { mediaUrl: mediaUrl.trim() } : {}) },
      { onSuccess: () => setParams([]) },
    );
  }
  return (
    <form className="reply-box" onSubmit={submit} noValidate>
      <p className="muted">The 24-hour window is closed: the user has not written in the last 24 hours, so only an approved template can be sent.</p>
      {errors.summary ? <Alert>{errors.summary}</Alert> : null}
      {templates.isSuccess && mine.length === 0 ? (
        <Alert kind="info">
          This conversation's provider account has no templates: <Link to="/templates/new">add one</Link>.
        </Alert>
      ) : null}
      <SelectField
        label="Reply with template"
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
      {template && template.attachmentType !== 'none' ? <TextField label="Media URL" type="url" value={mediaUrl} onChange={setMediaUrl} error={errors.fields.mediaUrl} /> : null}
      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={reply.isPending || !template}>
          {reply.isPending ? 'Sending…' : 'Send template'}
        </button>
      </div>
    </form>
  );
}
