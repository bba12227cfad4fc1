import { CheckboxField, TextField } from '../../../components/field';
import type { ProviderAccount } from '../../../api/types';
import { BuilderSection } from './builder-section';
import { FREQUENCY_CAP_LIMITS } from './builder-values';
import type { SectionProps } from './section-props';

/** Delivery: messages per second, capped at the provider account's rate (shown), and an optional frequency cap. */
export function DeliverySection({ values, set, errors, provider }: SectionProps & { provider: ProviderAccount | undefined }) {
  const limit = provider?.ratePerSecond;
  return (
    <BuilderSection id="delivery" step={5} title="Delivery">
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
      <CheckboxField
        label="Frequency cap"
        checked={values.frequencyCapEnabled}
        onChange={(checked) => set('frequencyCapEnabled', checked)}
        hint="Skip users who already received this many campaign messages from this project recently; they are counted under skipped → frequency cap."
        error={errors.frequencyCap}
      />
      {values.frequencyCapEnabled ? (
        <div className="field-row">
          <TextField
            label="At most (messages per user)"
            type="number"
            inputMode="numeric"
            min={FREQUENCY_CAP_LIMITS.messages.min}
            max={FREQUENCY_CAP_LIMITS.messages.max}
            step={1}
            value={values.frequencyCapMessages}
            onChange={(value) => set('frequencyCapMessages', value)}
            error={errors['frequencyCap.messages']}
          />
          <TextField
            label="In the last (days)"
            type="number"
            inputMode="numeric"
            min={FREQUENCY_CAP_LIMITS.days.min}
            max={FREQUENCY_CAP_LIMITS.days.max}
            step={1}
            value={values.frequencyCapDays}
            onChange={(value) => set('frequencyCapDays', value)}
            error={errors['frequencyCap.days']}
          />
        </div>
      ) : null}
    </BuilderSection>
  );
}
