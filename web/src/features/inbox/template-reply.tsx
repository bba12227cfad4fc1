import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';
import { TemplateFields, useTemplateChoice } from '../templates/template-fields';
import { useReply } from './inbox.hooks';

/** Outside the 24-hour window only a template may be sent: pick one of the account's templates and give its values. */
export function TemplateReply({ phone, providerId }: { phone: string; providerId: string }) {
  const choice = useTemplateChoice(providerId);
  const { templates, mine, template } = choice;
  const reply = useReply(phone);
  const [mediaUrl, setMediaUrl] = useState('');
  const errors = reply.isError ? formErrorsOf(reply.error, [...choice.paths, 'mediaUrl']) : noFormErrors;
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!template) return;
    reply.mutate(
      { templateId: template.id, params: choice.values(), ...(template.attachmentType !== 'none' ? { mediaUrl: mediaUrl.trim() } : {}) },
      { onSuccess: choice.clearParams },
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
      <TemplateFields label="Reply with template" choice={choice} errors={errors.fields} />
      {template && template.attachmentType !== 'none' ? <TextField label="Media URL" type="url" value={mediaUrl} onChange={setMediaUrl} error={errors.fields.mediaUrl} /> : null}
      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={reply.isPending || !template}>
          {reply.isPending ? 'Sending…' : 'Send template'}
        </button>
      </div>
    </form>
  );
}
