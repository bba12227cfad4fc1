import type { Audience, FrequencyCap } from '../../../api/campaigns.types';
import { useAudienceEstimate } from '../../audience/segments.hooks';

const count = (n: number) => n.toLocaleString('en');

/** What the frequency cap would take off the reach, as a clause of the reach sentence ('' without a cap). */
function cappedClause(frequencyCapped: number | undefined): string {
  if (frequencyCapped === undefined) return '';
  // "About": the count is of now; messages sent or failing before publish move it.
  return frequencyCapped === 0 ? ' · none would be skipped by the frequency cap' : ` · about ${count(frequencyCapped)} would be skipped by the frequency cap`;
}

/**
 * "Estimated reach", live: reachable profiles out of the audience and, with a frequency cap, how
 * many of them it would skip now — or what can honestly be said when there is no estimate.
 */
export function AudienceReach({ audience, frequencyCap }: { audience: Audience; frequencyCap: FrequencyCap | null }) {
  const estimate = useAudienceEstimate(audience, frequencyCap);
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
    text = `${count(estimate.data.reachable)} reachable on WhatsApp, of ${count(estimate.data.total)} ${of}${cappedClause(estimate.data.frequencyCapped)}.`;
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
