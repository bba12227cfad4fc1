/**
 * The segment filter language (PRODUCT §1.4): conditions on profile properties and on events,
 * combined with nested and/or groups. This file holds the types and the zod schema (validation
 * with a path to the offending part, and the OpenAPI description); segment-filter.sql.ts compiles
 * a valid filter to SQL. docs/audience.md documents it with examples.
 *
 * ```json
 * {"type":"and","filters":[
 *   {"type":"property","name":"City","op":"eq","value":"Mumbai"},
 *   {"type":"event","name":"Charged","did":true,"atLeast":2,"within":{"lastDays":30},
 *    "where":[{"name":"Amount","op":"gte","value":100}]}]}
 * ```
 */
import { z } from 'zod';
import { MAX_VALUE_LENGTH, keyProblem, textProblem } from './audience.limits.js';
import { DATE_FORMS, parseDate } from './dates.js';

export type Scalar = string | number | boolean;
export type Bound = number | string;

/** A test on one property (of the profile, or of an event in `where`). */
export type PropertyTest =
  | { name: string; op: 'eq' | 'ne'; value: Scalar }
  | { name: string; op: 'in' | 'notIn'; value: Scalar[] }
  | { name: string; op: 'contains' | 'notContains'; value: string }
  | { name: string; op: 'exists' | 'notExists' }
  | { name: string; op: 'gt' | 'gte' | 'lt' | 'lte'; value: Bound }
  | { name: string; op: 'between'; from: Bound; to: Bound }
  | { name: string; op: 'inLastDays'; value: number };

export type PropertyCondition = PropertyTest & { type: 'property' };

export type EventWindow = { lastDays: number } | { from: string; to: string };

export interface EventCondition {
  type: 'event';
  /** Event name; case- and space-insensitive like stored names. */
  name: string;
  /** true (default): did the event; false: did not. */
  did?: boolean;
  /** Minimum number of matching events (default 1). With did:false: fewer than this many. */
  atLeast?: number;
  within?: EventWindow;
  /** Every test must hold on the same event's properties. */
  where?: PropertyTest[];
}

export interface FilterGroup {
  type: 'and' | 'or';
  filters: SegmentFilter[];
}

export type SegmentFilter = FilterGroup | PropertyCondition | EventCondition;

/** Nesting depth (a lone condition is 1) and number of conditions a filter may have. */
export const MAX_FILTER_DEPTH = 6;
export const MAX_FILTER_CONDITIONS = 100;
const MAX_LIST_VALUES = 1000;
const MAX_DAYS = 36_500;

const propertyName = z
  .string()
  .min(1, 'must not be empty')
  .superRefine((name, ctx) => {
    const problem = keyProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: `property name ${problem}` });
  })
  .describe('Property name (case-sensitive), e.g. "City", "Phone", "MSG-whatsapp".');

/** Text a stored value could hold (what textProblem refuses can never match). */
const storableText = (schema: z.ZodString) =>
  schema.superRefine((text, ctx) => {
    const problem = textProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const scalar = z.union([storableText(z.string().max(MAX_VALUE_LENGTH)), z.number(), z.boolean()], {
  error: (issue) => (issue.input === undefined ? 'is required' : `expected a string (at most ${MAX_VALUE_LENGTH} characters), a number or a boolean`),
});

const dateString = z.string().refine((value) => parseDate(value) !== null, `expected a date: ${DATE_FORMS}`);
const bound = z.union([z.number(), dateString], {
  error: (issue) => (issue.input === undefined ? 'is required' : `expected a number, or a date: ${DATE_FORMS}`),
});
const days = z.number().int('expected a whole number of days').min(1, 'expected at least 1 day').max(MAX_DAYS, `expected at most ${MAX_DAYS} days`);

function checkRange(test: { from: Bound; to: Bound }, ctx: z.core.$RefinementCtx): void {
  if (typeof test.from !== typeof test.to) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'from and to must both be numbers or both be dates' });
    return;
  }
  const low = typeof test.from === 'number' ? test.from : parseDate(test.from, 'start');
  const high = typeof test.to === 'number' ? test.to : parseDate(String(test.to), 'end');
  if (low !== null && high !== null && low > high) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
}

