import { SelectField, TextField } from '../../../components/field';
import type { ProviderAccount } from '../../../api/types';
import { BuilderSection } from './builder-section';
import type { SectionProps } from './section-props';

/** Setup: name, provider account, optional conversion goal event. */
export function SetupSection({ values, set, errors, providers }: SectionProps & { providers: ProviderAccount[] }) {
  const provider = providers.find((candidate) => candidate.id === values.providerId);
  return (
    <BuilderSection id="setup" step={1} title="Setup">
      <TextField label="Campaign name" value={values.name} onChange={(value) => set('name', value)} autoComplete="off" hint="Shown in the campaign list and reports only." error={errors.name} />
      <SelectField
        label="Provider account"
        value={values.providerId}
        onChange={(value) => set('providerId', value)}
        options={providers.map((candidate) => ({ value: candidate.id, label: `${candidate.nickname}${candidate.isDefault ? ' (default)' : ''}` }))}
        placeholder={values.providerId === '' ? 'Choose a provider account' : undefined}
        hint={provider ? `Sends through ${provider.nickname}, at up to ${provider.ratePerSecond} messages per second.` : 'The WhatsApp account the messages go out from.'}
        error={errors.providerId}
      />
      <TextField
        label="Conversion goal event"
        value={values.conversionEvent}
        onChange={(value) => set('conversionEvent', value)}
        autoComplete="off"
        placeholder="Charged"
        hint="Optional: the event that counts as a conversion when a recipient does it within 7 days after the message, e.g. Charged."
        error={errors.conversionEvent}
      />
    </BuilderSection>
  );
}
