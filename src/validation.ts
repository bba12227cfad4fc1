/**
 * Zod set-up shared by every route: messages that say what is wrong in plain words
 * ("is required", "expected a number") instead of zod's internal phrasing.
 */
import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, validationFailed, type FieldProblem } from './errors.js';

let configured = false;

export function configureZod(): void {
  if (configured) return;
  configured = true;
  z.config({
    customError: (issue) => {
      if (issue.code === 'invalid_type') {
        if (issue.input === undefined) return 'is required';
        // A query parameter coerced to a number arrives as NaN ("limit=abc"): say what was wanted.
        if (typeof issue.input === 'number' && Number.isNaN(issue.input)) return `expected ${issue.expected}, got something that is not a number`;
        const received = issue.input === null ? 'null' : Array.isArray(issue.input) ? 'array' : typeof issue.input;
        return `expected ${issue.expected}, got ${received}`;
      }
      if (issue.code === 'unrecognized_keys') {
        const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
        const allowed = shape ? ` (allowed: ${Object.keys(shape).join(', ')})` : '';
        return `unknown field(s): ${issue.keys.join(', ')}${allowed}`;
      }
      if (issue.code === 'invalid_value' && issue.values.length > 0) {
        const values = issue.values.map((value) => JSON.stringify(value));
        return values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(', ')}`;
      }
      return undefined;
    },
  });
}

configureZod();

/**
 * The body of a PATCH: `schema` (its fields optional), with at least one field sent. An empty
 * PATCH is a 422 on `body` naming the fields that may be changed ("send name, filter or both"),
 * not a 200 that changed nothing but updatedAt. The document says so with `minProperties: 1`.
 */
export function changeOf<T extends z.ZodObject>(schema: T) {
  const fields = Object.keys(schema.shape);
  const which = fields.length === 2 ? `${fields[0]}, ${fields[1]} or both` : `at least one of ${fields.join(', ')}`;
  return schema
    .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
      message: `send ${which}`,
      // A body of unknown fields alone hears about them, not also that it sent no known one.
      when: (payload) => payload.issues.length === 0,
    })
    .meta({ minProperties: 1 });
}

/** A list response: `{"items":[…],"nextCursor":null|"…"}`. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/**
 * The `cursor` query parameter of a list. Services check it (`src/cursors.ts`): a value the list
 * did not return is a 422 on `cursor`, never the first page again.
 */
export const cursorParam = z
  .string()
  .optional()
  .describe('The nextCursor of the previous page, unchanged; leave out for the first page. Any other value is refused (422).');

/**
 * The `limit` query parameter of a list: a whole number from 1 to `max`, `fallback` when left out.
 * Every way of missing it (a word, a fraction, 0, too many) gets the same sentence with the range.
 */
export function limitParam(max: number, fallback: number) {
  const message = `must be a whole number from 1 to ${max}`;
  return z.coerce
    .number({ error: message })
    .int({ error: message })
    .min(1, { error: message })
    .max(max, { error: message })
    .default(fallback)
    .describe(`Items per page: 1 to ${max} (default ${fallback}).`);
}

/** The error body every failing request gets. */
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/**
 * The field problems of a failed route schema (body, querystring, params), paths dotted from the
 * body root (`credentials.apiKey`) or prefixed with where they are (`querystring.limit`); null
 * when the error is not a schema validation.
 */
export function schemaProblems(error: unknown): FieldProblem[] | null {
  if (!(error instanceof Error) || !hasZodFastifySchemaValidationErrors(error)) return null;
  const where = (error as { validationContext?: string }).validationContext ?? 'body';
  return error.validation.map((issue) => {
    const field = issue.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
    return { path: field ? (where === 'body' ? field : `${where}.${field}`) : where, message: issue.message ?? 'is invalid' };
  });
}

/**
 * For write routes declared with `attachValidation: true`, first thing in the handler: when the
 * body failed its schema, answers one 422 with the schema's problems together with `check` (the
 * service's own checks) run on the top-level fields the schema accepted. Without it a request
 * with a bad enum and a bad value checked by the service learnt about them in two rounds.
 * `check` returns problems or throws `validationFailed`; problems on a field the schema already
 * refused are dropped (the schema's words say what is wrong with the value sent).
 */
export async function refuseInvalidBody(
  request: FastifyRequest,
  check: (fields: Record<string, unknown>) => FieldProblem[] | Promise<FieldProblem[]>,
): Promise<void> {
  const error = request.validationError;
  if (!error) return;
  const problems = schemaProblems(error);
  if (!problems) throw error;
  const body: unknown = request.body;
  if ((error as { validationContext?: string }).validationContext !== 'body' || typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validationFailed(problems);
  }
  const refusedFields = new Set(
    (error as unknown as { validation: Array<{ instancePath: string }> }).validation.map((issue) => issue.instancePath.split('/')[1]).filter((field) => field !== undefined && field !== ''),
  );
  const accepted = Object.fromEntries(Object.entries(body).filter(([field]) => !refusedFields.has(field)));
  let more: FieldProblem[];
  try {
    more = await check(accepted);
  } catch (thrown) {
    if (!(thrown instanceof AppError) || thrown.code !== 'validation_failed') throw thrown;
    more = thrown.details as FieldProblem[];
  }
  throw validationFailed([...problems, ...more.filter((problem) => !refusedFields.has(problem.path.split('.')[0]!))]);
}
