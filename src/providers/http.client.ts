/**
 * The HTTP client every provider adapter sends through: one keep-alive undici Pool per origin
 * (bounded connections), a connect timeout and a request timeout, and — the point of this module —
 * a classification of every failure into "certainly not sent" or "outcome unknown".
 *
 * How the two are told apart: undici calls the handler's `onRequestStart` at the moment it starts
 * writing the request on a connected socket. Any failure before that (DNS, connection refused,
 * connect timeout, TLS handshake, the pool being closed) means not one byte of the request left
 * this process → `not_sent`. Any failure after it (headers or body timeout, socket reset, the
 * server closing mid-answer) means the provider may have received and accepted the request →
 * `unknown`, which the caller must never retry blindly (one message per recipient per campaign).
 *
 * Contract: `request()` never throws and never rejects; it resolves to exactly one HttpOutcome.
 * Time spent waiting in the pool's queue for a free connection does not count against the request
 * timeout (undici starts the headers timer when the request is written).
 */
import { Pool, type Dispatcher } from 'undici';

export interface HttpClientOptions {
  /** Maximum open connections per origin (default 64). More in-flight requests queue in the pool. */
  connections?: number;
  /** TCP + TLS connect timeout in ms (default 5,000). Exceeding it is `not_sent`. */
  connectTimeoutMs?: number;
  /**
   * Time allowed for the response headers after the request was written, and between body chunks,
   * in ms (default 15,000). Exceeding it is `unknown`.
   */
  requestTimeoutMs?: number;
  /** Idle keep-alive time of a pooled connection in ms (default 30,000; server hints may lower it). */
  keepAliveTimeoutMs?: number;
  /** Response bodies are cut at this many bytes (default 256 KiB): provider answers are tiny. */
  maxResponseBytes?: number;
  /** TLS options passed to undici's connector (tests use `rejectUnauthorized: false`). */
  tls?: { rejectUnauthorized?: boolean; ca?: string | Buffer };
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Absolute http:// or https:// URL (with query string when any). */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export type HttpOutcome =
  | {
      kind: 'response';
      status: number;
      /** Lower-case names; repeated headers joined with ", ". */
      headers: Record<string, string>;
      body: string;
      /** True when the body was longer than `maxResponseBytes` and was cut. */
      truncated: boolean;
    }
  | {
      /** Nothing of the request left this process. */
      kind: 'not_sent';
      /** undici / Node error code, e.g. ECONNREFUSED, ENOTFOUND, UND_ERR_CONNECT_TIMEOUT. */
      code: string;
      detail: string;
      /** False only for our own bugs (an invalid URL or header): retrying cannot help. */
      retryable: boolean;
    }
  | {
      /** The request (or part of it) was written; the provider may have acted on it. */
      kind: 'unknown';
      code: string;
      detail: string;
    };

const DEFAULTS = {
  connections: 64,
  connectTimeoutMs: 5_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 30_000,
  maxResponseBytes: 256 * 1024,
} as const;

/** Error codes that mean "our request was malformed", i.e. a retry sends the same bad request. */
const NON_RETRYABLE_CODES = new Set(['UND_ERR_INVALID_ARG', 'ERR_INVALID_URL', 'ERR_INVALID_ARG_TYPE']);

function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    // undici wraps socket errors; the root cause carries the system code.
    const cause = (error as { cause?: unknown }).cause;
    if (cause && cause !== error) {
      const inner = errorCode(cause);
      if (inner !== 'UNKNOWN') return inner;
    }
  }
  return 'UNKNOWN';
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    // AggregateError (happy-eyeballs connect to several addresses) has an empty message.
    if (!error.message && error instanceof AggregateError && error.errors.length > 0) return errorMessage(error.errors[0]);
    return error.message || error.name;
  }
  return String(error);
}

function headerRecord(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

export class HttpClient {
  private readonly pools = new Map<string, Pool>();
  private readonly options: Required<Omit<HttpClientOptions, 'tls'>> & Pick<HttpClientOptions, 'tls'>;
  private closed = false;

  constructor(options: HttpClientOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Sends one request. Never throws; see the module comment for the outcome contract. */
  request(req: HttpRequest): Promise<HttpOutcome> {
    let url: URL;
    try {
      url = new URL(req.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported protocol ${url.protocol}`);
    } catch (error) {
      return Promise.resolve({ kind: 'not_sent', code: 'ERR_INVALID_URL', detail: `invalid URL ${JSON.stringify(req.url)}: ${errorMessage(error)}`, retryable: false });
    }
    if (this.closed) {
      return Promise.resolve({ kind: 'not_sent', code: 'UND_ERR_CLOSED', detail: 'the HTTP client is closed', retryable: false });
    }
    const pool = this.poolFor(url.origin);
    const limit = this.options.maxResponseBytes;

    return new Promise<HttpOutcome>((resolve) => {
      let written = false;
      let settled = false;
      let status = 0;
      let headers: Record<string, string> = {};
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;

      const settle = (outcome: HttpOutcome): void => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };

      const fail = (error: unknown): void => {
        const code = errorCode(error);
        const detail = `${code}: ${errorMessage(error)}`;
        if (!written) settle({ kind: 'not_sent', code, detail, retryable: !NON_RETRYABLE_CODES.has(code) });
        else settle({ kind: 'unknown', code, detail: status ? `${detail} (after HTTP ${status} headers)` : detail });
      };

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart() {
          written = true;
        },
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode;
          headers = headerRecord(responseHeaders);
        },
        onResponseData(_controller, chunk) {
          if (truncated) return;
          if (size + chunk.length > limit) {
            chunks.push(chunk.subarray(0, limit - size));
            size = limit;
            truncated = true;
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        },
        onResponseEnd() {
          settle({ kind: 'response', status, headers, body: Buffer.concat(chunks, size).toString('utf8'), truncated });
        },
        onResponseError(_controller, error) {
          fail(error);
        },
      };

      try {
        pool.dispatch(
          {
            origin: url.origin,
            path: `${url.pathname}${url.search}`,
            method: req.method,
            headers: req.headers,
            body: req.body ?? null,
            headersTimeout: this.options.requestTimeoutMs,
            bodyTimeout: this.options.requestTimeoutMs,
            // POSTs are not idempotent: undici must never replay one on another socket.
            idempotent: false,
          },
          handler,
        );
      } catch (error) {
        // dispatch throws synchronously only for invalid arguments, before anything is written.
        fail(error);
      }
    });
  }

  /** Closes every pool: in-flight requests finish, new ones answer `not_sent`. */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  private poolFor(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.options.connections,
        pipelining: 1,
        keepAliveTimeout: this.options.keepAliveTimeoutMs,
        headersTimeout: this.options.requestTimeoutMs,
        bodyTimeout: this.options.requestTimeoutMs,
        connect: { timeout: this.options.connectTimeoutMs, ...(this.options.tls ?? {}) },
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }
}
