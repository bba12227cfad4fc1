/**
 * Compiles a validated segment filter to ONE SQL predicate over a `profiles` row, evaluated by the
 * database (profiles are never loaded to be filtered in memory). Engine differences (JSON access,
 * casts) come from src/storage/dialect.ts; this file only states the meaning of each operator.
 *
 * Meaning, in short (docs/audience.md has the long form):
 * - eq/in compare values as written: 42 and "42" both match a stored 42 or "42"; true matches a
 *   stored true or "true". Strings compare case-sensitively.
 * - ne/notIn/notContains/notExists also match profiles that lack the property.
 * - contains: substring of a string value, or an item of a multi-value list (ASCII case ignored).
 * - gt/gte/lt/lte/between: numbers against numbers, dates against dates. A date-only bound means
 *   the whole UTC day: `lte 2024-01-31` includes that day, `gt 2024-01-31` starts the next one.
 * - inLastDays N: a date property between now − N days and now.
 * - event: at least `atLeast` (default 1) events with that name (case/space-insensitive) in the
 *   window whose properties pass every `where` test; did:false negates it.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Dialect } from '../storage/db.js';
import { isNotTrue, jsonFields, perRowSubquery, type Comparison, type JsonFields } from '../storage/dialect.js';
import { eventNameKey } from './audience.limits.js';
import { msToIso, parseDate } from './dates.js';
import { canonicalKey } from './profile-data.js';
import type { EventCondition, PropertyTest, Scalar, SegmentFilter } from './segment-filter.js';

export interface CompileContext {
  dialect: Dialect;
  projectId: string;
  /** "Now" for relative windows (epoch ms); fixed once per resolution so batches agree. */
  now: number;
  /** Alias of the profiles table in the query (default `profiles`). */
  alias?: string;
  /**
   * Evaluate event conditions with an index probe per profile (see `perRowSubquery`): for
   * queries over a bounded window of profiles. Leave it off for whole-project counts, where a
   * single join over the events is cheaper.
   */
  perRowEvents?: boolean;
}

const DAY_MS = 86_400_000;
const NUMERIC = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;
const COMPARISON: Record<'gt' | 'gte' | 'lt' | 'lte', Comparison> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

