/**
 * The CSV import, used by `wacast import profiles`, the dashboard upload and the benchmark.
 *
 * Streaming, constant memory: csv-parse reads the file chunk by chunk and the rows are stored in
 * batches (default 1000 rows, one write transaction each, batched statements), so a 1,000,000-row
 * file never sits in memory. Idempotent: a row merges its non-empty cells into the profile; a
 * profile already holding those values is not written at all, so importing the same file again
 * changes nothing (not even `updated_at`). Bad rows are reported with their line number and
 * reason, never dropped silently; the good rows of the file are stored.
 */
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parse } from 'csv-parse';
import type { Db } from '../storage/db.js';
import { writeTransaction } from '../storage/transaction.js';
import { refreshStatistics } from '../storage/dialect.js';
import { AppError, validationFailed } from '../errors.js';
import { newId } from '../ids.js';
import { MAX_CUSTOM_PROPERTIES } from './audience.limits.js';
import { countCustomProperties, type Properties, type StoredValue } from './profile-data.js';
import { insertNewProfiles, loadProfiles, writeProfiles, type Executor, type ProfileWrite } from './profiles.store.js';
import { parseHeader, parseRow, type CsvHeader, type CsvRow } from './import.csv.js';

export interface BadRow {
  /** Line of the file where the row starts (the header is line 1). */
  line: number;
  identity: string | null;
  reason: string;
}

export interface ImportProgress {
  /** Data rows read (good and bad). */
  rows: number;
  created: number;
  updated: number;
  /** Rows whose profile already held these values: nothing written. */
  unchanged: number;
  /** Bad rows. */
  failed: number;
  /** Bytes of the file read so far. */
  bytes: number;
  /** Line of the last row read. */
  line: number;
}

export interface ImportOptions {
  /** ISO country code for phone numbers written without a country code (e.g. "IN"). */
  defaultRegion?: string | undefined;
  /** Rows per write transaction (default 1000). */
  batchSize?: number;
  /** Called after every stored batch. */
  onProgress?: (progress: ImportProgress) => void | Promise<void>;
  /** Called for every bad row, in file order. */
  onBadRow?: (bad: BadRow) => void | Promise<void>;
  /** Stops the import between batches (what was stored stays stored). */
  signal?: AbortSignal | undefined;
}

interface PendingRow {
  line: number;
  row: CsvRow;
}

interface BatchOutcome {
  created: number;
  updated: number;
  unchanged: number;
  bad: BadRow[];
}

function sameValue(a: unknown, b: StoredValue): boolean {
  if (Array.isArray(b)) return Array.isArray(a) && a.length === b.length && a.every((item, i) => item === b[i]);
  return a === b;
}

interface ProfileState {
  id: string;
  properties: Properties;
  isNew: boolean;
  original: string | null;
}

/** Merges rows into their profiles in file order; returns per-row outcomes and the final states. */
function mergeRows(rows: readonly PendingRow[], existing: Map<string, { id: string; properties: Properties; original: string }>, now: number) {
  const states = new Map<string, ProfileState>();
  const outcome: BatchOutcome = { created: 0, updated: 0, unchanged: 0, bad: [] };
  const updatedRows = new Map<string, number>();
  for (const { line, row } of rows) {
    let state = states.get(row.identity);
    const first = state === undefined;
    if (!state) {
      const found = existing.get(row.identity);
      state = found ? { id: found.id, properties: found.properties, isNew: false, original: found.original } : { id: newId(now), properties: {}, isNew: true, original: null };
    }
    const changed = Object.entries(row.set).some(([key, value]) => !sameValue(state.properties[key], value));
    if (changed) {
      const merged = { ...state.properties, ...row.set };
      const custom = countCustomProperties(merged);
      if (custom > MAX_CUSTOM_PROPERTIES) {
        outcome.bad.push({ line, identity: row.identity, reason: `the profile would have ${custom} custom properties; at most ${MAX_CUSTOM_PROPERTIES}` });
        continue;
      }
      state.properties = merged;
    }
    states.set(row.identity, state);
    if (first && state.isNew) outcome.created++;
    else if (changed) {
      outcome.updated++;
      updatedRows.set(row.identity, (updatedRows.get(row.identity) ?? 0) + 1);
    } else outcome.unchanged++;
  }
  // Rows of one identity that change it back and forth (a file listing a profile twice) leave it as
  // it was when re-imported: counted as unchanged, since nothing is written.
  for (const [identity, count] of updatedRows) {
    const state = states.get(identity)!;
    if (state.original !== null && JSON.stringify(state.properties) === state.original) {
      outcome.updated -= count;
      outcome.unchanged += count;
    }
  }
  return { outcome, states };
}

class ConcurrentCreate extends Error {}

async function storeBatch(trx: Executor, db: Db, projectId: string, rows: readonly PendingRow[], now: number): Promise<BatchOutcome> {
  const identities = [...new Set(rows.map((entry) => entry.row.identity))];
  const existing = await loadProfiles(trx, db.dialect, projectId, identities, { lock: true });
  const { outcome, states } = mergeRows(rows, existing, now);

  const toInsert: ProfileWrite[] = [];
  const toUpdate: ProfileWrite[] = [];
  for (const [identity, state] of states) {
    if (state.isNew) toInsert.push({ id: state.id, identity, properties: state.properties });
    else if (JSON.stringify(state.properties) !== state.original) toUpdate.push({ id: state.id, identity, properties: state.properties });
  }
  const inserted = await insertNewProfiles(trx, projectId, toInsert, now);
  // Another writer created some of these profiles since we looked: roll back and redo the batch,
  // which then finds (and locks) them.
  if (inserted.size < toInsert.length) throw new ConcurrentCreate();
  await writeProfiles(trx, projectId, toUpdate, now);
  return outcome;
}

