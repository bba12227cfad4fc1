import { useState, type FormEvent } from 'react';
import { useMenu } from '../../components/use-menu';
import { TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { Modal } from '../../components/modal';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';
import { useSession } from '../auth/session-context';
import { useChangeOwnPassword } from '../users/users.hooks';

/** The logged-in user's email in the top bar; it opens their account menu (change password). */
export function AccountMenu() {
  const me = useSession();
  const { open, setOpen, menuId, ref } = useMenu();
  const [changing, setChanging] = useState(false);
  return (
    <div className="menu" ref={ref}>
      <button
        type="button"
        className="btn btn--ghost btn--small topbar__user"
        aria-expanded={open}
        aria-controls={menuId}
        title={me.user.isAdmin ? 'Your account (instance admin)' : 'Your account'}
        onClick={() => setOpen((value) => !value)}
      >
        <span className="topbar__user-email">{me.user.email}</span>
        <span className="topbar__user-short">Account</span>
      </button>
      {open ? (
        <ul className="menu__list" id={menuId}>
          <li className="menu__note">
            {me.user.email}
            <br />
            {me.user.isAdmin ? 'Instance admin' : 'User'}
          </li>
          <li>
            <button
              type="button"
              className="menu__item"
              autoFocus
              onClick={() => {
                setOpen(false);
                setChanging(true);
              }}
            >
              Change password
            </button>
          </li>
        </ul>
      ) : null}
      {changing ? <ChangePasswordDialog onClose={() => setChanging(false)} /> : null}
    </div>
  );
}

const PATHS = ['currentPassword', 'newPassword', 'repeat'] as const;

function ChangePasswordDialog({ onClose }: { onClose: () => void }) {
  const change = useChangeOwnPassword();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const errors = change.isError ? formErrorsOf(change.error, PATHS) : noFormErrors;

  function submit(event: FormEvent) {
    event.preventDefault();
    // Checked here: the server never sees the repeat, and a typo would lock the user out.
    if (repeat !== newPassword) {
      change.reset();
      setMismatch(true);
      return;
    }
    setMismatch(false);
    change.mutate({ currentPassword, newPassword });
  }

  return (
    <Modal open title="Change password" onClose={onClose}>
      {change.isSuccess ? (
        <div className="stack">
          <Alert kind="success">Your password was changed. You stay logged in here; your other sessions were logged out.</Alert>
          <div className="actions">
            <button type="button" className="btn btn--primary" onClick={onClose} autoFocus>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form className="stack" onSubmit={submit} noValidate>
          {errors.summary && Object.keys(errors.fields).length === 0 ? <Alert>{errors.summary}</Alert> : null}
          <TextField
            label="Current password"
            type="password"
            value={currentPassword}
            onChange={setCurrentPassword}
            autoComplete="current-password"
            required
            autoFocus
            error={errors.fields.currentPassword}
          />
          <TextField
            label="New password"
            type="password"
            value={newPassword}
            onChange={setNewPassword}
            autoComplete="new-password"
            required
            hint="At least 10 characters. Your other sessions are logged out."
            error={errors.fields.newPassword}
          />
          <TextField
            label="Repeat new password"
            type="password"
            value={repeat}
            onChange={setRepeat}
            autoComplete="new-password"
            required
            error={mismatch ? 'does not match the new password' : undefined}
          />
          <div className="actions">
            <button type="button" className="btn btn--secondary" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="btn btn--primary" disabled={change.isPending}>
              {change.isPending ? 'Saving…' : 'Change password'}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
