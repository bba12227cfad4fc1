/**
 * The engine-specific SQL the rest of the code must not spell out itself: reading one key of a
 * JSON object column (text + json1 on SQLite, jsonb on PostgreSQL), typed comparisons on it,
 * byte-order prefix matching, row locks. Every builder returns a Kysely expression usable in
 * `where()` on either engine.
 *
 * Three-valued logic: a predicate may yield NULL when the key is missing (never an error). Negate
 * with `isNotTrue()`, which treats NULL as false, so "not equal" also matches missing keys.
 */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Db, Dialect } from './db.js';
import type { Database } from './schema.js';

export type Comparison = '=' | '<' | '<=' | '>' | '>=';

const COMPARISONS: ReadonlySet<string> = new Set(['=', '<', '<=', '>', '>=']);

/**
 * Typed predicates over one key of a JSON object column. `column` is a column reference such as
 * `"p.properties"`; `key` is a top-level key. Keys may not contain `"` or `\` (the key rules of
 * the audience domain already forbid them); values are always bound as parameters.
 */
export interface JsonFields {
  /** The key is present with a non-null value. Never NULL. */
  exists(column: string, key: string): RawBuilder<SqlBool>;
  /** The value is a string equal (case-sensitively) to one of `values` (1..n). */
  stringIn(column: string, key: string, values: readonly string[]): RawBuilder<SqlBool>;
  /** The value is a number and `value <op> operand` holds. */
  numberCompare(column: string, key: string, op: Comparison, operand: number): RawBuilder<SqlBool>;
  /** The value is a number equal to one of `values`. */
  numberIn(column: string, key: string, values: readonly number[]): RawBuilder<SqlBool>;
  /** The value is the JSON boolean `value`. */
  booleanEquals(column: string, key: string, value: boolean): RawBuilder<SqlBool>;
  /** The value is a string containing `needle`, case ignored (on SQLite: in its usual casings, see caseSpellings). */
  stringContains(column: string, key: string, needle: string): RawBuilder<SqlBool>;
  /** The value is an array with a string element equal to `item`, case ignored (as `stringContains`). */
  arrayContains(column: string, key: string, item: string): RawBuilder<SqlBool>;
  /**
   * The value is a date stored as a canonical ISO-8601 UTC string (`2024-05-01T10:00:00.000Z`,
   * what `Date.prototype.toISOString` writes) and `value <op> iso` holds. Same-format ISO strings
   * order like the instants they denote, so the comparison is a byte-wise string comparison.
   */
  dateCompare(column: string, key: string, op: Comparison, iso: string): RawBuilder<SqlBool>;
}

function checkKey(key: string): void {
  if (key.includes('"') || key.includes('\\')) throw new Error(`JSON key ${JSON.stringify(key)} contains a quote or a backslash`);
}

function checkOp(op: string): void {
  if (!COMPARISONS.has(op)) throw new Error(`unknown comparison ${op}`);
}

const sqliteFields: JsonFields = {
  exists(column, key) {
    checkKey(key);
    return sql<SqlBool>`coalesce(json_type(${sql.ref(column)}, ${`$."${key}"`}), 'null') <> 'null'`;
  },
  stringIn(column, key, values) {
    checkKey(key);
    const path = `$."${key}"`;
    const col = sql.ref(column);
    return sql<SqlBool>`(json_type(${col}, ${path}) = 'text' and json_extract(${col}, ${path}) in (${sql.join(values)}))`;
  },
  numberCompare(column, key, op, operand) {
    checkKey(key);
    checkOp(op);
    const path = `$."${key}"`;
    const col = sql.ref(column);
    return sql<SqlBool>`(json_type(${col}, ${path}) in ('integer', 'real') and json_extract(${col}, ${path}) ${sql.raw(op)} ${operand})`;
  },
  numberIn(column, key, values) {
    checkKey(key);
    const path = `$."${key}"`;
    const col = sql.ref(column);
    return sql<SqlBool>`(json_type(${col}, ${path}) in ('integer', 'real') and json_extract(${col}, ${path}) in (${sql.join(values)}))`;
  },
  booleanEquals(column, key, value) {
    checkKey(key);
    return sql<SqlBool>`coalesce(json_type(${sql.ref(column)}, ${`$."${key}"`}), '') = ${value ? 'true' : 'false'}`;
  },
  stringContains(column, key, needle) {
    checkKey(key);
    const path = `$."${key}"`;
    const col = sql.ref(column);
    // SQLite's lower() folds ASCII letters only: the needle in each usual casing (caseSpellings).
    const value = sql`lower(json_extract(${col}, ${path}))`;
    const found = caseSpellings(needle).map((spelling) => sql<SqlBool>`instr(${value}, lower(${spelling})) > 0`);
    return sql<SqlBool>`(json_type(${col}, ${path}) = 'text' and (${sql.join(found, sql` or `)}))`;
  },
  arrayContains(column, key, item) {
    checkKey(key);
    const path = `$."${key}"`;
    const col = sql.ref(column);
    const spellings = caseSpellings(item).map((spelling) => sql`lower(${spelling})`);
    return sql<SqlBool>`(json_type(${col}, ${path}) = 'array' and exists (select 1 from json_each(${col}, ${path}) as je where je.type = 'text' and lower(je.value) in (${sql.join(spellings)})))`;
  },
  dateCompare(column, key, op, iso) {
    checkKey(key);
    checkOp(op);
    const path = `$."${key}"`;
    const col = sql.ref(column);
    return sql<SqlBool>`(json_type(${col}, ${path}) = 'text' and json_extract(${col}, ${path}) glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*' and json_extract(${col}, ${path}) ${sql.raw(op)} ${iso})`;
  },
};