interface ParsedRecord {
  record: string[];
  info: { lines: number; bytes: number };
}

function count(cells: readonly string[], needle: string): number {
  let found = 0;
  for (const cell of cells) for (let i = cell.indexOf(needle); i !== -1; i = cell.indexOf(needle, i + needle.length)) found++;
  return found;
}

/**
 * File line numbers from csv-parse's `info.lines` (the line where a record ends). csv-parse 6
 * counts a CRLF inside a quoted field as two lines (and keeps counting from there), so those
 * are subtracted; a record's own line is where it starts: its end minus its embedded newlines.
 */
class LineCounter {
  private drift = 0;

  /** The record's first and last line. */
  span(cells: readonly string[], endLine: number): { start: number; end: number } {
    this.drift += count(cells, '\r\n');
    const end = endLine - this.drift;
    return { start: end - count(cells, '\n'), end };
  }
}

function isCsvError(error: unknown): error is Error & { code: string; lines?: number } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && (error as unknown as { code: string }).code.startsWith('CSV_');
}

/**
 * Imports a CSV stream into a project's profiles. Resolves with the final counts. Rejects with a
 * 422 AppError when the header is wrong (nothing imported) or the file stops being valid CSV
 * (`invalid_csv`; the rows before were imported and a re-import after fixing the file is safe).
 */
export async function importProfiles(db: Db, projectId: string, input: Readable, options: ImportOptions = {}): Promise<ImportProgress> {
  const batchSize = options.batchSize ?? 1000;
  const progress: ImportProgress = { rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0, bytes: 0, line: 0 };
  // Records are taken synchronously from the parser as each chunk is written (on_record), and
  // the next chunk is written only once they are stored: backpressure without buffering, and a
  // CSV error later in the file cannot discard rows that were already parsed.
  const parsed: ParsedRecord[] = [];
  let parseError: unknown = null;
  const parser = parse({
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    on_record: (record: string[], context) => {
      parsed.push({ record, info: { lines: context.lines, bytes: context.bytes } });
      return null;
    },
  });
  parser.on('error', (error) => {
    parseError ??= error;
  });
  parser.resume();

  const lines = new LineCounter();
  // Planner statistics at 10k, 100k, 1M… rows written (see refreshStatistics).
  let nextAnalyze = 10_000;
  let header: CsvHeader | null = null;
  let batch: PendingRow[] = [];
  const reportBad = async (bad: BadRow) => {
    progress.failed++;
    await options.onBadRow?.(bad);
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    let outcome: BatchOutcome | null = null;
    for (let attempt = 1; outcome === null; attempt++) {
      try {
        outcome = await writeTransaction(db, (trx) => storeBatch(trx, db, projectId, rows, Date.now()));
      } catch (error) {
        if (!(error instanceof ConcurrentCreate) || attempt >= 5) throw error;
      }
    }
    progress.created += outcome.created;
    progress.updated += outcome.updated;
    progress.unchanged += outcome.unchanged;
    if (progress.created + progress.updated >= nextAnalyze) {
      await refreshStatistics(db, ['profiles']);
      nextAnalyze *= 10;
    }
    for (const bad of outcome.bad) await reportBad(bad);
    await options.onProgress?.({ ...progress });
  };
  const consume = async () => {
    for (const { record, info } of parsed.splice(0)) {
      const { start: line, end } = lines.span(record, info.lines);
      progress.bytes = info.bytes;
      if (header === null) {
        const result = parseHeader(record);
        if (!result.ok) throw validationFailed(result.problems.map((message) => ({ path: 'header', message })), `The CSV header is not usable: ${result.problems.join('; ')}.`);
        header = result.header;
        continue;
      }
      progress.rows++;
      progress.line = line;
      const result = parseRow(header, record, options.defaultRegion);
      if (result.ok) batch.push({ line, row: result.row });
      else {
        // A quote left open swallows the lines after it into one value, up to the next quote: say
        // which lines the row took, so the rows inside it are not lost without a word.
        const spans = end > line && result.reason.startsWith('the row has') ? `; it runs from line ${line} to line ${end} because a quoted value spans lines: check for a missing or extra double quote` : '';
        await reportBad({ line, identity: result.identity, reason: `${result.reason}${spans}` });
      }
      if (batch.length >= batchSize) {
        if (options.signal?.aborted) throw new AppError(409, 'import_interrupted', `The import was stopped at line ${line}; the rows before it were imported.`);
        await flush();
      }
    }
  };

  try {
    for await (const chunk of input) {
      parser.write(chunk);
      await consume();
      if (parseError) break;
    }
    if (!parseError) {
      parser.end();
      await finished(parser).catch((error: unknown) => {
        parseError ??= error;
      });
      await consume();
    }
  } catch (error) {
    input.destroy();
    parser.destroy();
    throw error;
  }
  input.destroy();
  if (parseError) {
    // The rows before the broken part are valid and stored; say up to where.
    await flush();
    if (!isCsvError(parseError)) throw parseError;
    throw new AppError(
      422,
      'invalid_csv',
      `The file is not valid CSV near line ${parseError.lines ?? '?'}: ${parseError.message}. ${progress.rows > 0 ? `Rows up to line ${progress.line} were imported; ` : ''}fix the file and import it again (rows already imported stay unchanged).`,
    );
  }
  if (header === null) throw validationFailed([{ path: 'header', message: 'the file is empty' }], 'The CSV file is empty: it needs a header row starting with "identity".');
  await flush();
  if (progress.created + progress.updated >= 10_000) await refreshStatistics(db, ['profiles']);
  return progress;
}
