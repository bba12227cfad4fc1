import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { campaignEventsUrl } from '../../../api/campaigns.api';
import { queryKeys } from '../../../api/query-keys';
import type { Campaign } from '../../../api/campaigns.types';
import type { UpdatesStatus } from '../campaign-state';
import { activitySignature, timelineNeedsRefresh } from './stream-refresh';

/** The connection's state; what the page says about it depends on the campaign's (campaign-state.ts, updatesText). */
export type StreamStatus = UpdatesStatus;

/** The timeline is a per-minute aggregate: asking for it more often than this adds nothing but load. */
export const TIMELINE_REFRESH_MS = 3_000;

/**
 * Follows `GET /api/v1/campaigns/:id/events` (server-sent events): every `campaign` event
 * replaces the cached campaign, so the page's numbers and funnel move without reloading; when the
 * stats changed (the first event: since the page loaded, see stream-refresh.ts), the timeline and
 * the shown page of the message log are refetched at most every TIMELINE_REFRESH_MS. EventSource
 * reconnects by itself after a network blip. When the campaign changed otherwise than in its
 * numbers (its state, a field: see activitySignature), its Activity panel is fetched again.
 */
export function useCampaignStream(id: string): StreamStatus {
  const client = useQueryClient();
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const lastStats = useRef<string | null>(null);
  const lastRefresh = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    setStatus('connecting');
    lastStats.current = null;
    const source = new EventSource(campaignEventsUrl(id), { withCredentials: true });
    const refreshTimeline = () => {
      if (timer.current) return;
      const wait = Math.max(0, lastRefresh.current + TIMELINE_REFRESH_MS - Date.now());
      timer.current = setTimeout(() => {
        timer.current = null;
        lastRefresh.current = Date.now();
        void client.invalidateQueries({ queryKey: queryKeys.campaignTimeline(id) });
        // Keyset pages are stable: refetching the shown page updates its rows' statuses in place.
        void client.invalidateQueries({ queryKey: ['project', 'campaigns', 'messages', id] });
      }, wait);
    };
    source.addEventListener('campaign', (event: MessageEvent<string>) => {
      let campaign: Campaign;
      try {
        campaign = JSON.parse(event.data) as Campaign;
      } catch {
        return;
      }
      const loaded = client.getQueryData<Campaign>(queryKeys.campaign(id));
      const stats = JSON.stringify(campaign.stats);
      if (timelineNeedsRefresh(lastStats.current, loaded && JSON.stringify(loaded.stats), stats)) refreshTimeline();
      lastStats.current = stats;
      // Compared with what the page shows, not with the previous event: the server sends only the
      // latest state of a burst, so a change made here (the page's own mutation updated it and
      // refetched the activity) and undone elsewhere within the burst would compare equal.
      if (loaded && activitySignature(loaded) !== activitySignature(campaign)) void client.invalidateQueries({ queryKey: queryKeys.campaignActivity(id) });
      client.setQueryData(queryKeys.campaign(id), campaign);
    });
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    return () => {
      source.close();
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [id, client]);

  return status;
}
