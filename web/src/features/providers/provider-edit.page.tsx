import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { Badge, Loading, PageHeader } from '../../components/page';
import { Alert } from '../../components/alert';
import { QueryError } from '../../components/query-error';
import { messagingLimitUsage, providerTypeLabel } from './provider-fields';
import { useProvider, useProviders } from './providers.hooks';
import { ProviderForm } from './provider-form';
import { PROVIDERS_PATH } from './providers.page';
import { DeleteProviderDialog } from './delete-provider-dialog';
import { RotateCallbackDialog } from './rotate-callback-dialog';
import { TestMessageDialog } from './test-message-dialog';
import { RejectedCallbacksDialog } from './rejected-callbacks-dialog';

function BackLink() {
  return (
    <p className="breadcrumb">
      <Link to={PROVIDERS_PATH}>← All provider accounts</Link>
    </p>
  );
}

/** + Provider: a new account. After the first save the browser moves to the account's own page. */
export function NewProviderPage() {
  const navigate = useNavigate();
  const providers = useProviders();
  if (providers.isPending) return <Loading />;
  return (
    <>
      <BackLink />
      <PageHeader title="New provider account" />
      <ProviderForm
        isFirstAccount={(providers.data ?? []).length === 0}
        onSaved={(account) => navigate(`${PROVIDERS_PATH}/${account.id}`, { replace: true, state: { created: true } })}
      />
    </>
  );
}

/** One saved account: edit, rotate its callback URLs, send a test message, see refused callbacks, delete. */
export function ProviderPage() {
  const { providerId = '' } = useParams();
  const provider = useProvider(providerId);
  const location = useLocation();
  const navigate = useNavigate();
  const [notice, setNotice] = useState<string | null>((location.state as { created?: boolean } | null)?.created ? 'Provider account saved.' : null);
  const [rotating, setRotating] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [testing, setTesting] = useState(false);
  const [inspecting, setInspecting] = useState(false);

  if (provider.isPending) return <Loading what="Loading the provider account" />;
  if (provider.isError) {
    return (
      <>
        <BackLink />
        <QueryError error={provider.error} onRetry={() => void provider.refetch()} />
      </>
    );
  }
  const account = provider.data;
  return (
    <>
      <BackLink />
      <PageHeader
        title={account.nickname}
        description={
          <>
            {providerTypeLabel(account.type)} {account.isDefault ? <Badge tone="accent">Default</Badge> : null}
            {account.messagingLimit ? (
              <span className="muted" data-testid="messaging-limit-usage">
                {' '}
                · Daily messaging limit: {messagingLimitUsage(account.messagingLimit)} ({account.messagingLimit.remaining.toLocaleString('en')} left)
              </span>
            ) : null}
          </>
        }
        actions={
          <>
            <button type="button" className="btn btn--secondary" onClick={() => setTesting(true)}>
              Send test message
            </button>
            <button type="button" className="btn btn--secondary" onClick={() => setInspecting(true)}>
              Rejected callbacks
            </button>
            <button type="button" className="btn btn--danger-outline" onClick={() => setDeleting(true)}>
              Delete
            </button>
          </>
        }
      />
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {/* The notice is about the values just saved: a further edit makes it untrue, so it goes. */}
      <ProviderForm key={account.id} account={account} onSaved={() => setNotice('Changes saved.')} onRotate={() => setRotating(true)} onEdited={() => setNotice(null)} />
      <RotateCallbackDialog account={account} open={rotating} onClose={() => setRotating(false)} />
      <DeleteProviderDialog account={deleting ? account : null} onClose={() => setDeleting(false)} onDeleted={() => navigate(PROVIDERS_PATH, { replace: true })} />
      <TestMessageDialog account={testing ? account : null} onClose={() => setTesting(false)} />
      <RejectedCallbacksDialog account={inspecting ? account : null} onClose={() => setInspecting(false)} />
    </>
  );
}