// PostgreSQL: `->` needs a typed key (`jsonb -> unknown` is ambiguous between text and int).
const pgValue = (column: string, key: string) => sql`(${sql.ref(column)} -> ${key}::text)`;
const pgText = (column: string, key: string) => sql`(${sql.ref(column)} ->> ${key}::text)`;

const postgresFields: JsonFields = {
  exists(column, key) {
    checkKey(key);
    return sql<SqlBool>`coalesce(jsonb_typeof(${pgValue(column, key)}), 'null') <> 'null'`;
  },
  stringIn(column, key, values) {
    checkKey(key);
    return sql<SqlBool>`(jsonb_typeof(${pgValue(column, key)}) = 'string' and ${pgText(column, key)} = any(${[...values]}::text[]))`;
  },
  numberCompare(column, key, op, operand) {
    checkKey(key);
    checkOp(op);
    // CASE, not AND: PostgreSQL does not promise to test the type before evaluating the cast.
    return sql<SqlBool>`(case when jsonb_typeof(${pgValue(column, key)}) = 'number' then ${pgText(column, key)}::numeric end) ${sql.raw(op)} ${operand}::numeric`;
  },
  numberIn(column, key, values) {
    checkKey(key);
    return sql<SqlBool>`(case when jsonb_typeof(${pgValue(column, key)}) = 'number' then ${pgText(column, key)}::numeric end) = any(${[...values]}::numeric[])`;
  },
  booleanEquals(column, key, value) {
    checkKey(key);
    return sql<SqlBool>`coalesce(${pgValue(column, key)} = ${value ? sql`'true'::jsonb` : sql`'false'::jsonb`}, false)`;
  },
  stringContains(column, key, needle) {
    checkKey(key);
    return sql<SqlBool>`(jsonb_typeof(${pgValue(column, key)}) = 'string' and strpos(lower(${pgText(column, key)}), lower(${needle}::text)) > 0)`;
  },
  arrayContains(column, key, item) {
    checkKey(key);
    const value = pgValue(column, key);
    return sql<SqlBool>`exists (select 1 from jsonb_array_elements(case when jsonb_typeof(${value}) = 'array' then ${value} else '[]'::jsonb end) as je(v) where jsonb_typeof(je.v) = 'string' and lower(je.v #>> '{}') = lower(${item}::text))`;
  },
  dateCompare(column, key, op, iso) {
    checkKey(key);
    checkOp(op);
    const text = pgText(column, key);
    return sql<SqlBool>`(case when jsonb_typeof(${pgValue(column, key)}) = 'string' and ${text} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' then ${text} end) collate "C" ${sql.raw(op)} ${iso}::text`;
  },
};

export function jsonFields(dialect: Dialect): JsonFields {
  return dialect === 'postgres' ? postgresFields : sqliteFields;
}