function or(parts: RawBuilder<SqlBool>[]): RawBuilder<SqlBool> {
  if (parts.length === 1) return parts[0]!;
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

function and(parts: RawBuilder<SqlBool>[]): RawBuilder<SqlBool> {
  if (parts.length === 1) return parts[0]!;
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}

/** Values as written: each value also matches its spelling in the other JSON types. */
function equalsAny(fields: JsonFields, column: string, key: string, values: readonly Scalar[]): RawBuilder<SqlBool> {
  const strings = new Set<string>();
  const numbers = new Set<number>();
  const booleans = new Set<boolean>();
  for (const value of values) {
    if (typeof value === 'string') {
      strings.add(value);
      if (NUMERIC.test(value)) numbers.add(Number(value));
      if (value === 'true' || value === 'false') booleans.add(value === 'true');
    } else if (typeof value === 'number') {
      numbers.add(value);
      strings.add(String(value));
    } else {
      booleans.add(value);
      strings.add(String(value));
    }
  }
  const parts: RawBuilder<SqlBool>[] = [];
  if (strings.size > 0) parts.push(fields.stringIn(column, key, [...strings]));
  if (numbers.size > 0) parts.push(fields.numberIn(column, key, [...numbers]));
  for (const flag of booleans) parts.push(fields.booleanEquals(column, key, flag));
  return or(parts);
}

function dateBound(value: string, bound: 'start' | 'end'): string {
  const ms = parseDate(value, bound);
  const iso = ms === null ? null : msToIso(ms);
  if (iso === null) throw new Error(`not a date: ${value} (validate filters before compiling them)`);
  return iso;
}

function compare(fields: JsonFields, column: string, key: string, op: 'gt' | 'gte' | 'lt' | 'lte', value: number | string): RawBuilder<SqlBool> {
  if (typeof value === 'number') return fields.numberCompare(column, key, COMPARISON[op], value);
  // gt and lte of a date-only bound refer to the end of that day; gte and lt to its start.
  return fields.dateCompare(column, key, COMPARISON[op], dateBound(value, op === 'gt' || op === 'lte' ? 'end' : 'start'));
}

/** One property test over the JSON column `column` (profile or event properties). */
export function compilePropertyTest(fields: JsonFields, column: string, test: PropertyTest, now: number): RawBuilder<SqlBool> {
  const key = canonicalKey(test.name);
  switch (test.op) {
    case 'eq':
      return equalsAny(fields, column, key, [test.value]);
    case 'ne':
      return isNotTrue(equalsAny(fields, column, key, [test.value]));
    case 'in':
      return equalsAny(fields, column, key, test.value);
    case 'notIn':
      return isNotTrue(equalsAny(fields, column, key, test.value));
    case 'contains':
      return or([fields.stringContains(column, key, test.value), fields.arrayContains(column, key, test.value)]);
    case 'notContains':
      return isNotTrue(or([fields.stringContains(column, key, test.value), fields.arrayContains(column, key, test.value)]));
    case 'exists':
      return fields.exists(column, key);
    case 'notExists':
      return isNotTrue(fields.exists(column, key));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compare(fields, column, key, test.op, test.value);
    case 'between':
      return and([compare(fields, column, key, 'gte', test.from), compare(fields, column, key, 'lte', test.to)]);
    case 'inLastDays': {
      const from = msToIso(now - test.value * DAY_MS) ?? '0000-01-01T00:00:00.000Z';
      const to = msToIso(now) ?? '9999-12-31T23:59:59.999Z';
      return and([fields.dateCompare(column, key, '>=', from), fields.dateCompare(column, key, '<=', to)]);
    }
  }
}

function compileEvent(condition: EventCondition, ctx: CompileContext, fields: JsonFields): RawBuilder<SqlBool> {
  const alias = ctx.alias ?? 'profiles';
  const where: RawBuilder<SqlBool>[] = [
    sql<SqlBool>`ev.project_id = ${ctx.projectId}`,
    sql<SqlBool>`ev.name_key = ${eventNameKey(condition.name)}`,
    sql<SqlBool>`ev.profile_id = ${sql.ref(`${alias}.id`)}`,
  ];
  const window = condition.within;
  if (window && 'lastDays' in window) {
    where.push(sql<SqlBool>`ev.ts >= ${ctx.now - window.lastDays * DAY_MS}`, sql<SqlBool>`ev.ts <= ${ctx.now}`);
  } else if (window) {
    where.push(sql<SqlBool>`ev.ts >= ${parseDate(window.from, 'start') ?? 0}`, sql<SqlBool>`ev.ts <= ${parseDate(window.to, 'end') ?? 0}`);
  }
  for (const test of condition.where ?? []) where.push(compilePropertyTest(fields, 'ev.properties', test, ctx.now));
  const body = sql.join(where, sql` and `);
  const atLeast = condition.atLeast ?? 1;
  // EXISTS stops at the first match (index seek on events(project_id, name_key, profile_id, ts));
  // counting is only needed for "at least K times" with K > 1.
  const fence = ctx.perRowEvents ? perRowSubquery(ctx.dialect) : sql``;
  const did = atLeast === 1 ? sql<SqlBool>`exists (select 1 from events as ev where ${body}${fence})` : sql<SqlBool>`(select count(*) from events as ev where ${body}) >= ${atLeast}`;
  return condition.did === false ? sql<SqlBool>`not ${did}` : did;
}

/** The whole filter as one predicate on the profiles row `ctx.alias`. */
export function compileSegmentFilter(filter: SegmentFilter, ctx: CompileContext): RawBuilder<SqlBool> {
  const fields = jsonFields(ctx.dialect);
  const compile = (node: SegmentFilter): RawBuilder<SqlBool> => {
    switch (node.type) {
      case 'and':
        return and(node.filters.map(compile));
      case 'or':
        return or(node.filters.map(compile));
      case 'property':
        return compilePropertyTest(fields, `${ctx.alias ?? 'profiles'}.properties`, node, ctx.now);
      case 'event':
        return compileEvent(node, ctx, fields);
    }
  };
  return compile(filter);
}
