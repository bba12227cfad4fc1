import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Badge, EmptyState, PageHeader } from '../../components/page';
import { SelectField } from '../../components/field';
import { QueryState } from '../../components/query-state';
import { formatDateTime } from '../../components/format';
import { CAMPAIGN_STATES, type CampaignState } from '../../api/campaigns.types';
import { useProviders } from '../providers/providers.hooks';
import { PROVIDERS_PATH } from '../providers/providers.page';
import { useCampaignList } from './campaigns.hooks';
import { STATE_LABELS } from './campaign-state';
import { StateBadge } from './state-badge';
import { NewCampaignMenu } from './new-campaign-menu';
import { count } from './report/report-format';
import { actorText } from './report/activity-format';
import { MorePages } from '../../components/more-pages';
import { ColumnHeads, type Column } from '../../components/column-heads';

const LIST_COLUMNS: Column[] = [
  'Name',
  'State',
  ...['Targeted', 'Sent', 'Delivered', 'Read', 'Failed', 'Replied'].map((label) => ({ label, numeric: true })),
  'Created',
  'Published',
];

const STATE_OPTIONS = [{ value: '', label: 'All states' }, ...CAMPAIGN_STATES.map((state) => ({ value: state, label: STATE_LABELS[state] }))];

/** Campaigns: name, state, key numbers, created/published; filter by state; + Campaign → WhatsApp. */
export function CampaignsPage() {
  const [params, setParams] = useSearchParams();
  const stateParam = params.get('state') ?? '';
  const state = (CAMPAIGN_STATES as readonly string[]).includes(stateParam) ? (stateParam as CampaignState) : '';
  const list = useCampaignList(state);
  const providers = useProviders();
  const [now] = useState(() => Date.now());
  const campaigns = list.data?.pages.flatMap((page) => page.items) ?? [];
  const noProviders = providers.data !== undefined && providers.data.length === 0;
  return (
    <>
      <PageHeader title="Campaigns" description="Template campaigns sent to your segments, with live delivery and reply statistics." actions={<NewCampaignMenu />} />
      <div className="toolbar">
        <SelectField
          label="State"
          value={state}
          onChange={(value) => setParams(value ? { state: value } : {}, { replace: true })}
          options={STATE_OPTIONS}
        />
      </div>
      <QueryState query={list} loading="Loading campaigns">
        {() =>
          campaigns.length === 0 ? (
            state ? (
              <EmptyState title={`No ${STATE_LABELS[state].toLowerCase()} campaigns`}>
                <p>Choose another state, or all states.</p>
              </EmptyState>
            ) : (
              <EmptyState title="No campaigns yet">
                {noProviders ? (
                  <p>
                    Campaigns send through a provider account: <Link to={PROVIDERS_PATH}>connect one</Link>, register its templates, then use + Campaign.
                  </p>
                ) : (
                  <p>Use + Campaign → WhatsApp to send a template to a segment, to all opted-in users, or to a list of identities.</p>
                )}
              </EmptyState>
            )
          ) : (
            <>
              <div className="table-scroll">
                <table className="table" data-testid="campaign-list">
                  <caption className="visually-hidden">Campaigns{state ? `, ${STATE_LABELS[state].toLowerCase()}` : ''}</caption>
                  <ColumnHeads columns={LIST_COLUMNS} />
                  <tbody>
                    {campaigns.map((campaign) => (
                      <tr key={campaign.id}>
                        <td>
                          <Link to={`/campaigns/${campaign.id}`}>{campaign.name}</Link>
                          {campaign.state === 'scheduled' && campaign.sendAt && campaign.sendAt > now ? <p className="table__secondary table__secondary--wrap">Starts {formatDateTime(campaign.sendAt)}</p> : null}
                        </td>
                        <td>
                          <StateBadge state={campaign.state} />
                          {campaign.warnings.some((warning) => warning.code === 'no_delivery_reports') ? (
                            <p className="table__secondary">
                              <Badge tone="warning">No delivery reports</Badge>
                            </p>
                          ) : null}
                        </td>
                        <td className="num">{count(campaign.stats.targeted)}</td>
                        <td className="num">{count(campaign.stats.sent)}</td>
                        <td className="num">{count(campaign.stats.delivered)}</td>
                        <td className="num">{count(campaign.stats.read)}</td>
                        <td className="num">{count(campaign.stats.failed)}</td>
                        <td className="num">{count(campaign.stats.replied)}</td>
                        <td>
                          {formatDateTime(campaign.createdAt)}
                          {campaign.createdBy ? <p className="table__secondary table__secondary--wrap">{actorText(campaign.createdBy)}</p> : null}
                        </td>
                        <td>{formatDateTime(campaign.publishedAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <MorePages query={list} label="Load more" pager />
            </>
          )
        }
      </QueryState>
    </>
  );
}
