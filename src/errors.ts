/**
 * Errors that reach API clients. Every one has a stable snake_case `code`, an HTTP status and a
 * message that says what was wrong and what is allowed. They serialise as
 * `{"error":{"code","message","details"}}`.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }

  toJSON(): { error: { code: string; message: string; details?: unknown } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

/** One field that failed validation: where it is and why. */
export interface FieldProblem {
  path: string;
  message: string;
}

export const badRequest = (message: string, details?: unknown) =>
  new AppError(400, 'bad_request', message, details);

export const invalidJson = (message: string) => new AppError(400, 'invalid_json', message);

export const validationFailed = (problems: FieldProblem[], message?: string) =>
  new AppError(
    422,
    'validation_failed',
    message ?? problems.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message)).join('; '),
    problems,
  );

export const unauthorized = (message = 'Authentication required: log in, or send X-Wacast-Account-Id and X-Wacast-Passcode.') =>
  new AppError(401, 'unauthorized', message);

export const forbidden = (message: string) => new AppError(403, 'forbidden', message);

export const notFound = (what: string, id?: string) =>
  new AppError(404, 'not_found', id === undefined ? `${what} not found.` : `${what} ${JSON.stringify(id)} not found.`);

export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);

export const payloadTooLarge = (message: string) => new AppError(413, 'payload_too_large', message);

export const tooManyRequests = (message: string, retryAfterSeconds?: number) =>
  new AppError(429, 'too_many_requests', message, retryAfterSeconds === undefined ? undefined : { retryAfterSeconds });

/** Turns zod issues into field problems with dotted paths (`credentials.apiKey`, `d.3.identity`). */
export function problemsFromZod(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, prefix = ''): FieldProblem[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return { path: prefix && path ? `${prefix}.${path}` : prefix || path, message: issue.message };
  });
}
