import { ConfirmDialog } from '../../components/confirm-dialog';
import type { ProviderAccount } from '../../api/types';
import { providerTypeLabel } from './provider-fields';
import { useRotateCallbackToken } from './providers.hooks';

/** Confirms issuing new callback URLs: the old ones stop working, so the provider must be told the new ones. */
export function RotateCallbackDialog({ account, open, onClose }: { account: ProviderAccount; open: boolean; onClose: () => void }) {
  const rotate = useRotateCallbackToken();
  const close = () => {
    rotate.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      title="Rotate callback URLs"
      confirmLabel="Rotate"
      busy={rotate.isPending}
      error={rotate.isError ? rotate.error.message : null}
      onCancel={close}
      onConfirm={() => rotate.mutate(account.id, { onSuccess: close })}
    >
      <p>
        New callback URLs replace the current ones, which stop working at once. Paste the new URLs into your {providerTypeLabel(account.type)} dashboard right
        after, or delivery reports and replies will be refused.
      </p>
    </ConfirmDialog>
  );
}
