/**
 * The only module that reads the process environment. Every setting is documented here and in the
 * README's configuration table; a wrong value stops the boot with a message naming the variable,
 * the value and what is allowed.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false (also 1/0, yes/no)' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const httpUrl = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'expected an absolute http:// or https:// URL')
  .transform((value) => value.replace(/\/+$/, ''));

const secretKey = z.string().refine((value) => decodeSecretKey(value) !== null, {
  message: 'expected 32 bytes, written as 64 hex characters or as base64 (44 characters)',
});

/** Decodes WACAST_SECRET_KEY: 64 hex characters or base64 of exactly 32 bytes; null when neither. */
export function decodeSecretKey(value: string): Buffer | null {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes;
  }
  return null;
}

/**
 * WACAST_METRICS_TOKEN: what Prometheus sends as `Authorization: Bearer <token>`. At least 16
 * characters of the bearer-token alphabet (RFC 6750 b64token), so `openssl rand -hex 32` and
 * base64 values fit, and a short guessable word does not.
 */
const metricsToken = z
  .string()
  .regex(/^[A-Za-z0-9\-._~+/]+=*$/, 'expected letters, digits and -._~+/ only (a bearer token, e.g. from `openssl rand -hex 32`)')
  .min(16, 'expected at least 16 characters (e.g. `openssl rand -hex 32`)')
  .max(512, 'expected at most 512 characters');

/** Variables whose values a boot error never prints. */
const SECRET_VARIABLES = new Set(['WACAST_SECRET_KEY', 'WACAST_METRICS_TOKEN']);

const MEGABYTES = 'expected a whole number of megabytes, 0 or more';
const megabytes = z.coerce.number({ message: MEGABYTES }).int(MEGABYTES).min(0, MEGABYTES);

const envSchema = z.object({
  /** Interface the HTTP server binds to. */
  WACAST_HOST: z.string().min(1).default('0.0.0.0'),
  /** TCP port of the HTTP server (API, dashboard, callbacks). */
  WACAST_PORT: z.coerce
    .number({ message: 'expected an integer from 1 to 65535' })
    .int('expected an integer from 1 to 65535')
    .min(1, 'expected an integer from 1 to 65535')
    .max(65535, 'expected an integer from 1 to 65535')
    .default(3000),
  /** Directory for the embedded SQLite database and the generated secret key file. */
  WACAST_DATA_DIR: z.string().min(1).default('./data'),
  /** postgres:// URL; when set, PostgreSQL is used instead of embedded SQLite. */
  WACAST_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
    .optional(),
  /** 32-byte key encrypting provider credentials; without it a key file is created in the data dir. */
  WACAST_SECRET_KEY: secretKey.optional(),
  /**
   * Bearer token that opens GET /metrics (`Authorization: Bearer <token>`). Unset: /metrics answers
   * only connections from this machine (loopback) and instance admins' dashboard sessions.
   */
  WACAST_METRICS_TOKEN: metricsToken.optional(),
  /** Public base URL of this server: the base of the callback URLs given to providers. */
  WACAST_PUBLIC_URL: httpUrl.optional(),
  /** Allow media URLs that point at loopback or private networks (off: such URLs are refused). */
  WACAST_ALLOW_PRIVATE_URLS: booleanString.default(false),
  /** Gupshup Enterprise GatewayAPI endpoint (the full …/GatewayAPI/rest URL). */
  GUPSHUP_ENTERPRISE_URL: httpUrl.default('https://media.smsgupshup.com/GatewayAPI/rest'),
  /** Gupshup self-serve API base. */
  GUPSHUP_API_URL: httpUrl.default('https://api.gupshup.io'),
  /** Vonage (Nexmo) Messages API base. */
  VONAGE_API_URL: httpUrl.default('https://api.nexmo.com'),
  /**
   * How long a send waits for the provider's answer, in ms, before its outcome is `unknown` (never
   * retried blindly). In-flight leases last twice this plus 5 s.
   */
  WACAST_SEND_TIMEOUT_MS: z.coerce
    .number({ message: 'expected a whole number of milliseconds from 500 to 120000' })
    .int('expected a whole number of milliseconds from 500 to 120000')
    .min(500, 'expected a whole number of milliseconds from 500 to 120000')
    .max(120_000, 'expected a whole number of milliseconds from 500 to 120000')
    .default(15_000),
  /**
   * Free space (MB, decimal) on the disk holding the SQLite database below which the dashboard
   * warns, and below which campaigns hold so that callbacks and replies keep the room left
   * (src/ops/disk-space.ts). 0 turns each off.
   */
  WACAST_DISK_WARN_MB: megabytes.default(1000),
  WACAST_DISK_HOLD_MB: megabytes.default(250),
  /** Log level: fatal, error, warn, info, debug, trace or silent. */
  WACAST_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * V8 heap of `serve` and `worker`: `lean` collects garbage more often (a 1,000,000-recipient
   * campaign peaks ~260 MiB instead of ~400), `default` keeps V8's defaults (~15 % faster
   * dispatch when memory is plentiful). See src/heap.ts.
   */
  WACAST_HEAP: z.enum(['lean', 'default'], { message: 'expected lean or default' }).default('lean'),
});

