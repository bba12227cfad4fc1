/**
 * pino logger with secrets and phone numbers redacted. Credentials never reach a log line because
 * (1) known secret-bearing paths are censored and (2) any string that looks like a phone number
 * (8–15 digits, optionally after `+`) is masked down to its last 4 digits wherever it appears in a
 * log message or field value.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-wacast-passcode"]',
  'req.headers["x-clevertap-passcode"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passcode',
  '*.apiKey',
  '*.apiSecret',
  '*.privateKey',
  '*.signatureSecret',
  '*.notificationPassword',
  '*.twoWayPassword',
  '*.secret',
  '*.token',
  '*.credentials',
  'password',
  'passcode',
  'credentials',
];

/** Ids (UUIDs): their digit groups look like phone numbers, but they are what logs are searched by. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Masks phone-number-like digit runs (`+919876543210` → `+••••3210`), leaving ids whole. */
export function maskPhones(text: string): string {
  let masked = '';
  let from = 0;
  for (const id of text.matchAll(UUID)) {
    masked += maskDigitRuns(text.slice(from, id.index)) + id[0];
    from = id.index + id[0].length;
  }
  return masked + maskDigitRuns(text.slice(from));
}

function maskDigitRuns(text: string): string {
  return text.replace(/(\+?)(\d[\d -]{6,17}\d)/g, (match, plus: string, digits: string) => {
    const bare = digits.replace(/[ -]/g, '');
    if (bare.length < 8 || bare.length > 15) return match;
    return `${plus}••••${bare.slice(-4)}`;
  });
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhones(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = maskDeep(item, depth + 1);
  return out;
}

/**
 * Errors with their message, stack and fields, except the values PostgreSQL quotes in a key
 * error's `detail` (`Key (callback_token)=(…) already exists.`): a unique or foreign key can hold
 * a secret (a callback token) or personal data (an identity).
 */
function serializeError(error: Error): ReturnType<typeof pino.stdSerializers.err> {
  const out = pino.stdSerializers.err(error);
  if (typeof out.detail === 'string') out.detail = out.detail.replace(/^(Key \(.*?\)=\().*(\)[^)]*)$/s, '$1[redacted]$2');
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((arg) => maskDeep(arg)) as Parameters<typeof method>;
          method.apply(this, masked);
        },
      },
      serializers: {
        req(request: { method?: string; url?: string; id?: string; raw?: { method?: string; url?: string } }) {
          const method = request.method ?? request.raw?.method;
          const url = request.url ?? request.raw?.url;
          // Callback tokens are secrets: never log them, nor phone numbers in query strings.
          return { method, url: url ? maskPhones(url.replace(/\/hooks\/([a-z]+)\/[^/?]+/, '/hooks/$1/[token]')) : url, id: request.id };
        },
        res(reply: { statusCode?: number; raw?: { statusCode?: number } }) {
          return { statusCode: reply.statusCode ?? reply.raw?.statusCode };
        },
        err: serializeError,
      },
    },
    destination,
  );
}
