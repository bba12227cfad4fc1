/**
 * The one way the dashboard talks to the server: same-origin JSON requests with the session
 * cookie, the CSRF token on every state-changing request, and the server's error shape
 * `{"error":{"code","message","details"}}` turned into an ApiError.
 */

/** One field that failed validation, as the server reports it (`credentials.apiKey`, `body`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** A failed request. `status` 0 means the server could not be reached at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The field problems of a 422 `validation_failed`, or an empty list. */
  get problems(): FieldProblem[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(
      (item): item is FieldProblem =>
        typeof item === 'object' && item !== null && typeof (item as FieldProblem).path === 'string' && typeof (item as FieldProblem).message === 'string',
    );
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken: string | null = null;

/** Remembers the session's CSRF token (from login, setup, project switch or `me`). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  query?: Record<string, string | number | undefined | null>;
  body?: unknown;
  signal?: AbortSignal;
}

function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

/** Reads an error body; falls back to the status line when the body is not the error shape. */
async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    const error = parsed.error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      return new ApiError(response.status, error.code, error.message, error.details);
    }
  } catch {
    // Not JSON (a proxy's HTML page, for instance): report the status below.
  }
  const reason = response.statusText || 'request failed';
  return new ApiError(response.status, 'http_error', `The server answered ${response.status} (${reason}).`);
}

/** Sends a prepared request and turns the answer into JSON or an ApiError. */
async function send<T>(url: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, credentials: 'same-origin' });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', 'Cannot reach the wacast server: check that it is running and try again.');
  }
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(response.status, 'invalid_response', 'The server sent an answer that is not JSON.');
  }
}

function headersFor(method: HttpMethod, json: boolean): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (json) headers['content-type'] = 'application/json';
  if (UNSAFE_METHODS.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  return headers;
}

/**
 * Sends one request to the API and returns the parsed JSON body (undefined for 204).
 * Throws ApiError for any non-2xx answer and for network failures.
 */
export async function apiRequest<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
  return send<T>(withQuery(path, options.query), {
    method,
    headers: headersFor(method, options.body !== undefined),
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
}

/** Sends a multipart form (a file upload); the browser sets the multipart content type and boundary. */
export async function apiUpload<T>(method: HttpMethod, path: string, form: FormData, options: { signal?: AbortSignal } = {}): Promise<T> {
  return send<T>(path, { method, headers: headersFor(method, false), body: form, signal: options.signal });
}

/** A page of a list endpoint: `{"items":[…],"nextCursor":null|"…"}`. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Follows `nextCursor` until the end (at most `maxPages` pages, a guard against a looping cursor). */
export async function fetchAllPages<T>(path: string, options: { signal?: AbortSignal; maxPages?: number } = {}): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  const maxPages = options.maxPages ?? 50;
  for (let page = 0; page < maxPages; page++) {
    const result: Page<T> = await apiRequest<Page<T>>('GET', path, { query: { cursor }, signal: options.signal });
    items.push(...result.items);
    if (!result.nextCursor || result.nextCursor === cursor) break;
    cursor = result.nextCursor;
  }
  return items;
}
