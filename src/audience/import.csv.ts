/**
 * CSV import: the header and one row → the properties to set. Pure; import.service.ts streams the
 * file through it.
 *
 * Header: the first column is the identity (`identity`, `Identity` or `objectId`); every other
 * column is a property key, optionally with a type: `Zip:string`, `Score:number`,
 * `VIP:boolean`, `Signed up:date`, `Tags:list` (items separated by `|`).
 *
 * Values of untyped columns are inferred:
 *   empty → the property is left as it is (nothing set, nothing deleted);
 *   true / false (any case) → boolean;
 *   a plain decimal number without leading zeros, ≤ 15 digits (42, -3.5, 0.25) → number
 *     ("007", "0123" and 16+ digit strings stay strings: codes and ids, not quantities);
 *   `$D_<epoch seconds>`, `YYYY-MM-DD`, or an ISO-8601 date-time → date (stored as ISO UTC);
 *   anything else → string (≤ 512 characters).
 * System columns (their names in any case: `phone` is Phone) keep their rules: `Phone` → E.164
 * (national numbers need a default region),
 * `MSG-whatsapp` / `MSG-dndWhatsApp` → TRUE or FALSE (also yes/no, 1/0), `Email`, `Gender`, `Age`, …
 */
import { MAX_CUSTOM_PROPERTIES, MAX_IDENTITY_LENGTH, MAX_MULTI_VALUE_ITEMS, MAX_VALUE_LENGTH, SYSTEM_PROPERTIES, keyProblem, textProblem } from './audience.limits.js';
import { msToIso, parseDate } from './dates.js';
import { canonicalKey, checkSystemValue, MSG_DND_WHATSAPP, MSG_WHATSAPP, PHONE, type StoredValue } from './profile-data.js';

export type ColumnType = 'auto' | 'string' | 'number' | 'boolean' | 'date' | 'list';

export interface CsvColumn {
  key: string;
  type: ColumnType;
}

export interface CsvHeader {
  /** Columns after the identity column, in file order. */
  columns: CsvColumn[];
  /**
   * Unnamed columns at the end of the header: spreadsheets export "identity,Name,," when cells
   * to the right were ever formatted. Their cells must be empty (or absent).
   */
  blankColumns: number;
}

export type HeaderResult = { ok: true; header: CsvHeader } | { ok: false; problems: string[] };

const IDENTITY_COLUMNS = new Set(['identity', 'objectid']);
const TYPES: ReadonlySet<string> = new Set(['string', 'number', 'boolean', 'date', 'list']);
// ≤ 15 digits: every such number is exactly representable as a double.
const INFERRED_NUMBER = /^-?(?:0|[1-9]\d{0,14})(?:\.\d{1,15})?$/;
const TYPED_NUMBER = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
/** System text fields: never type-inferred (checkSystemValue converts Age itself). */
const AS_WRITTEN: ReadonlySet<string> = new Set(['Phone', 'Name', 'Email', 'Gender', 'Employed', 'Married', 'Education', 'Age', 'Photo', 'Tz']);
const DATE_LIKE = /^(?:\$D_-?\d+|\d{4}-\d{2}-\d{2}(?:[T ].*)?)$/;
/**
 * What the UTF-8 decoder puts where the file has bytes that are not UTF-8 (a file saved as
 * Latin-1 / Windows-1252: "José" arrives as "Jos\uFFFD"). A cell holding it is refused: stored, the
 * text would be damaged for good, silently.
 */
const REPLACEMENT_CHARACTER = '\uFFFD';
const NOT_UTF8 = 'has bytes that are not UTF-8 (they show as \uFFFD); save the file as UTF-8 (in Excel: Save As, "CSV UTF-8") and import it again';

function notUtf8(key: string, text: string): string {
  return `${key}: ${JSON.stringify(text.slice(0, 80))} ${NOT_UTF8}`;
}

/**
 * Built-in fields by lower-case name. Spreadsheet headers are often written `phone` or `PHONE`;
 * read as a custom property, such a column left every profile without a Phone (so unreachable)
 * without a word, so CSV columns name built-in fields in any case. (The upload API keeps keys
 * case-sensitive, as the source product's API does.)
 */
