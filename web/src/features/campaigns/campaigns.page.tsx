import { Link } from 'react-router-dom';
import { EmptyState, PageHeader } from '../../components/page';

/** Placeholder until campaigns can be created from the dashboard; it shows no invented data. */
export function CampaignsPage() {
  return (
    <>
      <PageHeader title="Campaigns" description="Template campaigns sent to your segments, with live delivery and reply statistics." />
      <EmptyState title="No campaigns yet">
        <p>Campaigns will appear here once campaign creation is available in the dashboard.</p>
        <p>
          To get ready, <Link to="/settings/channels/whatsapp">connect a provider account</Link>, then register its approved templates in the
          Templates tab.
        </p>
      </EmptyState>
    </>
  );
}
