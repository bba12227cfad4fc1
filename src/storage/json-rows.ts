/**
 * Many rows written with few statements whose text does not depend on the data, so that they are
 * cheap to build and prepared once (SQLite statements are cached, see statement-cache.ts).
 *
 * - PostgreSQL: ONE bound parameter; the rows travel as a JSON array of arrays unpacked by
 *   `jsonb_array_elements` + casts — one round trip whatever the number of rows. As jsonb the
 *   parameter is parsed once; as json, each `->>` parsed the row again: 1,000-row inserts into
 *   `messages` (16 columns) cost 28–31 µs per row against 38–41 µs, 500-row status updates 24–26
 *   against 26–28 µs (2026-11-26).
 * - SQLite inserts: VALUES lists of 256, 128, … 1 rows (a batch of n rows is at most nine
 *   statements of nine cached shapes). Measured on 64-row inserts into `callback_events`: 7 µs per
 *   row against 11–16 µs when SQLite unpacked a JSON parameter (`->>` reads each row's JSON once
 *   per column). Several statements are not atomic on their own: callers run inside a transaction.
 * - Updates (both engines) read the rows from one JSON parameter (`json_each` on SQLite): 300-row
 *   updates of `messages` cost 10.6 µs per row this way against 24.9 µs with a VALUES list built
 *   per call.
 * Used on the hot paths: callbacks, send results, publish, receipts.
 */
import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from './db.js';
import { checkedPerRow } from './dialect.js';
import type { Database } from './schema.js';

export interface JsonRowColumn {
  name: string;
  /** `json`: a JSON column given as its JSON text (text on SQLite, jsonb on PostgreSQL). */
  type: 'text' | 'bigint' | 'integer' | 'json';
}

type Row = Record<string, unknown>;

/** A table expression `(…) as v` with the given columns, read from the JSON parameter. */
export function jsonRowsSource(dialect: Dialect, columns: readonly JsonRowColumn[], rows: readonly Row[]): RawBuilder<unknown> {
  const json = JSON.stringify(rows.map((row) => columns.map((column) => row[column.name] ?? null)));
  if (dialect === 'postgres') {
    const fields = sql.join(columns.map((column, index) => sql`(e ->> ${sql.lit(index)})::${sql.raw(column.type === 'json' ? 'jsonb' : column.type)} as ${sql.ref(column.name)}`));
    return sql`(select ${fields} from jsonb_array_elements(${json}::jsonb) as e) as v`;
  }
  const fields = sql.join(columns.map((column, index) => sql`value ->> ${sql.lit(index)} as ${sql.ref(column.name)}`));
  return sql`(select ${fields} from json_each(${json})) as v`;
}

/**
 * Inserts `rows` into `table` (columns as listed); returns the `returning` column of the inserted
 * rows (unordered), or [] without `returning`. `onConflictDoNothing` names the conflict target.
 * On SQLite this may take several statements: call it inside a transaction.
 */
export async function insertJsonRows(
  db: Kysely<Database>,
  dialect: Dialect,
  table: keyof Database & string,
  columns: readonly JsonRowColumn[],
  rows: readonly Row[],
  options: { returning?: string; onConflictDoNothing?: readonly string[] } = {},
): Promise<unknown[]> {
  if (rows.length === 0) return [];
  if (dialect === 'sqlite') return insertValueLists(db, table, columns, rows, options);
  const names = sql.join(columns.map((column) => sql.ref(column.name)));
  const values = sql.join(columns.map((column) => sql`v.${sql.ref(column.name)}`));
  const conflict = options.onConflictDoNothing ? sql` on conflict (${sql.join(options.onConflictDoNothing.map((name) => sql.ref(name)))}) do nothing` : sql``;
  const returning = options.returning ? sql` returning ${sql.ref(options.returning)} as value` : sql``;
  const result = await sql<{ value: unknown }>`insert into ${sql.table(table)} (${names}) select ${values} from ${jsonRowsSource(dialect, columns, rows)}${conflict}${returning}`.execute(db);
  return result.rows.map((row) => row.value);
}

