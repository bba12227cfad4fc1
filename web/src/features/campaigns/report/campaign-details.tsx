import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { formatDateTime } from '../../../components/format';
import type { Campaign } from '../../../api/campaigns.types';
import { useProviders } from '../../providers/providers.hooks';
import { useTemplates } from '../../templates/templates.hooks';
import { useSegments } from '../../audience/segments.hooks';

function AudienceText({ campaign }: { campaign: Campaign }) {
  const segments = useSegments();
  const audience = campaign.audience;
  if ('all' in audience) return <>All opted-in users</>;
  if ('identities' in audience) return <>{audience.identities.length.toLocaleString('en')} listed identities</>;
  const segment = segments.data?.find((candidate) => candidate.id === audience.segmentId);
  return (
    <>
      Segment <Link to={`/audience/segments/${audience.segmentId}`}>{segment?.name ?? audience.segmentId}</Link>
    </>
  );
}

/** What the campaign sends, to whom, when and how fast. */
export function CampaignDetails({ campaign }: { campaign: Campaign }) {
  const providers = useProviders();
  const templates = useTemplates();
  const provider = providers.data?.find((candidate) => candidate.id === campaign.providerId);
  const template = templates.data?.find((candidate) => candidate.id === campaign.templateId);
  const rows: Array<[string, ReactNode]> = [
    ['Provider account', provider ? provider.nickname : '—'],
    ['Template', template ? <Link to={`/templates/${template.id}`} className="mono">{template.namespace}</Link> : '—'],
    ['Audience', <AudienceText key="audience" campaign={campaign} />],
    ['Send', campaign.sendAt ? formatDateTime(campaign.sendAt) : 'At publish'],
    ['Do not disturb', campaign.dnd ? `${campaign.dnd.from}–${campaign.dnd.to} ${campaign.dnd.timezone}, ${campaign.dnd.action === 'delay' ? 'delayed' : 'discarded'}` : 'No'],
    ['Cut-off', campaign.cutoffAt ? formatDateTime(campaign.cutoffAt) : 'None'],
    ['Messages per second', campaign.ratePerSecond ? String(campaign.ratePerSecond) : provider ? `${provider.ratePerSecond} (the account's rate)` : "The account's rate"],
    ['Frequency cap', campaign.frequencyCap ? `At most ${campaign.frequencyCap.messages} per user in ${campaign.frequencyCap.days === 1 ? '1 day' : `${campaign.frequencyCap.days} days`}` : 'None'],
    ['Conversion goal', campaign.conversionEvent ?? 'None'],
    ['Created', formatDateTime(campaign.createdAt)],
    ['Published', formatDateTime(campaign.publishedAt)],
    // completedAt is when the campaign ended, however it ended.
    [campaign.state === 'stopped' ? 'Stopped' : campaign.state === 'failed' ? 'Failed' : 'Completed', formatDateTime(campaign.completedAt)],
  ];
  return (
    <section className="panel" aria-labelledby="details-title">
      <h2 className="panel__title" id="details-title">
        Details
      </h2>
      <dl className="details">
        {rows.map(([label, value]) => (
          <div key={label} className="details__row">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