function propertyTests<T extends z.core.$ZodLooseShape>(base: T) {
  return z.discriminatedUnion(
    'op',
    [
      z.strictObject({ ...base, op: z.enum(['eq', 'ne']), value: scalar }),
      z.strictObject({ ...base, op: z.enum(['in', 'notIn']), value: z.array(scalar).min(1, 'expected at least one value').max(MAX_LIST_VALUES, `expected at most ${MAX_LIST_VALUES} values`) }),
      z.strictObject({ ...base, op: z.enum(['contains', 'notContains']), value: storableText(z.string().min(1, 'must not be empty').max(MAX_VALUE_LENGTH)) }),
      z.strictObject({ ...base, op: z.enum(['exists', 'notExists']) }),
      z.strictObject({ ...base, op: z.enum(['gt', 'gte', 'lt', 'lte']), value: bound }),
      z
        .strictObject({ ...base, op: z.literal('between'), from: bound, to: bound })
        .superRefine((test, ctx) => checkRange(test as unknown as { from: Bound; to: Bound }, ctx)),
      z.strictObject({ ...base, op: z.literal('inLastDays'), value: days }),
    ],
    {
      error: (issue) =>
        issue.code === 'invalid_union'
          ? 'op must be one of eq, ne, in, notIn, contains, notContains, exists, notExists, gt, gte, lt, lte, between, inLastDays'
          : undefined,
    },
  );
}

const propertyTest = propertyTests({ name: propertyName });
const propertyCondition = propertyTests({ type: z.literal('property'), name: propertyName });

const eventWindow = z.union(
  [
    z.strictObject({ lastDays: days }),
    z
      .strictObject({ from: dateString, to: dateString })
      .refine((window) => (parseDate(window.from, 'start') ?? 0) <= (parseDate(window.to, 'end') ?? 0), { path: ['to'], message: 'must not be before from' }),
  ],
  { error: `expected {"lastDays": N} or {"from": date, "to": date} with dates as ${DATE_FORMS}` },
);

const eventCondition = z.strictObject({
  type: z.literal('event'),
  name: storableText(z.string().trim().min(1, 'must not be empty').max(MAX_VALUE_LENGTH)),
  did: z.boolean().optional().describe('true (default): did the event; false: did not.'),
  atLeast: z.number().int('expected a whole number').min(1, 'expected at least 1').max(1_000_000).optional().describe('Minimum number of matching events (default 1).'),
  within: eventWindow.optional(),
  where: z.array(propertyTest).max(20, 'expected at most 20 property tests').optional().describe('Tests on the properties of the same event.'),
});

// Registered under an id: the OpenAPI document describes the recursion with
// `#/components/schemas/SegmentFilter` (components are emitted by app.ts's transformObject).
const filterNode: z.ZodType<SegmentFilter> = z
  .lazy(() =>
    z.discriminatedUnion(
      'type',
      [
        z.strictObject({
          type: z.enum(['and', 'or']),
          filters: z.array(filterNode).min(1, 'a group needs at least one filter').max(MAX_FILTER_CONDITIONS),
        }),
        propertyCondition,
        eventCondition,
      ],
      { error: (issue) => (issue.code === 'invalid_union' ? 'type must be "and", "or", "property" or "event"' : undefined) },
    ),
  )
  .meta({ id: 'SegmentFilter', description: 'A group {"type":"and"|"or","filters":[…]}, a property condition or an event condition. See docs/audience.md.' });

function measure(filter: SegmentFilter, depth: number): { depth: number; conditions: number } {
  if (filter.type === 'and' || filter.type === 'or') {
    let deepest = depth;
    let conditions = 0;
    for (const child of filter.filters) {
      const inner = measure(child, depth + 1);
      deepest = Math.max(deepest, inner.depth);
      conditions += inner.conditions;
    }
    return { depth: deepest, conditions };
  }
  return { depth, conditions: 1 };
}

/** The filter schema: structure, values, and overall size. */
export const segmentFilterSchema: z.ZodType<SegmentFilter> = filterNode
  .superRefine((filter, ctx) => {
    const size = measure(filter, 1);
    if (size.depth > MAX_FILTER_DEPTH) ctx.addIssue({ code: 'custom', message: `the filter is nested ${size.depth} levels deep; at most ${MAX_FILTER_DEPTH}` });
    if (size.conditions > MAX_FILTER_CONDITIONS) ctx.addIssue({ code: 'custom', message: `the filter has ${size.conditions} conditions; at most ${MAX_FILTER_CONDITIONS}` });
  })
  .describe('Segment filter: {"type":"and"|"or","filters":[…]}, {"type":"property",…} or {"type":"event",…}. See docs/audience.md.');

export interface FilterProblem {
  path: string;
  message: string;
}

/**
 * Validates an untrusted filter. Paths are dotted from `prefix` (`filter.filters.1.value`), the
 * same form the API's 422 answers use.
 */
export function validateSegmentFilter(input: unknown, prefix = 'filter'): { ok: true; filter: SegmentFilter } | { ok: false; problems: FilterProblem[] } {
  const parsed = segmentFilterSchema.safeParse(input);
  if (parsed.success) return { ok: true, filter: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({
      path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
      message: issue.message,
    })),
  };
}
