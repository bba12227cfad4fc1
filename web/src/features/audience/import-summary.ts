import type { ProfileImport } from '../../api/audience.types';

const count = (n: number) => n.toLocaleString('en');

/**
 * The one-sentence outcome of a finished import. Rows whose profile already held their values
 * count as imported: re-importing a file (which changes nothing, by design) must not read as
 * "0 of 4 rows imported", as if it had failed.
 */
export function importSummary(job: Pick<ProfileImport, 'rows' | 'createdRows' | 'updatedRows' | 'unchangedRows' | 'failedRows'>): string {
  if (job.rows === 0) return 'Import finished: the file has a header but no data rows, so nothing was imported.';
  const imported = job.createdRows + job.updatedRows + job.unchangedRows;
  const upToDate = job.unchangedRows > 0 ? ` (${count(job.unchangedRows)} already up to date)` : '';
  const bad = job.failedRows > 0 ? `, ${count(job.failedRows)} bad` : '';
  return `Import finished: ${count(imported)} of ${count(job.rows)} rows imported${upToDate}${bad}.`;
}
