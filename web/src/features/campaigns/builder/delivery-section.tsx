import { TextField } from '../../../components/field';
import type { ProviderAccount } from '../../../api/types';
import { BuilderSection } from './builder-section';
import type { SectionProps } from './section-props';

/** Delivery: messages per second, capped at the provider account's rate (shown). */
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
    </BuilderSection>
  );
}