/**
 * The host part of the default public URL: localhost for the any-address binds, and an IPv6
 * address in brackets (`http://::1:3000` is no URL: the setup link and the callback URLs given
 * to providers would not work).
 */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  secretKey: Buffer | undefined;
  publicUrl: string;
  allowPrivateUrls: boolean;
  providerUrls: {
    gupshupEnterprise: string;
    gupshupApi: string;
    vonageApi: string;
  };
  /** Provider answer timeout (ms): after it a send's outcome is unknown. */
  sendTimeoutMs: number;
  /** The bearer token /metrics requires when set (src/ops/metrics-access.ts); a secret, never logged. */
  metricsToken: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** V8 heap settings of the long-running processes (src/heap.ts). */
  heap: 'lean' | 'default';
  /** Free-space thresholds of the SQLite database's disk (src/ops/disk-space.ts). */
  disk: DiskThresholds;
}

/** Bytes of free space below which the dashboard warns (`low`) and campaigns hold (`critical`). */
export interface DiskThresholds {
  warnBelowBytes: number;
  holdBelowBytes: number;
}

/** Thrown when the environment holds a wrong value; the message lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * A value as a boot error may print it: the user and password of a URL (`postgres://app:pw@db/…`,
 * the usual way to give the database password) replaced by `(hidden)`, as the error reaches logs.
 */
function withoutUserInfo(value: string | undefined): string | undefined {
  // Up to the last `@`: a password may hold an unencoded `/` or `#`.
  return value?.replace(/^([a-z][a-z0-9+.-]*:\/\/).*@/i, '$1(hidden)@');
}

/** Parses the environment into a Config. Empty strings count as "not set". */
export function loadConfig(env: Env = process.env): Config {
  const relevant: Env = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') relevant[key] = value.trim();
  }
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '');
      const raw = relevant[name];
      const shown = SECRET_VARIABLES.has(name) ? '(hidden)' : JSON.stringify(withoutUserInfo(raw));
      return `${name}=${shown} is invalid: ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const values = parsed.data;
  if (values.WACAST_DISK_HOLD_MB > values.WACAST_DISK_WARN_MB && values.WACAST_DISK_WARN_MB > 0) {
    throw new ConfigError([
      `WACAST_DISK_HOLD_MB=${values.WACAST_DISK_HOLD_MB} is invalid: it must not be above WACAST_DISK_WARN_MB=${values.WACAST_DISK_WARN_MB} (campaigns would hold before the dashboard warned)`,
    ]);
  }
  const publicUrl = values.WACAST_PUBLIC_URL ?? `http://${urlHost(values.WACAST_HOST)}:${values.WACAST_PORT}`;
  return {
    host: values.WACAST_HOST,
    port: values.WACAST_PORT,
    dataDir: resolve(values.WACAST_DATA_DIR),
    databaseUrl: values.WACAST_DATABASE_URL,
    secretKey: values.WACAST_SECRET_KEY ? (decodeSecretKey(values.WACAST_SECRET_KEY) ?? undefined) : undefined,
    publicUrl,
    allowPrivateUrls: values.WACAST_ALLOW_PRIVATE_URLS,
    providerUrls: {
      gupshupEnterprise: values.GUPSHUP_ENTERPRISE_URL,
      gupshupApi: values.GUPSHUP_API_URL,
      vonageApi: values.VONAGE_API_URL,
    },
    sendTimeoutMs: values.WACAST_SEND_TIMEOUT_MS,
    metricsToken: values.WACAST_METRICS_TOKEN,
    logLevel: values.WACAST_LOG_LEVEL,
    heap: values.WACAST_HEAP,
    disk: { warnBelowBytes: values.WACAST_DISK_WARN_MB * 1e6, holdBelowBytes: values.WACAST_DISK_HOLD_MB * 1e6 },
  };
}

/** The documented variables, for the README table and `wacast --help`. */
export const configVariables = Object.keys(envSchema.shape);
