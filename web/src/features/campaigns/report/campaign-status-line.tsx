import type { Campaign } from '../../../api/campaigns.types';
import { formatDateTime } from '../../../components/format';
import { StateBadge } from '../state-badge';
import type { updatesText } from '../campaign-state';

/**
 * The line under a campaign's name on its page: its state, whether the numbers follow live
 * updates, when a scheduled campaign starts (as the campaign list says it), and why it is in its
 * state when the server says.
 */
export function CampaignStatusLine({ campaign, updates }: { campaign: Pick<Campaign, 'state' | 'sendAt' | 'stateReason'>; updates: ReturnType<typeof updatesText> }) {
  return (
    <>
      <StateBadge state={campaign.state} />{' '}
      {updates ? (
        <span className={`live-indicator live-indicator--${updates.tone}`} role="status" data-testid="stream-status">
          {updates.text}
        </span>
      ) : null}
      {campaign.state === 'scheduled' && campaign.sendAt !== null ? (
        <span className="muted" data-testid="campaign-starts">
          {' '}
          · Starts {formatDateTime(campaign.sendAt)}
        </span>
      ) : null}
      {campaign.stateReason ? <span className="muted"> · {campaign.stateReason}</span> : null}
    </>
  );
}
