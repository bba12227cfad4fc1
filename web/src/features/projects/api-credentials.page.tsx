import { useState, type FormEvent } from 'react';
import { EmptyState, PageHeader } from '../../components/page';
import { TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { CopyButton } from '../../components/copy-button';
import { QueryState } from '../../components/query-state';
import { formatDateTime } from '../../components/format';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';
import { useSession } from '../auth/session-context';
import { ConfirmMutationDialog } from '../../components/confirm-dialog';
import { useApiCredentials, useCreateApiCredential, useRevokeApiCredential } from './projects.hooks';
import type { ApiCredential, NewApiCredential } from '../../api/types';
import { ColumnHeads } from '../../components/column-heads';

/** API credentials of the current project; a new passcode is shown once, here, and never again. */
export function ApiCredentialsPage() {
  const me = useSession();
  const projectId = me.currentProjectId;
  if (!projectId) return <Alert>No project is selected.</Alert>;
  return <ApiCredentials projectId={projectId} projectName={me.projects.find((project) => project.id === projectId)?.name ?? ''} />;
}

function ApiCredentials({ projectId, projectName }: { projectId: string; projectName: string }) {
  const credentials = useApiCredentials(projectId);
  const create = useCreateApiCredential(projectId);
  const revoke = useRevokeApiCredential(projectId);
  const [revoking, setRevoking] = useState<ApiCredential | null>(null);
  const [label, setLabel] = useState('default');
  const [fresh, setFresh] = useState<NewApiCredential | null>(null);
  const errors = create.isError ? formErrorsOf(create.error, ['label']) : noFormErrors;

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(label, { onSuccess: (credential) => setFresh(credential) });
  }

  return (
    <>
      <PageHeader
        title="API credentials"
        description={
          <>
            For the REST API of <strong>{projectName}</strong>: send <code>X-Wacast-Account-Id</code> and <code>X-Wacast-Passcode</code> with each request.
          </>
        }
      />
      {fresh ? (
        <section className="panel panel--highlight" aria-labelledby="new-credential-title">
          <h2 className="panel__title" id="new-credential-title">
            New credentials
          </h2>
          <Alert kind="warning">The passcode is shown only this once. Copy it now and keep it somewhere safe.</Alert>
          <TextField label="Account ID" value={fresh.accountId} readOnly addon={<CopyButton text={fresh.accountId} name="Copy ID" />} />
          <TextField label="Passcode" value={fresh.passcode} readOnly addon={<CopyButton text={fresh.passcode} name="Copy secret" />} />
          <button type="button" className="btn btn--secondary" onClick={() => setFresh(null)}>
            I have copied it
          </button>
        </section>
      ) : (
        <section className="panel">
          <h2 className="panel__title">Create credentials</h2>
          <form className="inline-form" onSubmit={submit} noValidate>
            <TextField label="Label" value={label} onChange={setLabel} hint="What uses them, e.g. “CRM sync”." error={errors.fields.label} />
            <button type="submit" className="btn btn--primary" disabled={create.isPending}>
              {create.isPending ? 'Creating…' : 'Create credentials'}
            </button>
          </form>
          {errors.summary && !errors.fields.label ? <Alert>{errors.summary}</Alert> : null}
        </section>
      )}
      <QueryState query={credentials} loading="Loading credentials">
        {(data) =>
          data.length === 0 ? (
            <EmptyState title="No API credentials yet">
              <p>Create credentials to call the API from your systems.</p>
            </EmptyState>
          ) : (
            <table className="table">
              <caption className="visually-hidden">API credentials</caption>
              <ColumnHeads columns={['Account ID', 'Label', 'Created', 'Last used', { label: 'Actions', hidden: true }]} />
              <tbody>
                {data.map((credential) => (
                  <tr key={credential.id}>
                    <td>
                      <code>{credential.accountId}</code>
                    </td>
                    <td>{credential.label}</td>
                    <td>{formatDateTime(credential.createdAt)}</td>
                    <td>{credential.lastUsedAt === null ? 'Never' : formatDateTime(credential.lastUsedAt)}</td>
                    <td className="table__actions">
                      <button type="button" className="btn btn--ghost btn--small btn--danger-text" aria-label={`Revoke ${credential.accountId}`} onClick={() => setRevoking(credential)}>
                        Revoke
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryState>
      <ConfirmMutationDialog
        mutation={revoke}
        variables={revoking?.id ?? null}
        title="Revoke API credentials"
        confirmLabel="Revoke"
        danger
        onClose={() => setRevoking(null)}
      >
        <p>
          Revoke <code>{revoking?.accountId}</code> ({revoking?.label})? Every request made with them is refused from now on, so whatever uses them stops
          working until it gets new credentials. This cannot be undone.
        </p>
      </ConfirmMutationDialog>
    </>
  );
}
