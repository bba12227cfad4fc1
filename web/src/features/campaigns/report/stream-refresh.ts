/**
 * When a `campaign` event of the report's stream means the timeline must be fetched again. The
 * timeline is fetched once with the page; the stream's first event arrives a moment later. A
 * campaign that changed in between — and then never again, as one finishing right then — would
 * keep a timeline short of its last minutes if that first event were only taken as the baseline:
 * it is compared with the numbers the page was loaded with instead.
 *
 * `previous`: the stats of the last event, or null before the first one; `loaded`: the stats the
 * page holds from its own request (undefined while it is still loading: refresh, to be sure).
 */
export function timelineNeedsRefresh(previous: string | null, loaded: string | undefined, stats: string): boolean {
  const baseline = previous ?? loaded;
  return baseline === undefined || baseline !== stats;
}

/**
 * What of a campaign an activity entry is about: everything but its numbers, warnings and the
 * progress of adding its audience (which change many times a second while it sends, and never
 * come with an entry). When this changes between two `campaign` events, the Activity panel is
 * fetched again; a campaign that only moves its numbers costs no request.
 */
export function activitySignature(campaign: object): string {
  const { stats: _stats, warnings: _warnings, updatedAt: _updatedAt, audienceMaterialized: _materialized, ...rest } = campaign as Record<string, unknown>;
  return JSON.stringify(rest);
}
