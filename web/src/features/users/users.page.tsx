import { useState, type FormEvent } from 'react';
import { Badge, PageHeader } from '../../components/page';
import { CheckboxField, TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { Modal } from '../../components/modal';
import { QueryState } from '../../components/query-state';
import { ConfirmMutationDialog } from '../../components/confirm-dialog';
import { formatDateTime } from '../../components/format';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';
import { useSession } from '../auth/session-context';
import { useProjects } from '../projects/projects.hooks';
import { useCreateUser, useDeleteUser, useUpdateUser, useUsers } from './users.hooks';
import type { DashboardUser } from '../../api/types';
import { ColumnHeads } from '../../components/column-heads';

/** Instance admins: every dashboard user; create one, reset a password, make or unmake an admin, remove. */
export function UsersPage() {
  const me = useSession();
  const users = useUsers();
  const update = useUpdateUser();
  const remove = useDeleteUser();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<DashboardUser | null>(null);
  const [changingRole, setChangingRole] = useState<DashboardUser | null>(null);
  const [removing, setRemoving] = useState<DashboardUser | null>(null);
  const [done, setDone] = useState<string | null>(null);

  function start(open: () => void) {
    setDone(null);
    open();
  }

  return (
    <>
      <PageHeader
        title="Users"
        description="Everyone who can log in to this dashboard. Instance admins open every project and manage users and projects; other users open only the projects given to them (Settings → Members)."
        actions={
          <button type="button" className="btn btn--primary" onClick={() => start(() => setCreating(true))}>
            + User
          </button>
        }
      />
      {done ? <Alert kind="success">{done}</Alert> : null}
      <QueryState query={users} loading="Loading users">
        {(data) => (
          <table className="table">
            <caption className="visually-hidden">Users</caption>
            <ColumnHeads columns={['Email', 'Role', 'Projects', 'Created', { label: 'Actions', hidden: true }]} />
            <tbody>
              {data.map((user) => {
                const self = user.id === me.user.id;
                return (
                  <tr key={user.id}>
                    <td>
                      {user.email}
                      {self ? <span className="muted"> (you)</span> : null}
                    </td>
                    <td>{user.isAdmin ? <Badge tone="accent">Instance admin</Badge> : 'User'}</td>
                    <td>{user.isAdmin ? <span className="muted">Every project</span> : user.projects.length === 0 ? <span className="muted">None</span> : user.projects.map((project) => project.name).join(', ')}</td>
                    <td>{formatDateTime(user.createdAt)}</td>
                    <td className="table__actions table__actions--wrap">
                      <button type="button" className="btn btn--ghost btn--small" aria-label={`Reset password of ${user.email}`} onClick={() => start(() => setResetting(user))}>
                        Reset password
                      </button>
                      {/* Only another admin can take admin from you or remove you: the instance always keeps one. */}
                      {self ? null : (
                        <>
                          <button
                            type="button"
                            className="btn btn--ghost btn--small"
                            aria-label={`${user.isAdmin ? 'Remove admin from' : 'Make admin'} ${user.email}`}
                            onClick={() => start(() => setChangingRole(user))}
                          >
                            {user.isAdmin ? 'Remove admin' : 'Make admin'}
                          </button>
                          <button
                            type="button"
                            className="btn btn--ghost btn--small btn--danger-text"
                            aria-label={`Remove ${user.email}`}
                            onClick={() => start(() => setRemoving(user))}
                          >
                            Remove
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </QueryState>
      {creating ? <NewUserDialog onClose={() => setCreating(false)} onCreated={(user) => setDone(`${user.email} can now log in.`)} /> : null}
      {resetting ? (
        <ResetPasswordDialog
          user={resetting}
          self={resetting.id === me.user.id}
          onClose={() => setResetting(null)}
          onDone={(user) => setDone(`The password of ${user.email} was changed.`)}
        />
      ) : null}
      <ConfirmMutationDialog
        mutation={update}
        variables={changingRole ? { id: changingRole.id, isAdmin: !changingRole.isAdmin } : null}
        title={changingRole?.isAdmin ? 'Remove admin' : 'Make admin'}
        confirmLabel={changingRole?.isAdmin ? 'Remove admin' : 'Make admin'}
        danger={changingRole?.isAdmin === true}
        onClose={() => setChangingRole(null)}
        onDone={() => setDone(changingRole ? `${changingRole.email} is ${changingRole.isAdmin ? 'no longer an instance admin' : 'now an instance admin'}.` : null)}
      >
        {changingRole?.isAdmin ? (
          <p>
            Take instance admin from {changingRole.email}? From their next request on they open only the projects given to them
            {changingRole.projects.length === 0 ? ' — none so far' : ` (${changingRole.projects.map((project) => project.name).join(', ')})`}, and can no longer manage users or
            projects.
          </p>
        ) : (
          <p>Make {changingRole?.email} an instance admin? They will open every project and can manage users, projects and API credentials.</p>
        )}
      </ConfirmMutationDialog>
      <ConfirmMutationDialog
        mutation={remove}
        variables={removing?.id ?? null}
        title="Remove user"
        confirmLabel="Remove"
        danger
        onClose={() => setRemoving(null)}
        onDone={() => setDone(removing ? `${removing.email} was removed.` : null)}
      >
        <p>
          Remove {removing?.email}? They are logged out everywhere and can no longer log in. What they made (campaigns, templates, segments) stays in its project. This cannot
          be undone.
        </p>
      </ConfirmMutationDialog>
    </>
  );
}

const NEW_USER_PATHS = ['email', 'password'] as const;

function NewUserDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (user: DashboardUser) => void }) {
  const create = useCreateUser();
  const projects = useProjects();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [isAdmin, setIsAdmin] = useState(false);
  const [projectIds, setProjectIds] = useState<string[]>([]);
  const errors = create.isError ? formErrorsOf(create.error, NEW_USER_PATHS) : noFormErrors;

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(
      { email, password, isAdmin, projectIds: isAdmin ? [] : projectIds },
      {
        onSuccess: (user) => {
          onCreated(user);
          onClose();
        },
      },
    );
  }

  return (
    <Modal open title="New user" onClose={onClose}>
      <form className="stack" onSubmit={submit} noValidate>
        {errors.summary ? <Alert>{errors.summary}</Alert> : null}
        <TextField label="Email" type="email" value={email} onChange={setEmail} autoComplete="off" required autoFocus error={errors.fields.email} />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          required
          hint="At least 10 characters. Give it to the user in person or over a channel you trust; they can change it from their account menu."
          error={errors.fields.password}
        />
        <CheckboxField label="Instance admin" checked={isAdmin} onChange={setIsAdmin} hint="Opens every project and manages users, projects and API credentials." />
        {isAdmin ? null : (
          <fieldset className="fieldset">
            <legend className="fieldset__legend">Projects</legend>
            <QueryState query={projects} loading="Loading projects">
              {(data) =>
                data.map((project) => (
                  <CheckboxField
                    key={project.id}
                    label={project.name}
                    checked={projectIds.includes(project.id)}
                    onChange={(checked) => setProjectIds((ids) => (checked ? [...ids, project.id] : ids.filter((id) => id !== project.id)))}
                  />
                ))
              }
            </QueryState>
            {projectIds.length === 0 ? <p className="field__hint">Without a project the user can open nothing until you give one.</p> : null}
          </fieldset>
        )}
        <div className="actions">
          <button type="button" className="btn btn--secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create user'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function ResetPasswordDialog({ user, self, onClose, onDone }: { user: DashboardUser; self: boolean; onClose: () => void; onDone: (user: DashboardUser) => void }) {
  const update = useUpdateUser();
  const [password, setPassword] = useState('');
  const errors = update.isError ? formErrorsOf(update.error, ['password']) : noFormErrors;

  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate(
      { id: user.id, password },
      {
        onSuccess: (updated) => {
          onDone(updated);
          onClose();
        },
      },
    );
  }

  return (
    <Modal open title="Reset password" onClose={onClose}>
      <form className="stack" onSubmit={submit} noValidate>
        <p>
          A new password for <strong>{user.email}</strong>.{' '}
          {self ? 'Your other sessions are logged out; this one stays.' : 'They are logged out everywhere and log in again with it.'}
        </p>
        {errors.summary && !errors.fields.password ? <Alert>{errors.summary}</Alert> : null}
        <TextField
          label="New password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          required
          autoFocus
          hint="At least 10 characters."
          error={errors.fields.password}
        />
        <div className="actions">
          <button type="button" className="btn btn--secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={update.isPending}>
            {update.isPending ? 'Saving…' : 'Set password'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
