import type { Audience } from '../../../api/campaigns.types';
import { useAudienceEstimate } from '../../audience/segments.hooks';

const count = (n: number) => n.toLocaleString('en');

/** "Estimated reach", live: reachable profiles out of the audience, or what can honestly be said when there is no estimate. */
export function AudienceReach({ audience }: { audience: Audience }) {
  const estimate = useAudienceEstimate(audience);
  let text: string;
  if ('identities' in audience && audience.identities.length === 0) {
    text = 'No identities listed yet.';
  } else if ('segmentId' in audience && audience.segmentId === '') {
    text = 'Choose a segment to see its reach.';
  } else if (estimate.isError) {
    text = `Cannot estimate the reach: ${estimate.error.message}`;
  } else if (!estimate.data) {
    text = 'Estimating…';
  } else {
    const of = 'all' in audience ? 'profiles' : 'segmentId' in audience ? 'profiles in the segment' : `profiles found for the ${count(audience.identities.length)} identities listed`;
    text = `${count(estimate.data.reachable)} reachable on WhatsApp, of ${count(estimate.data.total)} ${of}.`;
  }
  return (
    <div className="reach" aria-live="polite">
      <span className="reach__label">Estimated reach</span>
      <span className="reach__value" data-testid="estimated-reach">
        {text}
      </span>
      {estimate.isFetching && estimate.data ? <span className="muted"> (updating…)</span> : null}
    </div>
  );
}
