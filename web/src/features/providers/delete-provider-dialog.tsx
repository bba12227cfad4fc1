import { ConfirmMutationDialog } from '../../components/confirm-dialog';
import type { ProviderAccount } from '../../api/types';
import { useDeleteProvider } from './providers.hooks';

/** Confirms deleting an account; the server refuses while a running campaign uses it, and that refusal is shown here. */
export function DeleteProviderDialog({ account, onClose, onDeleted }: { account: ProviderAccount | null; onClose: () => void; onDeleted?: () => void }) {
  return (
    <ConfirmMutationDialog mutation={useDeleteProvider()} variables={account?.id ?? null} title="Delete provider account" confirmLabel="Delete" danger onClose={onClose} onDone={onDeleted}>
      <p>
        Delete <strong>{account?.nickname}</strong>? Its callback URLs stop working at once, and its templates can no longer be sent.
      </p>
    </ConfirmMutationDialog>
  );
}
