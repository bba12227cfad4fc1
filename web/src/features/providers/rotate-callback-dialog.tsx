import { ConfirmMutationDialog } from '../../components/confirm-dialog';
import type { ProviderAccount } from '../../api/types';
import { providerTypeLabel } from './provider-fields';
import { useRotateCallbackToken } from './providers.hooks';

/** Confirms issuing new callback URLs: the old ones stop working, so the provider must be told the new ones. */
export function RotateCallbackDialog({ account, open, onClose }: { account: ProviderAccount; open: boolean; onClose: () => void }) {
  return (
    <ConfirmMutationDialog mutation={useRotateCallbackToken()} variables={open ? account.id : null} title="Rotate callback URLs" confirmLabel="Rotate" onClose={onClose}>
      <p>
        New callback URLs replace the current ones, which stop working at once. Paste the new URLs into your {providerTypeLabel(account.type)} dashboard right
        after, or delivery reports and replies will be refused.
      </p>
    </ConfirmMutationDialog>
  );
}