const SYSTEM_BY_LOWER_CASE: ReadonlyMap<string, string> = new Map([...SYSTEM_PROPERTIES].map((key) => [key.toLowerCase(), key]));

function columnKey(label: string): string {
  return SYSTEM_BY_LOWER_CASE.get(label.toLowerCase()) ?? canonicalKey(label);
}

/** Reads the header row; every problem is listed (the import does not start with any). */
export function parseHeader(cells: readonly string[]): HeaderResult {
  const problems: string[] = [];
  const first = cells[0]?.trim() ?? '';
  if (!IDENTITY_COLUMNS.has(first.toLowerCase())) {
    problems.push(`the first column must be "identity" (or "Identity", "objectId"), got ${JSON.stringify(first)}`);
  }
  const columns: CsvColumn[] = [];
  const seen = new Set<string>();
  let custom = 0;
  let named = cells.length;
  while (named > 1 && cells[named - 1]!.trim() === '') named--;
  cells.slice(1, named).forEach((cell, position) => {
    const label = cell.trim();
    const where = `column ${position + 2} (${JSON.stringify(label)})`;
    if (label.includes(REPLACEMENT_CHARACTER)) {
      problems.push(`${where}: the name ${NOT_UTF8}`);
      return;
    }
    const colon = label.lastIndexOf(':');
    const rawKey = colon === -1 ? label : label.slice(0, colon).trim();
    const rawType = colon === -1 ? 'auto' : label.slice(colon + 1).trim().toLowerCase();
    if (rawType !== 'auto' && !TYPES.has(rawType)) {
      problems.push(`${where}: unknown type ${JSON.stringify(rawType)}; use string, number, boolean, date or list`);
      return;
    }
    const problem = keyProblem(rawKey);
    if (problem) {
      problems.push(`${where}: the property name ${problem}`);
      return;
    }
    const key = columnKey(rawKey);
    if (seen.has(key)) {
      problems.push(`${where}: ${key} appears twice`);
      return;
    }
    seen.add(key);
    if (!SYSTEM_PROPERTIES.has(key)) custom++;
    columns.push({ key, type: rawType as ColumnType });
  });
  if (custom > MAX_CUSTOM_PROPERTIES) problems.push(`the header has ${custom} custom properties; a profile has at most ${MAX_CUSTOM_PROPERTIES}`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, header: { columns, blankColumns: cells.length - named } };
}

export interface CsvRow {
  identity: string;
  /** Properties to set (only non-empty cells). */
  set: Record<string, StoredValue>;
}

export type RowResult = { ok: true; row: CsvRow } | { ok: false; identity: string | null; reason: string };

/** A boolean cell: true/false, yes/no, 1/0 (any case); null when it is none of them. */
function csvBoolean(text: string): boolean | null {
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'yes' || lower === '1') return true;
  if (lower === 'false' || lower === 'no' || lower === '0') return false;
  return null;
}

function inferValue(text: string): StoredValue {
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  if (INFERRED_NUMBER.test(text)) return Number(text);
  if (DATE_LIKE.test(text)) {
    const ms = parseDate(text);
    const iso = ms === null ? null : msToIso(ms);
    if (iso !== null) return iso;
  }
  return text;
}

function typedValue(column: CsvColumn, text: string): { ok: true; value: StoredValue } | { ok: false; reason: string } {
  const fail = (expected: string) => ({ ok: false as const, reason: `${column.key}: ${JSON.stringify(text.slice(0, 80))} is not ${expected}` });
  switch (column.type) {
    case 'auto':
      return { ok: true, value: inferValue(text) };
    case 'string':
      return { ok: true, value: text };
    case 'number':
      return TYPED_NUMBER.test(text) && Number.isFinite(Number(text)) ? { ok: true, value: Number(text) } : fail('a number');
    case 'boolean': {
      const flag = csvBoolean(text);
      return flag === null ? fail('a boolean (true/false, yes/no, 1/0)') : { ok: true, value: flag };
    }
    case 'date': {
      const ms = parseDate(text);
      const iso = ms === null ? null : msToIso(ms);
      return iso === null ? fail('a date (YYYY-MM-DD, ISO 8601 or $D_<epoch seconds>)') : { ok: true, value: iso };
    }
    case 'list': {
      const items = [...new Set(text.split('|').map((item) => item.trim()).filter(Boolean))];
      if (items.length > MAX_MULTI_VALUE_ITEMS) return { ok: false, reason: `${column.key}: ${items.length} items; a multi-value property holds at most ${MAX_MULTI_VALUE_ITEMS}` };
      const long = items.find((item) => item.length > MAX_VALUE_LENGTH);
      if (long !== undefined) return { ok: false, reason: `${column.key}: an item is ${long.length} characters long; at most ${MAX_VALUE_LENGTH}` };
      return { ok: true, value: items };
    }
  }
}

