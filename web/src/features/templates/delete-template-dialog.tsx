import { ConfirmMutationDialog } from '../../components/confirm-dialog';
import type { Template } from '../../api/types';
import { useDeleteTemplate } from './templates.hooks';

/** Confirms deleting a template; a refusal from the server (e.g. a campaign uses it) is shown in place. */
export function DeleteTemplateDialog({ template, onClose, onDeleted }: { template: Template | null; onClose: () => void; onDeleted?: () => void }) {
  return (
    <ConfirmMutationDialog mutation={useDeleteTemplate()} variables={template?.id ?? null} title="Delete template" confirmLabel="Delete" danger onClose={onClose} onDone={onDeleted}>
      <p>
        Delete the template <strong className="mono">{template?.namespace}</strong>? It stays approved on the provider; only wacast forgets it.
      </p>
    </ConfirmMutationDialog>
  );
}
