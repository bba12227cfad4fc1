/**
 * Imports as records in the `imports` table: progress while running (written at most once a
 * second), the final counts, and the bad-row report (the first 1000 bad rows; `failedRows` counts
 * them all). The dashboard polls `GET /api/v1/imports/:id`; the CLI records its imports too.
 */
import type { Readable } from 'node:stream';
import type { Selectable } from 'kysely';
import type { Db } from '../storage/db.js';
import type { ImportsTable } from '../storage/schema.js';
import { parseJson, toJson } from '../storage/json.js';
import { AppError, notFound } from '../errors.js';
import { idCursor } from '../cursors.js';
import { newId } from '../ids.js';
import { importProfiles, type BadRow, type ImportOptions, type ImportProgress } from './import.service.js';

/** Bad rows kept in the record (the dashboard shows them; the CLI writes every one to a file). */
export const MAX_STORED_BAD_ROWS = 1000;
const PROGRESS_INTERVAL_MS = 1000;
/** A running import whose progress has not moved for this long died with its process. */
export const STALE_IMPORT_MS = 5 * 60 * 1000;

export interface ImportView {
  id: string;
  filename: string;
  source: string;
  status: 'running' | 'completed' | 'failed';
  sizeBytes: number | null;
  processedBytes: number;
  /** Data rows read so far. */
  rows: number;
  /** Rows stored: created + updated. */
  importedRows: number;
  createdRows: number;
  updatedRows: number;
  unchangedRows: number;
  failedRows: number;
  badRows: BadRow[];
  /** More bad rows exist than `badRows` lists. */
  badRowsTruncated: boolean;
  message: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

function toView(row: Selectable<ImportsTable>): ImportView {
  const badRows = parseJson<BadRow[]>(row.errors, []);
  return {
    id: row.id,
    filename: row.filename,
    source: row.source,
    status: row.status,
    sizeBytes: row.size_bytes,
    processedBytes: row.processed_bytes,
    rows: row.total_rows,
    importedRows: row.imported_rows,
    createdRows: row.created_rows,
    updatedRows: row.updated_rows,
    unchangedRows: row.unchanged_rows,
    failedRows: row.failed_rows,
    badRows,
    badRowsTruncated: row.failed_rows > badRows.length,
    message: row.message,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export async function createImport(db: Db, projectId: string, input: { filename: string; sizeBytes: number | null; source: 'dashboard' | 'api' | 'cli' }): Promise<ImportView> {
  const now = Date.now();
  const row = {
    id: newId(now),
    project_id: projectId,
    filename: input.filename,
    status: 'running' as const,
    total_rows: 0,
    imported_rows: 0,
    failed_rows: 0,
    errors: '[]',
    created_at: now,
    finished_at: null,
    source: input.source,
    size_bytes: input.sizeBytes,
    processed_bytes: 0,
    created_rows: 0,
    updated_rows: 0,
    unchanged_rows: 0,
    message: null,
    updated_at: now,
  };
  await db.kysely.insertInto('imports').values(row).execute();
  return toView({ ...row, errors: [] });
}

/** An import by id, or a 404 (also for another project's). Reports dead running imports as failed. */
export async function getImport(db: Db, projectId: string, id: string): Promise<ImportView> {
  const row = await db.kysely.selectFrom('imports').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Import', id);
  const view = toView(row);
  if (view.status === 'running' && Date.now() - view.updatedAt > STALE_IMPORT_MS) {
    return { ...view, status: 'failed', message: 'The import stopped (its process ended) before finishing; import the file again: rows already imported stay unchanged.' };
  }
  return view;
}

export async function listImports(db: Db, projectId: string, options: { cursor?: string | undefined; limit: number }): Promise<{ items: ImportView[]; nextCursor: string | null }> {
  let query = db.kysely.selectFrom('imports').selectAll().where('project_id', '=', projectId);
  const after = idCursor(options.cursor);
  if (after) query = query.where('id', '<', after);
  const rows = await query.orderBy('id', 'desc').limit(options.limit + 1).execute();
  const page = rows.slice(0, options.limit).map(toView);
  return { items: page, nextCursor: rows.length > options.limit ? (page.at(-1)?.id ?? null) : null };
}

async function saveProgress(db: Db, id: string, progress: ImportProgress, badRows: readonly BadRow[], final?: { status: 'completed' | 'failed'; message: string | null }): Promise<void> {
  const now = Date.now();
  await db.kysely
    .updateTable('imports')
    .set({
      total_rows: progress.rows,
      imported_rows: progress.created + progress.updated,
      created_rows: progress.created,
      updated_rows: progress.updated,
      unchanged_rows: progress.unchanged,
      failed_rows: progress.failed,
      processed_bytes: progress.bytes,
      errors: toJson(badRows),
      updated_at: now,
      ...(final ? { status: final.status, message: final.message, finished_at: now } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Runs an import recorded with `createImport` to its end and records the outcome; file problems
 * (bad header, broken CSV) end as a `failed` import with the reason, not as a rejection. Other
 * callbacks in `options` still fire (the CLI's progress bar and bad-row report).
 */
export async function runImport(db: Db, projectId: string, importId: string, input: Readable, options: ImportOptions = {}): Promise<ImportView> {
  const badRows: BadRow[] = [];
  let last: ImportProgress = { rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0, bytes: 0, line: 0 };
  let savedAt = Date.now();
  let final: { status: 'completed' | 'failed'; message: string | null };
  try {
    last = await importProfiles(db, projectId, input, {
      ...options,
      onBadRow: async (bad) => {
        if (badRows.length < MAX_STORED_BAD_ROWS) badRows.push(bad);
        await options.onBadRow?.(bad);
      },
      onProgress: async (progress) => {
        last = progress;
        await options.onProgress?.(progress);
        if (Date.now() - savedAt >= PROGRESS_INTERVAL_MS) {
          savedAt = Date.now();
          await saveProgress(db, importId, progress, badRows);
        }
      },
    });
    final = { status: 'completed', message: null };
  } catch (error) {
    if (!(error instanceof AppError)) {
      await saveProgress(db, importId, last, badRows, { status: 'failed', message: 'The import failed because of a server error; it was logged. Rows already imported stay.' });
      throw error;
    }
    final = { status: 'failed', message: error.message };
  }
  await saveProgress(db, importId, { ...last, failed: Math.max(last.failed, badRows.length) }, badRows, final);
  return getImport(db, projectId, importId);
}