/** Rows per SQLite INSERT: a batch is cut into these sizes, largest first. */
const VALUE_LIST_SIZES = [256, 128, 64, 32, 16, 8, 4, 2, 1];
const valueListTexts = new Map<string, string>();

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function valueListText(table: string, columns: readonly JsonRowColumn[], size: number, options: { returning?: string; onConflictDoNothing?: readonly string[] }): string {
  const key = JSON.stringify([table, columns.map((column) => column.name), size, options.returning ?? null, options.onConflictDoNothing ?? null]);
  let text = valueListTexts.get(key);
  if (text === undefined) {
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const conflict = options.onConflictDoNothing ? ` on conflict (${options.onConflictDoNothing.map(quoteName).join(', ')}) do nothing` : '';
    const returning = options.returning ? ` returning ${quoteName(options.returning)} as value` : '';
    text = `insert into ${quoteName(table)} (${columns.map((column) => quoteName(column.name)).join(', ')}) values ${Array(size).fill(tuple).join(', ')}${conflict}${returning}`;
    valueListTexts.set(key, text);
  }
  return text;
}

async function insertValueLists(
  db: Kysely<Database>,
  table: string,
  columns: readonly JsonRowColumn[],
  rows: readonly Row[],
  options: { returning?: string; onConflictDoNothing?: readonly string[] },
): Promise<unknown[]> {
  const returned: unknown[] = [];
  let at = 0;
  while (at < rows.length) {
    const size = VALUE_LIST_SIZES.find((candidate) => candidate <= rows.length - at)!;
    const parameters: unknown[] = [];
    for (let index = at; index < at + size; index++) {
      const row = rows[index]!;
      for (const column of columns) parameters.push(row[column.name] ?? null);
    }
    const result = await db.executeQuery<{ value: unknown }>(CompiledQuery.raw(valueListText(table, columns, size, options), parameters));
    for (const row of result.rows) returned.push(row.value);
    at += size;
  }
  return returned;
}

/**
 * Updates rows of `table` matched on `key`, setting every listed column from `rows`; `where` is an
 * extra condition on the target (alias `t`). Returns the keys of the rows updated.
 *
 * `where` is checked on each row found by its key (`checkedPerRow`), never used to find rows.
 * Send results say `t.status = 'sending'`, the predicate of the partial index `messages_sending`;
 * with statistics gathered while every message was queued, PostgreSQL counted one row in flight,
 * read all of them (12,000) through that index and compared each with every row given: up to
 * 2.4 s per 1,000 results (bench `dispatch`, docs/benchmarks.md). SQLite, once ANALYZE has run at
 * such a time, picks the same plan. The rows given are always few: found by their key they cost
 * the same whatever the statistics say.
 */
export async function updateJsonRows(db: Kysely<Database>, dialect: Dialect, update: JsonRowsUpdate): Promise<string[]> {
  if (update.rows.length === 0) return [];
  const result = await updateJsonRowsQuery(dialect, update).execute(db);
  return result.rows.map((row) => String(row.key));
}

export interface JsonRowsUpdate {
  table: keyof Database & string;
  key: JsonRowColumn;
  columns: readonly JsonRowColumn[];
  rows: readonly Row[];
  where?: RawBuilder<unknown>;
}

/** The statement of `updateJsonRows` (exported for the query-plan test). */
export function updateJsonRowsQuery(dialect: Dialect, update: JsonRowsUpdate): RawBuilder<{ key: string }> {
  const sets = sql.join(update.columns.map((column) => sql`${sql.ref(column.name)} = v.${sql.ref(column.name)}`));
  const extra = update.where ? sql` and ${checkedPerRow(update.where)}` : sql``;
  const key = sql.ref(update.key.name);
  // SQLite's RETURNING cannot name the target alias: the bare column means the updated row.
  const returning = dialect === 'postgres' ? sql`t.${key}` : key;
  return sql<{ key: string }>`update ${sql.table(update.table)} as t set ${sets} from ${jsonRowsSource(dialect, [update.key, ...update.columns], update.rows)} where t.${key} = v.${key}${extra} returning ${returning} as key`;
}
