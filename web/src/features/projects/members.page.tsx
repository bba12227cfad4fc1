import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { Badge, PageHeader } from '../../components/page';
import { TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { QueryState } from '../../components/query-state';
import { formatDateTime } from '../../components/format';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';
import { ConfirmMutationDialog } from '../../components/confirm-dialog';
import { useSession } from '../auth/session-context';
import { useAddProjectMember, useProjectMembers, useRemoveProjectMember } from './projects.hooks';
import type { ProjectMember } from '../../api/types';
import { ColumnHeads } from '../../components/column-heads';

/** Instance admins: who can open the current project, and a form to give it to an existing user or take it away. */
export function MembersPage() {
  const me = useSession();
  const projectId = me.currentProjectId;
  if (!projectId) return <Alert>No project is selected.</Alert>;
  // Keyed by project: switching project starts with an empty form and no stale message.
  return <Members key={projectId} projectId={projectId} projectName={me.projects.find((project) => project.id === projectId)?.name ?? ''} />;
}

function Members({ projectId, projectName }: { projectId: string; projectName: string }) {
  const members = useProjectMembers(projectId);
  const add = useAddProjectMember(projectId);
  const remove = useRemoveProjectMember(projectId);
  const [email, setEmail] = useState('');
  const [added, setAdded] = useState<string | null>(null);
  const [removing, setRemoving] = useState<ProjectMember | null>(null);
  const [removed, setRemoved] = useState<string | null>(null);
  const errors = add.isError ? formErrorsOf(add.error, ['email']) : noFormErrors;

  function submit(event: FormEvent) {
    event.preventDefault();
    setAdded(null);
    setRemoved(null);
    add.mutate(email, {
      onSuccess: (member) => {
        setAdded(member.email);
        setEmail('');
      },
    });
  }

  return (
    <>
      <PageHeader
        title="Members"
        description={
          <>
            Who can open <strong>{projectName}</strong>. Instance admins open every project; other users only the projects given to them.
          </>
        }
      />
      <section className="panel">
        <h2 className="panel__title">Add a member</h2>
        <form className="inline-form" onSubmit={submit} noValidate>
          <TextField
            label="Email"
            type="email"
            value={email}
            onChange={setEmail}
            autoComplete="off"
            required
            hint={
              <>
                An existing user&apos;s login email (create users in <Link to="/settings/users">Settings → Users</Link>).
              </>
            }
            error={errors.fields.email}
          />
          <button type="submit" className="btn btn--primary" disabled={add.isPending}>
            {add.isPending ? 'Adding…' : 'Add member'}
          </button>
        </form>
        {errors.summary && !errors.fields.email ? <Alert>{errors.summary}</Alert> : null}
        {added ? <Alert kind="success">{added} can now open this project.</Alert> : null}
        {removed ? <Alert kind="success">{removed} can no longer open this project.</Alert> : null}
      </section>
      <QueryState query={members} loading="Loading members">
        {(data) => (
          <table className="table">
            <caption className="visually-hidden">Members</caption>
            <ColumnHeads columns={['Email', 'Access', 'Member since', { label: 'Actions', hidden: true }]} />
            <tbody>
              {data.map((member) => (
                <tr key={member.id}>
                  <td>{member.email}</td>
                  <td>{member.isAdmin ? <Badge tone="accent">Instance admin</Badge> : 'Member'}</td>
                  <td>{member.memberSince === null ? '—' : formatDateTime(member.memberSince)}</td>
                  <td className="table__actions">
                    {member.isAdmin ? (
                      <span className="muted">Opens every project</span>
                    ) : (
                      <button
                        type="button"
                        className="btn btn--ghost btn--small btn--danger-text"
                        aria-label={`Remove ${member.email}`}
                        onClick={() => {
                          setAdded(null);
                          setRemoved(null);
                          setRemoving(member);
                        }}
                      >
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      <ConfirmMutationDialog
        mutation={remove}
        variables={removing?.id ?? null}
        title="Remove member"
        confirmLabel="Remove"
        danger
        onClose={() => setRemoving(null)}
        onDone={() => setRemoved(removing?.email ?? null)}
      >
        <p>
          Remove {removing?.email} from {projectName}? From their next request on they cannot open this project; their other projects stay as they are.
        </p>
      </ConfirmMutationDialog>
    </>
  );
}
