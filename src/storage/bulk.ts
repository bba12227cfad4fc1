/**
 * Set-based updates: one statement updates many rows from a VALUES list, instead of one statement
 * per row (which costs a round trip per row on PostgreSQL). PostgreSQL: `UPDATE … FROM (VALUES …)
 * AS v(…)` with typed columns; SQLite (≥ 3.33): `UPDATE … FROM (SELECT column1 AS …, … FROM
 * (VALUES …))`.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Dialect } from './db.js';
import type { Database } from './schema.js';

export interface BulkColumn {
  name: string;
  type: 'text' | 'bigint' | 'integer';
}

export interface BulkUpdate {
  table: keyof Database & string;
  key: BulkColumn;
  columns: BulkColumn[];
  rows: Array<Record<string, unknown>>;
  /** Extra condition on the target row, e.g. sql`t.status = 'sending'` (target alias is `t`). */
  where?: RawBuilder<unknown>;
}

// SQLite allows 32,766 bound parameters per statement, PostgreSQL 65,535: stay well below both.
const MAX_PARAMETERS = 30_000;

/** Runs the update; returns the keys of the rows that matched (and were updated). */
export async function bulkUpdate(db: Kysely<Database>, dialect: Dialect, update: BulkUpdate): Promise<string[]> {
  const all = [update.key, ...update.columns];
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / all.length));
  const updated: string[] = [];
  for (let start = 0; start < update.rows.length; start += perStatement) {
    const chunk = update.rows.slice(start, start + perStatement);
    const statement = dialect === 'postgres' ? postgresStatement(update, all, chunk) : sqliteStatement(update, all, chunk);
    const result = await statement.execute(db);
    for (const row of result.rows as Array<Record<string, unknown>>) updated.push(String(row.key));
  }
  return updated;
}

function postgresStatement(update: BulkUpdate, all: BulkColumn[], rows: Array<Record<string, unknown>>) {
  const values = sql.join(rows.map((row) => sql`(${sql.join(all.map((column) => sql`${row[column.name] ?? null}::${sql.raw(column.type)}`))})`));
  const names = sql.join(all.map((column) => sql.ref(column.name)));
  const sets = sql.join(update.columns.map((column) => sql`${sql.ref(column.name)} = v.${sql.ref(column.name)}`));
  const extra = update.where ? sql` and ${update.where}` : sql``;
  return sql<{ key: string }>`update ${sql.table(update.table)} as t set ${sets} from (values ${values}) as v(${names}) where t.${sql.ref(update.key.name)} = v.${sql.ref(update.key.name)}${extra} returning t.${sql.ref(update.key.name)} as key`;
}

function sqliteStatement(update: BulkUpdate, all: BulkColumn[], rows: Array<Record<string, unknown>>) {
  const values = sql.join(rows.map((row) => sql`(${sql.join(all.map((column) => sql`${row[column.name] ?? null}`))})`));
  const aliases = sql.join(all.map((column, index) => sql`${sql.raw(`column${index + 1}`)} as ${sql.ref(column.name)}`));
  const sets = sql.join(update.columns.map((column) => sql`${sql.ref(column.name)} = v.${sql.ref(column.name)}`));
  const extra = update.where ? sql` and ${update.where}` : sql``;
  // SQLite's RETURNING cannot name the target alias: the bare column means the updated row.
  return sql<{ key: string }>`update ${sql.table(update.table)} as t set ${sets} from (select ${aliases} from (values ${values})) as v where t.${sql.ref(update.key.name)} = v.${sql.ref(update.key.name)}${extra} returning ${sql.ref(update.key.name)} as key`;
}
