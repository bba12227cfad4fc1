import { ApiError } from '../../../api/client';
import type { SegmentFilter } from '../../../api/audience.types';
import { useFilterEstimate } from '../segments.hooks';

const count = (n: number) => n.toLocaleString('en');

/**
 * The live estimated reach of the filter being built (asked after typing pauses), or why there is
 * none. From the moment the filter changes (`settling`) until its estimate arrives, the previous
 * answer is dimmed and marked as updating.
 */
export function SegmentReach({ filter, incomplete, settling = false }: { filter: SegmentFilter | null; incomplete: boolean; settling?: boolean }) {
  const estimate = useFilterEstimate(incomplete ? null : filter);
  let text: string;
  // An answer for the previous filter, kept while the current one's loads: dimmed like the campaign builder's.
  let previous = false;
  if (incomplete) text = 'Fill in every condition to see the reach.';
  else if (estimate.isError) text = estimate.error instanceof ApiError && estimate.error.status === 422 ? 'The filter has problems: see the conditions.' : `Cannot estimate: ${estimate.error.message}`;
  else if (!estimate.data) text = 'Estimating…';
  else {
    text = `${count(estimate.data.total)} ${estimate.data.total === 1 ? 'profile matches' : 'profiles match'}; ${count(estimate.data.reachable)} reachable on WhatsApp.`;
    previous = estimate.isPlaceholderData || settling;
  }
  return (
    <div className="reach reach--sticky" aria-live="polite" aria-busy={estimate.isFetching && !incomplete}>
      <span className="reach__label">Estimated reach</span>
      <span className={previous ? 'reach__value reach__value--previous' : 'reach__value'} data-testid="segment-reach">
        {text}
      </span>
      {(estimate.isFetching || settling) && !incomplete ? <span className="muted"> (updating…)</span> : null}
    </div>
  );
}
