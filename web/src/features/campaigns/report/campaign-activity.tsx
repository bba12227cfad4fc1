import type { Campaign } from '../../../api/campaigns.types';
import { formatDateTime } from '../../../components/format';
import { QueryState } from '../../../components/query-state';
import { useCampaignActivity } from '../campaigns.hooks';
import { activityText } from './activity-format';
import { MorePages } from '../../../components/more-pages';

/**
 * Who or what changed the campaign, newest first: users by email, API credentials by label, and
 * wacast itself (scheduler, publisher, wacast restore). Fetched again when the report's live
 * stream sees the campaign change (use-campaign-stream.ts). Everything is rendered as text.
 */
export function CampaignActivity({ campaign }: { campaign: Campaign }) {
  const activity = useCampaignActivity(campaign.id);
  const entries = activity.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="panel" aria-labelledby="activity-title">
      <h2 className="panel__title" id="activity-title">
        Activity
      </h2>
      <QueryState query={activity} loading="Loading the activity">
        {() =>
          entries.length === 0 ? (
            <p className="muted">Nothing recorded yet: changes made before this version of wacast are not in the activity.</p>
          ) : (
            <ol className="activity" data-testid="campaign-activity">
              {entries.map((entry) => (
                <li key={entry.id} className="activity__entry">
                  <span className="activity__text">{activityText(entry)}</span>
                  <span className="muted"> · </span>
                  <time className="activity__time muted" dateTime={new Date(entry.at).toISOString()}>
                    {formatDateTime(entry.at)}
                  </time>
                </li>
              ))}
            </ol>
          )
        }
      </QueryState>
      <MorePages query={activity} label="Show older" pager />
    </section>
  );
}
