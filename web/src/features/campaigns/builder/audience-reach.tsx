import { Link } from 'react-router-dom';
import type { Audience, FrequencyCap } from '../../../api/campaigns.types';
import { Alert } from '../../../components/alert';
import { useAudienceEstimate } from '../../audience/segments.hooks';
import { reachSentence } from './reach-sentence';

/**
 * "Estimated reach", live: reachable profiles out of the audience and, with a frequency cap, how
 * many of them it would skip now — or what can honestly be said when there is no estimate. While
 * the estimate of a changed audience or cap loads — and from the moment they change (`settling`,
 * before the debounced request starts) — the previous one stays, dimmed and marked as updating: its
 * numbers are for the previous choices. With the campaign's provider account chosen, a warning
 * follows when the audience is larger than what the account has left of WhatsApp's daily
 * messaging limit (a warning only: publishing is not refused).
 */
export function AudienceReach({
  audience,
  frequencyCap,
  providerId = '',
  settling = false,
}: {
  audience: Audience;
  frequencyCap: FrequencyCap | null;
  providerId?: string;
  settling?: boolean;
}) {
  const estimate = useAudienceEstimate(audience, frequencyCap, providerId);
  let text: string;
  let previous = false;
  if ('identities' in audience && audience.identities.length === 0) {
    text = 'No identities listed yet.';
  } else if ('segmentId' in audience && audience.segmentId === '') {
    text = 'Choose a segment to see its reach.';
  } else if (estimate.isError) {
    text = `Cannot estimate the reach: ${estimate.error.message}`;
  } else if (!estimate.data) {
    text = 'Estimating…';
  } else {
    text = reachSentence(estimate.data);
    previous = estimate.isPlaceholderData || settling;
  }
  const limitWarning = estimate.data && !previous && !estimate.isError ? estimate.data.estimate.messagingLimit?.warning : null;
  return (
    <>
      <div className="reach" aria-live="polite" aria-busy={estimate.isFetching}>
        <span className="reach__label">Estimated reach</span>
        <span className={previous ? 'reach__value reach__value--previous' : 'reach__value'} data-testid="estimated-reach">
          {text}
        </span>
        {(estimate.isFetching || settling) && estimate.data ? <span className="muted"> (updating…)</span> : null}
      </div>
      {limitWarning ? (
        <div data-testid="messaging-limit-warning">
          <Alert kind="warning">
            {limitWarning} You can still publish.{' '}
            <Link to={`/settings/channels/whatsapp/${encodeURIComponent(providerId)}`}>Open the provider account</Link>
          </Alert>
        </div>
      ) : null}
    </>
  );
}
