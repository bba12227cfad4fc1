import { useRef, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { useNavigate } from 'react-router-dom';
import { Alert } from '../../../components/alert';
import { TextField } from '../../../components/field';
import { UnsavedChangesGuard } from '../../../components/unsaved-changes-guard';
import { useFocusFirstInvalid } from '../../../components/use-focus-first-invalid';
import { formErrorsOf, noFormErrors } from '../../../api/form-errors';
import type { Campaign, CampaignInput } from '../../../api/campaigns.types';
import type { ProviderAccount } from '../../../api/types';
import { useUpdateCampaign } from '../campaigns.hooks';
import { builderProblems, toCampaignInput, valuesFromCampaign, type BuilderValues } from './builder-values';
import { CutoffFields, DndFields } from './when-section';
import { RateField } from './delivery-section';

/** What a scheduled or paused campaign may still change (the server refuses the rest with a 409). */
const CHANGEABLE = ['name', 'ratePerSecond', 'dnd', 'cutoffAt'] as const satisfies ReadonlyArray<keyof CampaignInput>;
/** Their field paths, for the messages shown next to them. */
const PATHS = ['name', 'ratePerSecond', 'dnd', 'dnd.from', 'dnd.to', 'dnd.timezone', 'dnd.action', 'cutoffAt'];

const onlyChangeable = (problems: Record<string, string>) => Object.fromEntries(Object.entries(problems).filter(([path]) => PATHS.includes(path)));

/**
 * The name and delivery settings of a scheduled or paused campaign — messages per second, DND
 * hours, cut-off — which is all such a campaign can change; its message and audience stay as
 * published (clone it to change those). Saving changes only these fields.
 */
export function DeliverySettingsForm({ campaign, provider }: { campaign: Campaign; provider: ProviderAccount | undefined }) {
  const formRef = useRef<HTMLFormElement>(null);
  const focusInvalid = useFocusFirstInvalid(formRef);
  const navigate = useNavigate();
  const update = useUpdateCampaign();
  const [values, setValues] = useState(() => valuesFromCampaign(campaign));
  const [attempted, setAttempted] = useState(false);
  const [unsaved, setUnsaved] = useState(false);
  const set = <K extends keyof BuilderValues>(key: K, value: BuilderValues[K]) => {
    setUnsaved(true);
    setValues((current) => ({ ...current, [key]: value }));
  };
  const problemsNow = () => onlyChangeable(builderProblems(values, { template: undefined, provider, now: Date.now() }));
  const serverErrors = update.isError ? formErrorsOf(update.error, PATHS) : noFormErrors;
  const errors: Record<string, string | undefined> = { ...serverErrors.fields, ...(attempted ? problemsNow() : {}) };

  function submit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(problemsNow()).length > 0) {
      update.reset();
      focusInvalid();
      return;
    }
    const input = toCampaignInput(values, undefined);
    const patch = Object.fromEntries(CHANGEABLE.map((key) => [key, input[key]])) as Partial<CampaignInput>;
    update.mutate(
      { id: campaign.id, patch },
      {
        onSuccess: () => {
          flushSync(() => setUnsaved(false));
          void navigate(`/campaigns/${campaign.id}`, { state: { notice: 'Changes saved.' } });
        },
        onError: () => focusInvalid(),
      },
    );
  }

  return (
    <form ref={formRef} className="form" noValidate onSubmit={submit}>
      <UnsavedChangesGuard when={unsaved} what="your changes to this campaign" />
      {serverErrors.summary ? <Alert>{serverErrors.summary}</Alert> : null}
      <TextField label="Campaign name" value={values.name} onChange={(value) => set('name', value)} error={errors.name} />
      <RateField values={values} set={set} errors={errors} provider={provider} />
      <DndFields values={values} set={set} errors={errors} />
      <CutoffFields values={values} set={set} errors={errors} />
      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}
