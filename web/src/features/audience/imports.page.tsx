import { useId, useState, type FormEvent } from 'react';
import { PageHeader } from '../../components/page';
import { TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { formatDateTime } from '../../components/format';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';
import { useImport, useImports, useUploadCsv } from './imports.hooks';
import { ImportReport } from './import-report';
import { ImportStatusBadge } from './import-status';
import { ColumnHeads } from '../../components/column-heads';

/** CSV import: upload a file, watch its progress, see the bad rows with their line numbers. */
export function ImportsPage() {
  const fileId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [region, setRegion] = useState('');
  const [current, setCurrent] = useState<string | null>(null);
  const upload = useUploadCsv();
  const job = useImport(current);
  const history = useImports();
  const errors = upload.isError ? formErrorsOf(upload.error, ['file', 'defaultRegion']) : noFormErrors;
  // A change retires the answer to the previous upload: it was about the file or country being changed.
  const edited = () => {
    if (upload.isError) upload.reset();
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) {
      setFileError('is required: choose a CSV file');
      return;
    }
    setFileError(null);
    upload.mutate({ file, ...(region.trim() ? { defaultRegion: region.trim().toUpperCase() } : {}) }, { onSuccess: (created) => setCurrent(created.id) });
  }

  const fileProblem = fileError ?? errors.fields.file;
  return (
    <>
      <PageHeader title="CSV import" description="Create or update profiles from a CSV file. Re-importing the same file changes nothing." />
      {/* One column: the report of an upload sits under its form, as wide as it and apart from it. */}
      <div className="page-column">
        <form className="form" onSubmit={submit} noValidate>
          {errors.summary ? <Alert>{errors.summary}</Alert> : null}
          <div className={`field${fileProblem ? ' field--invalid' : ''}`}>
            <label htmlFor={fileId} className="field__label">
              CSV file
            </label>
            <input
              id={fileId}
              type="file"
              accept=".csv,text/csv"
              className="input input--file"
              aria-invalid={fileProblem ? true : undefined}
              aria-describedby={`${fileId}-hint${fileProblem ? ` ${fileId}-error` : ''}`}
              onChange={(event) => {
                edited();
                setFile(event.target.files?.[0] ?? null);
              }}
            />
            <p className="field__hint" id={`${fileId}-hint`}>
              First column <code>identity</code>, then one column per property (Name, Phone, MSG-whatsapp…). Phone numbers in E.164, e.g. +14155551234.
            </p>
            {fileProblem ? (
              <p className="field__error" id={`${fileId}-error`}>
                {fileProblem}
              </p>
            ) : null}
          </div>
          <TextField
            label="Default country"
            value={region}
            onChange={(value) => {
              edited();
              setRegion(value);
            }}
            autoComplete="off"
            placeholder="IN"
            hint="Optional: the ISO country code for phone numbers written without a country code."
            error={errors.fields.defaultRegion}
          />
          <div className="actions">
            <button type="submit" className="btn btn--primary" disabled={upload.isPending}>
              {upload.isPending ? 'Uploading…' : 'Import'}
            </button>
          </div>
        </form>
        {job.data ? <ImportReport job={job.data} /> : null}
        {history.data && history.data.items.length > 0 ? (
          <section className="panel" aria-labelledby="history-title">
            <h2 className="panel__title" id="history-title">
              Earlier imports
            </h2>
            <table className="table table--compact">
              <caption className="visually-hidden">Earlier imports</caption>
              <ColumnHeads columns={['File', 'Status', { label: 'Imported', numeric: true }, { label: 'Bad rows', numeric: true }, 'Started', { label: 'Actions', hidden: true }]} />
              <tbody>
                {history.data.items.map((item) => (
                  <tr key={item.id}>
                    <td>{item.filename}</td>
                    <td>
                      <ImportStatusBadge status={item.status} />
                    </td>
                    <td className="num">{(item.createdRows + item.updatedRows + item.unchangedRows).toLocaleString('en')}</td>
                    <td className="num">{item.failedRows.toLocaleString('en')}</td>
                    <td>{formatDateTime(item.createdAt)}</td>
                    <td className="table__actions">
                      <button type="button" className="btn btn--ghost btn--small" aria-label={`Show the report of ${item.filename}`} onClick={() => setCurrent(item.id)}>
                        Report
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : null}
      </div>
    </>
  );
}
