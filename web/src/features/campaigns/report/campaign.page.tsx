import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router-dom';
import { Loading, PageHeader } from '../../../components/page';
import { Alert } from '../../../components/alert';
import { QueryError } from '../../../components/query-error';
import { useCampaign } from '../campaigns.hooks';
import { CampaignActions } from './campaign-actions';
import { CampaignStatusLine } from './campaign-status-line';
import { CampaignDetails } from './campaign-details';
import { CampaignActivity } from './campaign-activity';
import { StatsPanel } from './stats-panel';
import { FunnelChart } from './funnel-chart';
import { TimelineChart } from './timeline-chart';
import { MessageLog } from './message-log';
import { updatesText } from '../campaign-state';
import { useCampaignStream } from './use-campaign-stream';

/** The campaign page: state and actions, the live numbers, funnel and timeline, the message log, details and activity. */
export function CampaignPage() {
  const { campaignId = '' } = useParams();
  const location = useLocation();
  // The notice of how the user got here ("Campaign published."), until they change the campaign.
  const [acted, setActed] = useState(false);
  const notice = acted ? undefined : (location.state as { notice?: string } | null)?.notice;
  const campaign = useCampaign(campaignId);
  const stream = useCampaignStream(campaignId);
  const back = (
    <p className="breadcrumb">
      <Link to="/campaigns">← Back to the campaigns</Link>
    </p>
  );
  if (campaign.isPending) return <Loading what="Loading the campaign" />;
  if (campaign.isError) {
    return (
      <>
        {back}
        <QueryError error={campaign.error} onRetry={() => void campaign.refetch()} />
      </>
    );
  }
  const data = campaign.data;
  const updates = updatesText(data.state, stream);
  return (
    <>
      {back}
      <PageHeader
        title={data.name}
        description={<CampaignStatusLine campaign={data} updates={updates} />}
        actions={<CampaignActions campaign={data} onChanged={() => setActed(true)} />}
      />
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {data.warnings.map((warning) => (
        <Alert key={warning.code} kind="warning">
          {warning.message}{' '}
          {/* Every warning is fixed on the account: its callback URL at the provider, its messages per second, or its daily messaging limit. */}
          <Link to={`/settings/channels/whatsapp/${encodeURIComponent(data.providerId)}`}>Open the provider account</Link>
        </Alert>
      ))}
      {(data.state === 'running' || data.state === 'paused') && !data.audienceMaterialized ? (
        <p className="muted">Preparing the audience: recipients are being added…</p>
      ) : null}
      <StatsPanel campaign={data} />
      <div className="chart-grid">
        <FunnelChart campaign={data} />
        <TimelineChart campaign={data} />
      </div>
      <MessageLog campaign={data} />
      <CampaignDetails campaign={data} />
      <CampaignActivity campaign={data} />
    </>
  );
}
