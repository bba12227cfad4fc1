import type { ProfileImport } from '../../api/audience.types';
import { Alert } from '../../components/alert';
import { formatDateTime } from '../../components/format';
import { importSummary } from './import-summary';
import { ColumnHeads } from '../../components/column-heads';

const count = (n: number) => n.toLocaleString('en');

/** Progress of a running import, then its counts and every bad row with its line number and reason. */
export function ImportReport({ job }: { job: ProfileImport }) {
  const percent = job.sizeBytes ? Math.min(100, Math.round((job.processedBytes / job.sizeBytes) * 100)) : null;
  return (
    <section className="panel" aria-labelledby={`import-${job.id}`} data-testid="import-report">
      <h2 className="panel__title" id={`import-${job.id}`}>
        {job.filename}
      </h2>
      {job.status === 'running' ? (
        <div>
          <progress className="progress" max={100} value={percent ?? undefined} aria-label="Import progress">
            {percent ?? 0}%
          </progress>
          <p className="muted" role="status">
            Importing… {count(job.rows)} rows read{percent !== null ? ` (${percent}%)` : ''}.
          </p>
        </div>
      ) : job.status === 'failed' ? (
        <Alert>The import failed: {(job.message ?? 'unknown reason').replace(/\.$/, '')}. Importing the same file again is safe.</Alert>
      ) : (
        <Alert kind={job.failedRows > 0 || job.rows === 0 ? 'warning' : 'success'}>{importSummary(job)}</Alert>
      )}
      <dl className="stats">
        {(
          [
            ['Rows', job.rows],
            ['Created', job.createdRows],
            ['Updated', job.updatedRows],
            ['Unchanged', job.unchangedRows],
            ['Bad rows', job.failedRows],
          ] as const
        ).map(([label, value]) => (
          <div key={label} className="stat" data-testid={`import-${label.toLowerCase().replace(' ', '-')}`}>
            <dt className="stat__label">{label}</dt>
            <dd className="stat__value">{count(value)}</dd>
          </div>
        ))}
      </dl>
      {job.badRows.length > 0 ? (
        <>
          <h3 className="stats-breakdown__title">Bad rows</h3>
          <table className="table table--compact" data-testid="bad-rows">
            <caption className="visually-hidden">Rows that were not imported</caption>
            <ColumnHeads columns={['Line', 'Identity', 'Reason']} />
            <tbody>
              {job.badRows.map((row) => (
                <tr key={row.line}>
                  <td className="num">{row.line}</td>
                  <td className="mono">{row.identity ?? '—'}</td>
                  <td>{row.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {job.badRowsTruncated ? <p className="muted">Only the first {count(job.badRows.length)} bad rows are listed.</p> : null}
        </>
      ) : null}
      <p className="muted">
        Started {formatDateTime(job.createdAt)}
        {job.finishedAt ? `, finished ${formatDateTime(job.finishedAt)}` : ''}.
      </p>
    </section>
  );
}