/** One data row (cells in header order) → what to set, or why the row is bad. */
export function parseRow(header: CsvHeader, cells: readonly string[], defaultRegion?: string): RowResult {
  const identity = (cells[0] ?? '').trim();
  const named = header.columns.length + 1;
  const width = named + header.blankColumns;
  if (cells.length < named || cells.length > width) {
    const fix = cells.length > width ? 'put values that contain a comma in double quotes' : 'every row needs a cell, empty or not, for each column';
    return { ok: false, identity: identity || null, reason: `the row has ${cells.length} fields; the header has ${width} (${fix})` };
  }
  const stray = cells.findIndex((cell, index) => index >= named && cell.trim() !== '');
  if (stray !== -1) {
    return { ok: false, identity: identity || null, reason: `column ${stray + 1} has no name in the header but holds ${JSON.stringify(cells[stray]!.trim().slice(0, 80))}; name the column in the header, or empty the cell` };
  }
  if (identity === '') return { ok: false, identity: null, reason: 'identity is empty; the first cell of every row is the identity of its profile' };
  if (identity.length > MAX_IDENTITY_LENGTH) return { ok: false, identity: identity.slice(0, 80), reason: `identity is ${identity.length} characters long; at most ${MAX_IDENTITY_LENGTH}` };
  const identityText = textProblem(identity);
  if (identityText !== null) return { ok: false, identity: null, reason: `identity ${identityText}` };
  if (identity.includes(REPLACEMENT_CHARACTER)) return { ok: false, identity: identity.slice(0, 80), reason: notUtf8('identity', identity) };
  const set: Record<string, StoredValue> = {};
  for (let i = 0; i < header.columns.length; i++) {
    const column = header.columns[i]!;
    const text = (cells[i + 1] ?? '').trim();
    if (text === '') continue;
    if (text.length > MAX_VALUE_LENGTH) return { ok: false, identity, reason: `${column.key}: the value is ${text.length} characters long; values have at most ${MAX_VALUE_LENGTH}` };
    const problem = textProblem(text);
    if (problem !== null) return { ok: false, identity, reason: `${column.key}: the value ${problem}` };
    if (text.includes(REPLACEMENT_CHARACTER)) return { ok: false, identity, reason: notUtf8(column.key, text) };
    let value: StoredValue;
    if (column.key === MSG_WHATSAPP || column.key === MSG_DND_WHATSAPP) {
      // The spellings of a :boolean column: opt-in lists exported from databases say 1/0, from forms yes/no.
      const flag = csvBoolean(text);
      if (flag === null) return { ok: false, identity, reason: `${column.key} must be TRUE or FALSE (also yes/no, 1/0, any case), got ${JSON.stringify(text.slice(0, 80))}` };
      value = flag;
    } else if (AS_WRITTEN.has(column.key) && column.type === 'auto') {
      // Checked as written: a Phone "0044…" or a Name "True" must not be converted first.
      value = text;
    } else {
      const typed = typedValue(column, text);
      if (!typed.ok) return { ok: false, identity, reason: typed.reason };
      value = typed.value;
    }
    const checked = checkSystemValue(column.key, value, defaultRegion);
    if (!checked.ok) {
      // A national number ("98765 43210") is the usual cause: the import can be told its country.
      const national = column.key === PHONE && defaultRegion === undefined && !/^(?:\+|00)/.test(text);
      return { ok: false, identity, reason: national ? `${checked.failure.error}, or import the file with a default country for numbers written without one` : checked.failure.error };
    }
    set[column.key] = checked.value;
  }
  return { ok: true, row: { identity, set } };
}
