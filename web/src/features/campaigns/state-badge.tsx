import type { CampaignState } from '../../api/campaigns.types';
import { STATE_LABELS, STATE_TONES } from './campaign-state';

export function StateBadge({ state }: { state: CampaignState }) {
  return (
    <span className={`badge badge--${STATE_TONES[state]}`} data-testid="campaign-state">
      {STATE_LABELS[state]}
    </span>
  );
}
