import { ConfirmDialog } from '../../components/confirm-dialog';
import type { ProviderAccount } from '../../api/types';
import { useDeleteProvider } from './providers.hooks';

/** Confirms deleting an account; the server refuses while a running campaign uses it, and that refusal is shown here. */
export function DeleteProviderDialog({ account, onClose, onDeleted }: { account: ProviderAccount | null; onClose: () => void; onDeleted?: () => void }) {
  const remove = useDeleteProvider();
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={account !== null}
      title="Delete provider account"
      confirmLabel="Delete"
      danger
      busy={remove.isPending}
      error={remove.isError ? remove.error.message : null}
      onCancel={close}
      onConfirm={() => {
        if (!account) return;
        remove.mutate(account.id, {
          onSuccess: () => {
            remove.reset();
            onClose();
            onDeleted?.();
          },
        });
      }}
    >
      <p>
        Delete <strong>{account?.nickname}</strong>? Its callback URLs stop working at once, and its templates can no longer be sent.
      </p>
    </ConfirmDialog>
  );
}
