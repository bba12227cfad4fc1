import { CheckboxField, TextField } from '../../../components/field';
import type { ProviderAccount } from '../../../api/types';
import { BuilderSection } from './builder-section';
import { FREQUENCY_CAP_LIMITS, FREQUENCY_CAP_VALUES, type FrequencyCapField } from './builder-values';
import type { SectionProps } from './section-props';

const CAP_FIELDS: ReadonlyArray<readonly [FrequencyCapField, string]> = [
  ['messages', 'At most (messages per user)'],
  ['days', 'In the last (days)'],
];

/** Delivery: messages per second, capped at the provider account's rate (shown), and an optional frequency cap. */
export function DeliverySection({ values, set, errors, provider }: SectionProps & { provider: ProviderAccount | undefined }) {
  return (
    <BuilderSection id="delivery" step={5} title="Delivery">
      <RateField values={values} set={set} errors={errors} provider={provider} />
      <CheckboxField
        label="Frequency cap"
        checked={values.frequencyCapEnabled}
        onChange={(checked) => set('frequencyCapEnabled', checked)}
        hint="Skip users who already received this many campaign messages from this project recently; they are counted under skipped → frequency cap. The estimated reach (Who) shows about how many it would skip now."
        error={errors.frequencyCap}
      />
      {values.frequencyCapEnabled ? (
        <div className="field-row">
          {CAP_FIELDS.map(([field, label]) => (
            <TextField
              key={field}
              label={label}
              type="number"
              inputMode="numeric"
              min={FREQUENCY_CAP_LIMITS[field].min}
              max={FREQUENCY_CAP_LIMITS[field].max}
              step={1}
              value={values[FREQUENCY_CAP_VALUES[field]]}
              onChange={(value) => set(FREQUENCY_CAP_VALUES[field], value)}
              error={errors[`frequencyCap.${field}`]}
            />
          ))}
        </div>
      ) : null}
    </BuilderSection>
  );
}

/** Messages per second, at most the provider account's rate (shown); empty is the account's full rate. */
export function RateField({ values, set, errors, provider }: SectionProps & { provider: ProviderAccount | undefined }) {
  const limit = provider?.ratePerSecond;
  return (
    <TextField
      label="Messages per second"
      type="number"
      inputMode="numeric"
      min={1}
      max={limit}
      step={1}
      value={values.ratePerSecond}
      onChange={(value) => set('ratePerSecond', value)}
      placeholder={limit ? String(limit) : undefined}
      hint={
        limit
          ? `At most ${limit}, the limit of ${provider.nickname}. Empty: the account's full rate (${limit} per second), shared with its other running campaigns.`
          : 'Choose a provider account to see its limit.'
      }
      error={errors.ratePerSecond}
    />
  );
}
