import { useState } from 'react';
import { Link } from 'react-router-dom';
import { SelectField, TextField } from '../../../components/field';
import { Alert } from '../../../components/alert';
import type { Template } from '../../../api/types';
import { attachmentLabel } from '../../templates/template-rules';
import { PARAM_HINT, sizedParams, type BuilderValues } from './builder-values';
import { BuilderSection } from './builder-section';
import { MessagePreview, type PreviewProblem } from './message-preview';
import { SendTestPanel, useSendTest } from './send-test-panel';
import type { SectionProps } from './section-props';

/** What: the template, one Liquid value per placeholder, the media URL, a live preview and a test send. */
export function WhatSection(props: SectionProps & { templates: Template[]; template: Template | undefined; onPreviewProblem?: (problem: PreviewProblem) => void }) {
  const { values, set, errors, templates, template } = props;
  const mine = templates.filter((candidate) => candidate.providerId === values.providerId);
  const params = template ? sizedParams(values.params, template.placeholderCount) : [];
  const [sampleIdentity, setSampleIdentity] = useState('');
  const test = useSendTest();
  // A field shows the save's message about it, else the last Send test's (a value that cannot be
  // rendered for the sample profile sits under the values, not in the test panel's summary).
  const errorAt = (path: string) => errors[path] ?? test.errors.fields[path];
  /** A change of what the last Send test was judged on retires its answer. */
  const change = <K extends keyof BuilderValues>(key: K, value: BuilderValues[K]) => {
    test.retire();
    set(key, value);
  };
  return (
    <BuilderSection id="what" step={3} title="What">
      {values.providerId !== '' && mine.length === 0 ? (
        <Alert kind="info">
          This provider account has no templates yet: <Link to="/templates/new">add a template</Link> first.
        </Alert>
      ) : null}
      <SelectField
        label="Template"
        value={values.templateId}
        onChange={(value) => change('templateId', value)}
        options={mine.map((candidate) => ({ value: candidate.id, label: candidate.namespace }))}
        placeholder={values.templateId === '' || !template ? 'Choose a template' : undefined}
        hint={values.providerId === '' ? 'Choose the provider account first: each template belongs to one.' : 'The approved template the campaign sends.'}
        error={errorAt('templateId')}
      />
      {template ? (
        <div className="template-card">
          <p className="template-preview" data-testid="template-body">
            {template.body}
          </p>
          <p className="muted">
            {template.placeholderCount === 0 ? 'No placeholders.' : `${template.placeholderCount} placeholder${template.placeholderCount === 1 ? '' : 's'}.`} Attachment:{' '}
            {attachmentLabel(template.attachmentType)}.
          </p>
        </div>
      ) : null}
      {params.map((param, index) => (
        <TextField
          key={`${template?.id ?? ''}-${index}`}
          className="field--mono"
          label={`Value for {{${index + 1}}}`}
          value={param}
          onChange={(value) => {
            const next = sizedParams(values.params, params.length);
            next[index] = value;
            change('params', next);
          }}
          autoComplete="off"
          spellCheck={false}
          placeholder={PARAM_HINT}
          hint={
            <>
              A Liquid expression over the profile, e.g. <code>{PARAM_HINT}</code>, or plain text.
            </>
          }
          error={errorAt(`params.${index}`)}
        />
      ))}
      {errorAt('params') ? (
        <p className="field__error" data-testid="params-error">
          {errorAt('params')}
        </p>
      ) : null}
      {template && template.attachmentType !== 'none' ? (
        <TextField
          label="Media URL"
          type="url"
          value={values.mediaUrl}
          onChange={(value) => change('mediaUrl', value)}
          autoComplete="off"
          placeholder="https://cdn.example.com/offer.jpg"
          hint={`The ${attachmentLabel(template.attachmentType).toLowerCase()} sent with the template: a public https URL.`}
          error={errorAt('mediaUrl')}
        />
      ) : null}
      {template ? (
        <MessagePreview
          template={template}
          params={params}
          identity={sampleIdentity}
          setIdentity={(identity) => {
            test.retire();
            setSampleIdentity(identity);
          }}
          onProblem={props.onPreviewProblem}
        />
      ) : null}
      {template ? <SendTestPanel template={template} values={values} params={params} identity={sampleIdentity} test={test} /> : null}
    </BuilderSection>
  );
}
