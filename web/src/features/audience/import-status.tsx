import type { ProfileImport } from '../../api/audience.types';
import { Badge, type BadgeTone } from '../../components/page';

type ImportStatus = ProfileImport['status'];

/** What each import status is called: a word of the product, not the API's lowercase value. */
export const IMPORT_STATUS_LABELS: Record<ImportStatus, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
};

/** The tones campaign states use for the same words: running accent, completed success, failed danger. */
const IMPORT_STATUS_TONES: Record<ImportStatus, BadgeTone> = {
  running: 'accent',
  completed: 'success',
  failed: 'danger',
};

export function ImportStatusBadge({ status }: { status: ImportStatus }) {
  return <Badge tone={IMPORT_STATUS_TONES[status]}>{IMPORT_STATUS_LABELS[status]}</Badge>;
}
