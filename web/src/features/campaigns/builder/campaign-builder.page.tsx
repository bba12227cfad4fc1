import { Link, useLocation, useParams } from 'react-router-dom';
import { Loading, PageHeader } from '../../../components/page';
import { Alert } from '../../../components/alert';
import { QueryError } from '../../../components/query-error';
import { useProviders } from '../../providers/providers.hooks';
import { useTemplates } from '../../templates/templates.hooks';
import { PROVIDERS_PATH } from '../../providers/providers.page';
import { useCampaign } from '../campaigns.hooks';
import { canChangeDelivery, STATE_LABELS } from '../campaign-state';
import { emptyBuilderValues, valuesFromCampaign } from './builder-values';
import { CampaignBuilder } from './campaign-builder';
import { DeliverySettingsForm } from './delivery-settings-form';

function BackLink({ to = '/campaigns', text = '← Back to the campaigns' }: { to?: string; text?: string }) {
  return (
    <p className="breadcrumb">
      <Link to={to}>{text}</Link>
    </p>
  );
}

/** + Campaign → WhatsApp. */
export function NewCampaignPage() {
  const providers = useProviders();
  const templates = useTemplates();
  if (providers.isPending || templates.isPending) return <Loading what="Loading provider accounts and templates" />;
  if (providers.isError) return <QueryError error={providers.error} onRetry={() => void providers.refetch()} />;
  if (templates.isError) return <QueryError error={templates.error} onRetry={() => void templates.refetch()} />;
  const fallback = providers.data.find((provider) => provider.isDefault) ?? providers.data[0];
  return (
    <>
      <BackLink />
      <PageHeader title="New WhatsApp campaign" />
      {providers.data.length === 0 ? (
        <Alert kind="info">
          Campaigns send through a provider account: <Link to={PROVIDERS_PATH}>add a provider account</Link> first.
        </Alert>
      ) : (
        <CampaignBuilder initial={emptyBuilderValues(fallback?.id ?? '')} providers={providers.data} templates={templates.data} />
      )}
    </>
  );
}

/**
 * Edit a draft in full; a scheduled or paused campaign only its name and delivery settings (its
 * message and audience stay as published: clone it to change those); other states nothing.
 */
export function EditCampaignPage() {
  const { campaignId = '' } = useParams();
  const notice = (useLocation().state as { notice?: string } | null)?.notice;
  const campaign = useCampaign(campaignId);
  const providers = useProviders();
  const templates = useTemplates();
  if (campaign.isPending || providers.isPending || templates.isPending) return <Loading what="Loading the campaign" />;
  const error = campaign.error ?? providers.error ?? templates.error;
  if (error || !campaign.data || !providers.data || !templates.data) return <QueryError error={error} onRetry={() => void campaign.refetch()} />;
  const back = <BackLink to={`/campaigns/${campaign.data.id}`} text="← Back to the campaign" />;
  if (canChangeDelivery(campaign.data.state)) {
    return (
      <>
        {back}
        <PageHeader title={`Change ${campaign.data.name}`} />
        <Alert kind="info">
          This campaign is {STATE_LABELS[campaign.data.state].toLowerCase()}: its name, messages per second, DND hours and cut-off can change. Clone it to change its message or audience.
        </Alert>
        <DeliverySettingsForm key={campaign.data.id} campaign={campaign.data} provider={providers.data.find((provider) => provider.id === campaign.data.providerId)} />
      </>
    );
  }
  if (campaign.data.state !== 'draft') {
    return (
      <>
        {back}
        <PageHeader title={campaign.data.name} />
        <Alert kind="warning">This campaign is {STATE_LABELS[campaign.data.state].toLowerCase()}: only drafts can be edited. Clone it to change its message or audience.</Alert>
      </>
    );
  }
  return (
    <>
      {back}
      <PageHeader title={`Edit ${campaign.data.name}`} />
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      <CampaignBuilder key={campaign.data.id} initial={valuesFromCampaign(campaign.data)} campaign={campaign.data} providers={providers.data} templates={templates.data} />
    </>
  );
}
