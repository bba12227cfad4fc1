import type { ReactNode } from 'react';
import { Modal } from './modal';
import { Alert } from './alert';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  /** Why the last attempt failed (e.g. the server refused to delete). */
  error?: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before a destructive or disruptive action; shows the server's refusal in place. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  return (
    <Modal open={props.open} title={props.title} onClose={props.onCancel}>
      <div className="stack">
        <div>{props.children}</div>
        {props.error ? <Alert>{props.error}</Alert> : null}
        <div className="actions">
          <button type="button" className="btn btn--secondary" onClick={props.onCancel} autoFocus>
            Cancel
          </button>
          <button type="button" className={`btn ${props.danger ? 'btn--danger' : 'btn--primary'}`} onClick={props.onConfirm} disabled={props.busy}>
            {props.busy ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </div>
    </Modal>
  );
}
