import type { AudienceReachEstimate } from '../../audience/segments.hooks';

const count = (n: number) => n.toLocaleString('en');

/** What the frequency cap would take off the reach, as a clause of the reach sentence ('' without a cap). */
function cappedClause(frequencyCapped: number | undefined): string {
  if (frequencyCapped === undefined) return '';
  // "About": the count is of now; messages sent or failing before publish move it.
  return frequencyCapped === 0 ? ' · none would be skipped by the frequency cap' : ` · about ${count(frequencyCapped)} would be skipped by the frequency cap`;
}

/**
 * "6 reachable on WhatsApp, of 7 profiles · about 5 would be skipped by the frequency cap.": the
 * estimate described by the audience it counted (which, while the next estimate loads, is not the
 * one chosen now).
 */
export function reachSentence({ audience, estimate }: AudienceReachEstimate): string {
  const of = 'all' in audience ? 'profiles' : 'segmentId' in audience ? 'profiles in the segment' : `profiles found for the ${count(audience.identities.length)} identities listed`;
  return `${count(estimate.reachable)} reachable on WhatsApp, of ${count(estimate.total)} ${of}${cappedClause(estimate.frequencyCapped)}.`;
}