/** `expression IS NOT TRUE`: the negation that treats NULL (missing key) as false. */
export function isNotTrue(expression: Expression<SqlBool>): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${expression}) is not true`;
}

/**
 * `expression` starts with `prefix`, compared byte-wise (UTF-8), so an index on the same
 * expression serves it: SQLite's default BINARY collation, PostgreSQL's "C" collation (the index
 * must be created with `collate "C"`, see migration 0002).
 */
export function startsWith(dialect: Dialect, expression: Expression<unknown>, prefix: string): RawBuilder<SqlBool> {
  // U+10FFFF is the largest code point: every string starting with `prefix` sorts below prefix+U+10FFFF.
  const upper = `${prefix}\u{10FFFF}`;
  if (dialect === 'postgres') {
    return sql<SqlBool>`((${expression}) collate "C" >= ${prefix}::text and (${expression}) collate "C" < ${upper}::text)`;
  }
  return sql<SqlBool>`((${expression}) >= ${prefix} and (${expression}) < ${upper})`;
}

/**
 * Lower-cased `expression` starts with `text` lower-cased: both by the engine's own `lower()`, so
 * the search text is folded exactly as the stored key was (SQLite folds ASCII letters only;
 * PostgreSQL every letter its character type knows). Lower-casing the text in JavaScript instead
 * missed on PostgreSQL a name typed as stored ("Élodie" against the key "élodie"). An index on
 * `lower(expression)` still serves it: the bounds are the same for every row.
 */
export function startsWithIgnoringCase(dialect: Dialect, loweredExpression: Expression<unknown>, text: string): RawBuilder<SqlBool> {
  const prefix = lowerText(dialect, text);
  // U+10FFFF is the largest code point: every string starting with the prefix sorts below prefix+U+10FFFF.
  if (dialect === 'postgres') {
    return sql<SqlBool>`((${loweredExpression}) collate "C" >= ${prefix} and (${loweredExpression}) collate "C" < ${prefix} || ${'\u{10FFFF}'}::text)`;
  }
  return sql<SqlBool>`((${loweredExpression}) >= ${prefix} and (${loweredExpression}) < ${prefix} || ${'\u{10FFFF}'})`;
}

/**
 * The spellings of a search text that a name may be stored in: as typed, all lower case, all upper
 * case, every word capitalised, only the first letter capitalised. Each is then lower-cased by the
 * database (startsWithIgnoringCase), which on SQLite folds ASCII letters only: "иван" must also be
 * looked for as "Иван" to find "Иван Петров" there. So a name in one of these usual casings is
 * found whatever the case typed; one in an irregular mix ("МакДональд") only when typed with its
 * own non-ASCII capitals. PostgreSQL's `lower()` folds every letter, and the spellings all give the
 * same range there. Spellings that differ only in ASCII letters are one: the database folds those.
 */
export function caseSpellings(text: string): string[] {
  const capitalised = (word: string) => {
    const [first = '', ...rest] = [...word];
    return first.toUpperCase() + rest.join('');
  };
  const lower = text.toLowerCase();
  const spellings = [text, lower, text.toUpperCase(), lower.split(' ').map(capitalised).join(' '), capitalised(lower)];
  const byFolded = new Map<string, string>();
  for (const spelling of spellings) {
    const folded = spelling.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
    if (!byFolded.has(folded)) byFolded.set(folded, spelling);
  }
  return [...byFolded.values()];
}

/**
 * `condition`, checked on each row the rest of the query finds and never used to find rows: as a
 * sub-select, no planner of either engine turns it into an index search. For conditions that are a
 * partial index's predicate, such as `status = 'sending'` (`messages_sending`): with statistics
 * gathered while nothing was in flight, both planners count one message there and read every
 * message in flight (tens of thousands during a large campaign) instead of the few rows the query's
 * key finds (send results: docs/benchmarks.md, 2026-11-27).
 */
export function checkedPerRow(condition: RawBuilder<unknown>): RawBuilder<SqlBool> {
  return sql<SqlBool>`(select ${condition})`;
}

/** `text` (a bound parameter) lower-cased by the database's own `lower()`, as stored keys are. */
export function lowerText(dialect: Dialect, text: string): RawBuilder<string> {
  // PostgreSQL: `lower` also takes ranges, so an untyped parameter must be named text.
  return dialect === 'postgres' ? sql<string>`lower(${text}::text)` : sql<string>`lower(${text})`;
}

/**
 * Lower-cased `Name` property of `profiles.properties`, spelled exactly as the
 * `profiles_name_search` index of migration 0002 so that searches use it.
 */
export function profileNameKey(dialect: Dialect, table = 'profiles'): RawBuilder<string | null> {
  const column = sql.ref(`${table}.properties`);
  return dialect === 'postgres' ? sql<string | null>`lower(${column} ->> 'Name')` : sql<string | null>`lower(json_extract(${column}, '$.Name'))`;
}

/** The most bound parameters one statement may carry (SQLite 3.32+: 32,766; PostgreSQL: 65,535). */
export function maxParameters(dialect: Dialect): number {
  return dialect === 'postgres' ? 65_535 : 32_766;
}

/** Whether `SELECT … FOR UPDATE` exists (PostgreSQL); SQLite serialises writers anyway. */
export function supportsRowLocks(dialect: Dialect): boolean {
  return dialect === 'postgres';
}

/**
 * Refreshes the query planner's statistics after a bulk write. PostgreSQL plans from statistics
 * that autovacuum gathers only a minute or more later; during a first import into an empty table it
 * estimates "a few rows" and picks plans that scan the whole project for every batch (measured:
 * 12k rows/s falling towards 5k at 1M). ANALYZE samples 30,000 rows, ~0.3 s at 1M profiles.
 * SQLite: nothing (the plans used here do not depend on statistics).
 */
export async function refreshStatistics(db: Db, tables: ReadonlyArray<keyof Database>): Promise<void> {
  if (db.dialect !== 'postgres') return;
  for (const table of tables) await sql`analyze ${sql.table(table)}`.execute(db.kysely);
}

/**
 * `column IN (values)` with the values as one JSON parameter: the statement text is the same for
 * every list (cached on SQLite, cheap for Kysely to build — a 1,000-item list compiled 1,000
 * parameters per call). On PostgreSQL the values go through `any(array(select …))`, whose size the
 * planner cannot see: given 1,000 literal values it estimated 1,000 rows and read all of a
 * project's profiles (120–180 ms at 100,000 profiles) instead of probing the index 1,000 times
 * (~2 ms).
 */
export function inJsonList(dialect: Dialect, column: RawBuilder<unknown>, values: readonly string[]): RawBuilder<SqlBool> {
  const json = JSON.stringify(values);
  return dialect === 'postgres'
    ? sql<SqlBool>`${column} = any(array(select json_array_elements_text(${json}::json)))`
    : sql<SqlBool>`${column} in (select value from json_each(${json}))`;
}

/**
 * Refreshes the statistics of those of `tables` that changed by more than 10 % (and 1,000 rows)
 * since they were gathered — what autovacuum would do at its next round, done now because the
 * caller is about to run plans that depend on them. Profiles uploaded through the API (1,000 per
 * call) and published at once: the planner still counted the project's few hundred profiles from
 * before and read all 100,000 of them for every batch of 1,000 recipients (0.1–0.6 s per batch).
 * Returns the tables analysed. SQLite: nothing.
 */
export async function refreshStaleStatistics(db: Db, tables: ReadonlyArray<keyof Database & string>): Promise<string[]> {
  if (db.dialect !== 'postgres' || tables.length === 0) return [];
  const counts = await sql<{ relname: string; live: string | number; changed: string | number }>`
    select relname, n_live_tup as live, n_mod_since_analyze as changed from pg_stat_user_tables
    where schemaname = current_schema() and relname in (${sql.join(tables)})`.execute(db.kysely);
  const stale = counts.rows.filter((row) => Number(row.changed) > Math.max(1000, 0.1 * Number(row.live))).map((row) => row.relname as keyof Database & string);
  await refreshStatistics(db, stale);
  return stale;
}

/**
 * Appended to an `EXISTS (SELECT …)` subquery: ` offset 0`, which keeps PostgreSQL from turning
 * it into a join and makes it an index probe per outer row. Right when the outer rows are few (a
 * window of 10,000 profiles): the join plan PostgreSQL otherwise picks — when its statistics
 * on events are missing or stale it estimates one event — reads every matching event of the
 * project for each window (0.5 s per window, 39 s over 1M profiles, against ~15 ms). SQLite
 * always evaluates EXISTS per row and needs nothing (nor accepts OFFSET without LIMIT).
 */
export function perRowSubquery(dialect: Dialect): RawBuilder<unknown> {
  return dialect === 'postgres' ? sql` offset 0` : sql``;
}
