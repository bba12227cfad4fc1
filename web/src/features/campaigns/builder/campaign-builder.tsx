import { useRef, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { useNavigate } from 'react-router-dom';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert } from '../../../components/alert';
import { UnsavedChangesGuard } from '../../../components/unsaved-changes-guard';
import { useFocusFirstInvalid } from '../../../components/use-focus-first-invalid';
import { formErrorsOf, noFormErrors } from '../../../api/form-errors';
import { campaignAction, createCampaign, updateCampaign } from '../../../api/campaigns.api';
import { queryKeys } from '../../../api/query-keys';
import type { Campaign } from '../../../api/campaigns.types';
import type { ProviderAccount, Template } from '../../../api/types';
import { builderPaths, builderProblems, sizedParams, toCampaignInput, VALUE_PATH_ROOTS, withoutEdited, type BuilderValues } from './builder-values';
import { SetupSection } from './setup-section';
import { WhoSection } from './who-section';
import { WhatSection } from './what-section';
import { WhenSection } from './when-section';
import { DeliverySection } from './delivery-section';
import type { PreviewProblem } from './message-preview';

const SECTIONS = [
  ['setup', 'Setup'],
  ['who', 'Who'],
  ['what', 'What'],
  ['when', 'When'],
  ['delivery', 'Delivery'],
  ['publish', 'Publish'],
] as const;

type Intent = 'draft' | 'publish';

export interface CampaignBuilderProps {
  initial: BuilderValues;
  /** The draft being edited, if any. */
  campaign?: Campaign;
  providers: ProviderAccount[];
  templates: Template[];
}

/**
 * The builder: Setup → Who → What → When → Delivery → Publish on one page. Saving creates (or
 * changes) the draft; publishing saves, then publishes. Problems found here or by the server sit
 * next to their fields, and focus moves to the first one.
 */
export function CampaignBuilder({ initial, campaign, providers, templates }: CampaignBuilderProps) {
  const formRef = useRef<HTMLFormElement>(null);
  const focusInvalid = useFocusFirstInvalid(formRef);
  const navigate = useNavigate();
  const client = useQueryClient();
  const [values, setValues] = useState(initial);
  const [attempted, setAttempted] = useState(false);
  // Path roots changed since the last save attempt: their server messages are out of date.
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  // After a first save, later saves change that draft instead of creating another.
  const [savedId, setSavedId] = useState<string | null>(campaign?.id ?? null);
  // Anything typed or chosen since the page opened (or since the last save): leaving asks first,
  // since the links to build a segment or add a template leave the builder in the same tab.
  const [unsaved, setUnsaved] = useState(false);
  // The live preview's verdict for its sample profile, repeated next to Publish.
  const [previewProblem, setPreviewProblem] = useState<PreviewProblem>(null);
  const template = templates.find((candidate) => candidate.id === values.templateId && candidate.providerId === values.providerId);
  const provider = providers.find((candidate) => candidate.id === values.providerId);

  const save = useMutation({
    mutationFn: async (intent: Intent) => {
      const input = toCampaignInput(values, template);
      let saved = savedId ? await updateCampaign(savedId, input) : await createCampaign(input);
      setSavedId(saved.id);
      if (intent === 'publish') saved = await campaignAction(saved.id, 'publish');
      return saved;
    },
    onSuccess: async (saved) => {
      client.setQueryData(queryKeys.campaign(saved.id), saved);
      await client.invalidateQueries({ queryKey: [...queryKeys.campaigns, 'list'] });
      flushSync(() => setUnsaved(false));
      void navigate(`/campaigns/${saved.id}`, { state: { notice: saved.state === 'draft' ? 'Draft saved.' : saved.state === 'scheduled' ? 'Campaign scheduled.' : 'Campaign published.' } });
    },
    onError: () => focusInvalid(),
  });

  const set = <K extends keyof BuilderValues>(key: K, value: BuilderValues[K]) => {
    setUnsaved(true);
    setEdited((current) => (current.has(VALUE_PATH_ROOTS[key]) ? current : new Set([...current, VALUE_PATH_ROOTS[key]])));
    setValues((current) => {
      const next = { ...current, [key]: value };
      // A template belongs to one account: changing the account drops a template of another.
      if (key === 'providerId' && templates.find((candidate) => candidate.id === current.templateId)?.providerId !== value) next.templateId = '';
      if (key === 'templateId') {
        const chosen = templates.find((candidate) => candidate.id === value);
        next.params = sizedParams(current.params, chosen?.placeholderCount ?? 0);
      }
      return next;
    });
  };

  const clientProblems = attempted ? builderProblems(values, { template, provider, now: Date.now() }) : {};
  const serverErrors = save.isError ? formErrorsOf(save.error, builderPaths(template?.placeholderCount ?? 0)) : noFormErrors;
  const errors: Record<string, string | undefined> = { ...withoutEdited(serverErrors.fields, edited), ...clientProblems };

  function submit(intent: Intent) {
    setAttempted(true);
    setEdited(new Set());
    if (Object.keys(builderProblems(values, { template, provider, now: Date.now() })).length > 0) {
      save.reset();
      focusInvalid();
      return;
    }
    save.mutate(intent);
  }

  const sectionProps = { values, set, errors };
  return (
    <div className="with-side-nav">
      <UnsavedChangesGuard when={unsaved} what={campaign ? 'your changes to this draft' : 'this campaign'} />
      <nav className="side-nav" aria-label="Campaign sections">
        <p className="side-nav__heading">Sections</p>
        <ol className="side-nav__steps">
          {SECTIONS.map(([id, title]) => (
            <li key={id}>
              <a className="side-nav__link" href={`#${id}`}>
                {title}
              </a>
            </li>
          ))}
        </ol>
      </nav>
      <form ref={formRef} className="builder" noValidate onSubmit={(event: FormEvent) => event.preventDefault()}>
        <SetupSection {...sectionProps} providers={providers} />
        <WhoSection {...sectionProps} />
        <WhatSection {...sectionProps} templates={templates} template={template} onPreviewProblem={setPreviewProblem} />
        <WhenSection {...sectionProps} />
        <DeliverySection {...sectionProps} provider={provider} />
        <section className="builder-section" id="publish" aria-labelledby="publish-title">
          <h2 className="builder-section__title" id="publish-title">
            <span className="builder-section__step" aria-hidden="true">
              6
            </span>
            Publish
          </h2>
          {serverErrors.summary ? <Alert>{serverErrors.summary}</Alert> : null}
          {attempted && Object.keys(clientProblems).length > 0 ? <Alert>Some fields need attention: see the messages next to them.</Alert> : null}
          {template && previewProblem ? (
            <Alert kind="warning">
              <span data-testid="publish-preview-warning">
                The preview says: {previewProblem.replace(/\.$/, '')}. Recipients like this one are skipped as “Missing placeholder value”; give such values a <code>default</code> (What) to reach them.
              </span>
            </Alert>
          ) : null}
          <p className="muted">
            {values.when === 'later'
              ? 'Publishing schedules the campaign: it starts at the chosen time.'
              : 'Publishing starts sending at once, at the chosen rate. A draft can still be changed.'}
          </p>
          <div className="actions">
            <button type="button" className="btn btn--secondary" disabled={save.isPending} onClick={() => submit('draft')}>
              {save.isPending && save.variables === 'draft' ? 'Saving…' : 'Save as draft'}
            </button>
            <button type="button" className="btn btn--primary" disabled={save.isPending} onClick={() => submit('publish')}>
              {save.isPending && save.variables === 'publish' ? 'Publishing…' : 'Publish'}
            </button>
          </div>
        </section>
      </form>
    </div>
  );
}
