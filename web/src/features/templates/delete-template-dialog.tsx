import { ConfirmDialog } from '../../components/confirm-dialog';
import type { Template } from '../../api/types';
import { useDeleteTemplate } from './templates.hooks';

/** Confirms deleting a template; a refusal from the server (e.g. a campaign uses it) is shown in place. */
export function DeleteTemplateDialog({ template, onClose, onDeleted }: { template: Template | null; onClose: () => void; onDeleted?: () => void }) {
  const remove = useDeleteTemplate();
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={template !== null}
      title="Delete template"
      confirmLabel="Delete"
      danger
      busy={remove.isPending}
      error={remove.isError ? remove.error.message : null}
      onCancel={close}
      onConfirm={() => {
        if (!template) return;
        remove.mutate(template.id, {
          onSuccess: () => {
            remove.reset();
            onClose();
            onDeleted?.();
          },
        });
      }}
    >
      <p>
        Delete the template <strong className="mono">{template?.namespace}</strong>? It stays approved on the provider; only wacast forgets it.
      </p>
    </ConfirmDialog>
  );
}
