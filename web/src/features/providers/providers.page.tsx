import { useState } from 'react';
import { Link } from 'react-router-dom';
import { Badge, EmptyState, PageHeader } from '../../components/page';
import { Alert } from '../../components/alert';
import { QueryState } from '../../components/query-state';
import type { ProviderAccount } from '../../api/types';
import { useProviders, useUpdateProvider } from './providers.hooks';
import { messagingLimitUsage } from './provider-fields';
import { DeleteProviderDialog } from './delete-provider-dialog';
import { TestMessageDialog } from './test-message-dialog';
import { RejectedCallbacksDialog } from './rejected-callbacks-dialog';
import { ColumnHeads } from '../../components/column-heads';

export const PROVIDERS_PATH = '/settings/channels/whatsapp';

function typeDescription(account: ProviderAccount): string {
  if (account.type === 'gupshup') return account.credentials.mode === 'selfserve' ? 'Gupshup (self-serve)' : 'Gupshup';
  return 'Nexmo';
}

/** Settings → Channels → WhatsApp: the project's provider accounts. */
export function ProvidersPage() {
  const providers = useProviders();
  const markDefault = useUpdateProvider();
  const [deleting, setDeleting] = useState<ProviderAccount | null>(null);
  const [testing, setTesting] = useState<ProviderAccount | null>(null);
  const [inspecting, setInspecting] = useState<ProviderAccount | null>(null);
  // A link styled as a button: it navigates, so it can open in a new tab and is announced as a link.
  const addButton = (
    <Link className="btn btn--primary" to={`${PROVIDERS_PATH}/new`}>
      + Provider
    </Link>
  );

  return (
    <>
      <PageHeader title="WhatsApp" description="Provider accounts that send your WhatsApp messages. Campaigns use the default account unless told otherwise." actions={addButton} />
      {markDefault.isError ? <Alert>{markDefault.error.message}</Alert> : null}
      <QueryState query={providers} loading="Loading provider accounts">
        {(data) =>
          data.length === 0 ? (
            <EmptyState title="No provider accounts yet">
              <p>Use + Provider to connect a Nexmo (Vonage) or Gupshup account, to send WhatsApp templates and receive replies.</p>
            </EmptyState>
          ) : (
            <div className="table-scroll">
              <table className="table">
                <caption className="visually-hidden">Provider accounts</caption>
                <ColumnHeads columns={['Nickname', 'Provider', 'Rate', 'Daily messaging limit', { label: 'Actions', hidden: true }]} />
                <tbody>
                  {data.map((account) => (
                    <tr key={account.id}>
                      <td>
                        <Link to={`${PROVIDERS_PATH}/${account.id}`}>{account.nickname}</Link> {account.isDefault ? <Badge tone="accent">Default</Badge> : null}
                      </td>
                      <td>{typeDescription(account)}</td>
                      <td>{account.ratePerSecond.toLocaleString()} msg/s</td>
                      <td>{account.messagingLimit ? messagingLimitUsage(account.messagingLimit) : <span className="muted">Not set</span>}</td>
                      <td className="table__actions table__actions--wrap">
                        <Link className="btn btn--ghost btn--small" to={`${PROVIDERS_PATH}/${account.id}`} aria-label={`Edit ${account.nickname}`}>
                          Edit
                        </Link>
                        <button type="button" className="btn btn--ghost btn--small" aria-label={`Send test message with ${account.nickname}`} onClick={() => setTesting(account)}>
                          Send test message
                        </button>
                        <button type="button" className="btn btn--ghost btn--small" aria-label={`Rejected callbacks of ${account.nickname}`} onClick={() => setInspecting(account)}>
                          Rejected callbacks
                        </button>
                        {account.isDefault ? null : (
                          <button
                            type="button"
                            className="btn btn--ghost btn--small"
                            aria-label={`Mark ${account.nickname} as default`}
                            disabled={markDefault.isPending}
                            onClick={() => markDefault.mutate({ id: account.id, patch: { isDefault: true } })}
                          >
                            Mark as default
                          </button>
                        )}
                        <button type="button" className="btn btn--ghost btn--small btn--danger-text" aria-label={`Delete ${account.nickname}`} onClick={() => setDeleting(account)}>
                          Delete
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
      <DeleteProviderDialog account={deleting} onClose={() => setDeleting(null)} />
      <TestMessageDialog account={testing} onClose={() => setTesting(null)} />
      <RejectedCallbacksDialog account={inspecting} onClose={() => setInspecting(null)} />
    </>
  );
}
