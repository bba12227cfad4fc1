import type { UseMutationResult } from '@tanstack/react-query';
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

export interface ConfirmMutationDialogProps<V> extends Omit<ConfirmDialogProps, 'open' | 'busy' | 'error' | 'onConfirm' | 'onCancel'> {
  /** What the mutation is called with; the dialog is open while this is not null. */
  variables: V | null;
  mutation: UseMutationResult<unknown, Error, V>;
  onClose: () => void;
  /** After the mutation succeeded and the dialog closed. */
  onDone?: () => void;
}

/** A ConfirmDialog that runs a mutation: busy while it runs, its refusal shown in place, closed once it succeeds. */
export function ConfirmMutationDialog<V>({ variables, mutation, onClose, onDone, ...dialog }: ConfirmMutationDialogProps<V>) {
  const close = () => {
    mutation.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      {...dialog}
      open={variables !== null}
      busy={mutation.isPending}
      error={mutation.isError ? mutation.error.message : null}
      onCancel={close}
      onConfirm={() => {
        if (variables === null) return;
        mutation.mutate(variables, {
          onSuccess: () => {
            close();
            onDone?.();
          },
        });
      }}
    />
  );
}
