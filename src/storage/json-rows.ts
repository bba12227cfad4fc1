/**
 * Many rows written with ONE bound parameter: the rows travel as a JSON array of arrays and the
 * database unpacks them (SQLite `json_each` + `->>`, PostgreSQL `json_array_elements` + casts).
 * The statement text is the same whatever the number of rows, so it is cheap to build and to
 * prepare: measured on SQLite, 300-row updates of `messages` cost 10.6 µs per row this way against
 * 24.9 µs with a VALUES list, and 200-row inserts 8.9 µs against 15.5 µs with Kysely's multi-row
 * insert — most of the difference is building and preparing a statement with thousands of
 * parameters. Used on the hot paths: callbacks, send results, publish.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from './db.js';
import type { Database } from './schema.js';

export interface JsonRowColumn {
  name: string;
  /** `json`: a JSON column given as its JSON text (text on SQLite, jsonb on PostgreSQL). */
  type: 'text' | 'bigint' | 'integer' | 'json';
}

type Row = Record<string, unknown>;

/** A table expression `(…) as v` with the given columns, read from the JSON parameter. */
function source(dialect: Dialect, columns: readonly JsonRowColumn[], rows: readonly Row[]): RawBuilder<unknown> {
  const json = JSON.stringify(rows.map((row) => columns.map((column) => row[column.name] ?? null)));
  if (dialect === 'postgres') {
    const fields = sql.join(columns.map((column, index) => sql`(e ->> ${sql.lit(index)})::${sql.raw(column.type === 'json' ? 'jsonb' : column.type)} as ${sql.ref(column.name)}`));
    return sql`(select ${fields} from json_array_elements(${json}::json) as e) as v`;
  }
  const fields = sql.join(columns.map((column, index) => sql`value ->> ${sql.lit(index)} as ${sql.ref(column.name)}`));
  return sql`(select ${fields} from json_each(${json})) as v`;
}

/**
 * Inserts `rows` into `table` (columns as listed); returns the `returning` column of the inserted
 * rows (unordered), or [] without `returning`. `onConflictDoNothing` names the conflict target.
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
  const names = sql.join(columns.map((column) => sql.ref(column.name)));
  const values = sql.join(columns.map((column) => sql`v.${sql.ref(column.name)}`));
  // SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT (a parsing ambiguity); `true` is harmless.
  const conflict = options.onConflictDoNothing ? sql` where true on conflict (${sql.join(options.onConflictDoNothing.map((name) => sql.ref(name)))}) do nothing` : sql``;
  const returning = options.returning ? sql` returning ${sql.ref(options.returning)} as value` : sql``;
  const result = await sql<{ value: unknown }>`insert into ${sql.table(table)} (${names}) select ${values} from ${source(dialect, columns, rows)}${conflict}${returning}`.execute(db);
  return result.rows.map((row) => row.value);
}

/**
 * Updates rows of `table` matched on `key`, setting every listed column from `rows`; `where` is an
 * extra condition on the target (alias `t`). Returns the keys of the rows updated.
 */
export async function updateJsonRows(
  db: Kysely<Database>,
  dialect: Dialect,
  update: { table: keyof Database & string; key: JsonRowColumn; columns: readonly JsonRowColumn[]; rows: readonly Row[]; where?: RawBuilder<unknown> },
): Promise<string[]> {
  if (update.rows.length === 0) return [];
  const sets = sql.join(update.columns.map((column) => sql`${sql.ref(column.name)} = v.${sql.ref(column.name)}`));
  const extra = update.where ? sql` and ${update.where}` : sql``;
  const key = sql.ref(update.key.name);
  // SQLite's RETURNING cannot name the target alias: the bare column means the updated row.
  const returning = dialect === 'postgres' ? sql`t.${key}` : key;
  const result = await sql<{ key: string }>`update ${sql.table(update.table)} as t set ${sets} from ${source(dialect, [update.key, ...update.columns], update.rows)} where t.${key} = v.${key}${extra} returning ${returning} as key`.execute(db);
  return result.rows.map((row) => String(row.key));
}
