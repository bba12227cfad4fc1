/**
 * What the sandbox can be told, in the one format shared by the `--config` file, `startSandbox`
 * options and the control API: accounts and knobs. Every bad value is refused with its path, the
 * reason and what is allowed.
 */
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import '../validation.js';
import type { AccountKnobs, GlobalKnobs, Range, SandboxAccount, TemplateDefinition } from './sandbox.types.js';
import { FAIL_REASONS } from './sandbox.types.js';

/** Thrown for any invalid sandbox input; `problems` name each field. */
export class SandboxInputError extends Error {
  constructor(readonly problems: { path: string; message: string }[]) {
    super(problems.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message)).join('; '));
    this.name = 'SandboxInputError';
  }
}

function toProblems(error: z.ZodError, prefix = ''): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.'),
    message: issue.message,
  }));
}

function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, prefix = ''): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new SandboxInputError(toProblems(parsed.error, prefix));
  return parsed.data;
}

const share = z
  .number({ message: 'expected a number from 0 to 1' })
  .min(0, 'expected a number from 0 to 1')
  .max(1, 'expected a number from 0 to 1');

const millis = z.number({ message: 'expected milliseconds (a number ≥ 0)' }).min(0, 'expected milliseconds ≥ 0');

/** `250`, `[100, 500]`, `"100-500"` or `{"min":100,"max":500}` (milliseconds). */
export const rangeSchema = z
  .union([
    millis,
    z.tuple([millis, millis]),
    z.object({ min: millis, max: millis }).strict(),
    z.string().regex(/^\s*\d+(\.\d+)?\s*(-\s*\d+(\.\d+)?\s*)?$/, 'expected milliseconds as "N" or "MIN-MAX"'),
  ])
  .transform((value, context): Range => {
    let range: Range;
    if (typeof value === 'number') range = { min: value, max: value };
    else if (Array.isArray(value)) range = { min: value[0], max: value[1] };
    else if (typeof value === 'string') {
      const [low, high] = value.split('-').map((part) => Number(part.trim()));
      range = { min: low!, max: high ?? low! };
    } else range = value;
    if (range.max < range.min) context.addIssue({ code: 'custom', message: `max (${range.max}) is below min (${range.min})` });
    return range;
  });

const digitsOf = (min: number, max: number, what: string) =>
  z.string().regex(new RegExp(`^\\d{${min},${max}}$`), `expected ${what}: ${min}–${max} digits, no "+" or spaces`);

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'expected an absolute http:// or https:// URL');

const accountKnobsShape = {
  latencyMs: rangeSchema,
  failShare: share,
  failReason: z.enum(FAIL_REASONS as [string, ...string[]], { message: `expected one of ${FAIL_REASONS.join(', ')}` }),
  notOnWhatsApp: z.array(z.string().regex(/^\d+\*?$/, 'expected digits, optionally ending in * for a prefix')),
  dlrDelayMs: rangeSchema,
  readShare: share,
  reorderShare: share,
  duplicateShare: share,
  callbacks: z.boolean(),
  burst429EverySeconds: z.number().int('expected a whole number of seconds').min(0),
  burst429Share: share,
  timeoutShare: share,
  timeoutMs: millis,
  rateLimitPerSecond: z.number().int('expected a whole number of requests').min(0),
  autoReplyShare: share,
  autoReplyText: z.string().min(1, 'must not be empty').max(4096, 'at most 4096 characters'),
  autoReplyContext: z.boolean(),
  autoReplyDelayMs: rangeSchema,
  down: z.enum(['off', '5xx', 'reset'], { message: 'expected off, 5xx or reset' }),
  enforceSessionWindow: z.boolean(),
};

/** Per-account overrides: any subset of the account knobs. */
export const accountKnobsSchema = z.object(accountKnobsShape).partial().strict();

/** Global knobs: the account knobs plus the callback sender's settings. */
export const globalKnobsSchema = z
  .object({
    ...accountKnobsShape,
    callbackConcurrency: z.number().int().min(1, 'at least 1').max(10_000, 'at most 10000'),
    callbackRetries: z.number().int().min(0).max(20, 'at most 20'),
    callbackRetryDelayMs: millis,
    callbackTimeoutMs: z.number().min(1, 'at least 1 ms'),
    dlrBatchMs: millis,
  })
  .partial()
  .strict();

export type AccountKnobsInput = z.input<typeof accountKnobsSchema>;
export type GlobalKnobsInput = z.input<typeof globalKnobsSchema>;

export const DEFAULT_KNOBS: GlobalKnobs = {
  latencyMs: { min: 0, max: 0 },
  failShare: 0,
  failReason: 'undeliverable',
  notOnWhatsApp: [],
  dlrDelayMs: { min: 200, max: 2000 },
  readShare: 0.7,
  reorderShare: 0,
  duplicateShare: 0,
  callbacks: true,
  burst429EverySeconds: 0,
  burst429Share: 0,
  timeoutShare: 0,
  timeoutMs: 0,
  rateLimitPerSecond: 0,
  autoReplyShare: 0,
  autoReplyText: 'Thanks!',
  autoReplyContext: true,
  autoReplyDelayMs: { min: 1000, max: 5000 },
  down: 'off',
  enforceSessionWindow: true,
  callbackConcurrency: 64,
  callbackRetries: 5,
  callbackRetryDelayMs: 1000,
  callbackTimeoutMs: 10_000,
  dlrBatchMs: 20,
};

export function parseGlobalKnobs(input: unknown, prefix = 'knobs'): Partial<GlobalKnobs> {
  return parseOrThrow(globalKnobsSchema, input, prefix) as Partial<GlobalKnobs>;
}

export function parseAccountKnobs(input: unknown, prefix = 'knobs'): Partial<AccountKnobs> {
  return parseOrThrow(accountKnobsSchema, input, prefix) as Partial<AccountKnobs>;
}

const attachment = z.enum(['none', 'image', 'video', 'document'], { message: 'expected none, image, video or document' });
const templateBody = z.string().min(1, 'must not be empty').max(1024, 'at most 1024 characters');

const namedTemplate = z
  .object({ name: z.string().min(1, 'must not be empty'), body: templateBody, attachment: attachment.optional(), language: z.string().min(1).optional() })
  .strict();

const enterpriseAccountSchema = z
  .object({
    provider: z.literal('gupshup-enterprise'),
    id: z.string().min(1).optional(),
    notificationUserId: z.string().min(1, 'must not be empty'),
    notificationPassword: z.string().min(1, 'must not be empty'),
    twoWayUserId: z.string().min(1, 'must not be empty'),
    twoWayPassword: z.string().min(1, 'must not be empty'),
    businessNumber: digitsOf(3, 15, 'a phone number with country code or a shortcode'),
    dlrUrl: httpUrl.optional(),
    inboundUrl: httpUrl.optional(),
    /** A bare string is an unnamed template body. */
    templates: z.array(z.union([templateBody, namedTemplate])).default([]),
    knobs: accountKnobsSchema.default({}),
  })
  .strict()
  .refine((account) => account.notificationUserId !== account.twoWayUserId, {
    message: 'the notification and two-way accounts must have different user ids',
    path: ['twoWayUserId'],
  });

const selfServeAccountSchema = z
  .object({
    provider: z.literal('gupshup-selfserve'),
    id: z.string().min(1).optional(),
    apiKey: z.string().min(1, 'must not be empty'),
    appName: z.string().min(1, 'must not be empty'),
    sourceNumber: digitsOf(3, 15, 'the app phone number with country code'),
    webhookUrl: httpUrl.optional(),
    /** Self-serve sends templates by Gupshup template id. */
    templates: z
      .array(z.object({ id: z.string().min(1), body: templateBody, attachment: attachment.optional(), language: z.string().min(1).optional() }).strict())
      .default([]),
    knobs: accountKnobsSchema.default({}),
  })
  .strict();

const vonageAccountSchema = z
  .object({
    provider: z.literal('vonage'),
    id: z.string().min(1).optional(),
    apiKey: z.string().min(1, 'must not be empty'),
    apiSecret: z.string().min(1, 'must not be empty'),
    applicationId: z.string().min(1, 'must not be empty'),
    /** PEM; a private key is accepted too (its public half is used). */
    publicKey: z.string().min(1, 'must not be empty'),
    signatureSecret: z.string().min(1, 'must not be empty'),
    whatsappNumber: digitsOf(7, 15, 'the WhatsApp number with country code'),
    namespace: z.string().min(1).optional(),
    statusUrl: httpUrl.optional(),
    inboundUrl: httpUrl.optional(),
    webhookVersion: z.enum(['v1', 'v0.1'], { message: 'expected v1 or v0.1' }).default('v1'),
    templates: z.array(namedTemplate).default([]),
    knobs: accountKnobsSchema.default({}),
  })
  .strict();

export const accountSchema = z.discriminatedUnion(
  'provider',
  [enterpriseAccountSchema, selfServeAccountSchema, vonageAccountSchema],
  { message: 'expected provider gupshup-enterprise, gupshup-selfserve or vonage' },
);

export type SandboxAccountInput = z.input<typeof accountSchema>;

/** Parses one account; `path` prefixes the problems (`accounts.2.apiKey`). */
export function parseAccount(input: unknown, path = 'account'): SandboxAccount {
  const parsed = parseOrThrow(accountSchema, input, path);
  const knobs = parsed.knobs as Partial<AccountKnobs>;
  switch (parsed.provider) {
    case 'gupshup-enterprise': {
      const templates: TemplateDefinition[] = parsed.templates.map((template, index) =>
        typeof template === 'string' ? { name: `template-${index + 1}`, body: template } : template,
      );
      const { id, ...rest } = parsed;
      return { ...rest, id: id ?? parsed.notificationUserId, templates, knobs };
    }
    case 'gupshup-selfserve': {
      const templates: TemplateDefinition[] = parsed.templates.map(({ id, ...rest }) => ({ name: id, ...rest }));
      const { id, ...rest } = parsed;
      return { ...rest, id: id ?? parsed.appName, templates, knobs };
    }
    case 'vonage': {
      const keyPath = path ? `${path}.publicKey` : 'publicKey';
      let publicKey;
      try {
        publicKey = createPublicKey(parsed.publicKey);
      } catch (error) {
        throw new SandboxInputError([
          { path: keyPath, message: `expected an RSA key in PEM format (${error instanceof Error ? error.message : String(error)})` },
        ]);
      }
      if (publicKey.asymmetricKeyType !== 'rsa') {
        throw new SandboxInputError([{ path: keyPath, message: `expected an RSA key, got ${publicKey.asymmetricKeyType ?? 'unknown'}` }]);
      }
      const { id, ...rest } = parsed;
      return { ...rest, id: id ?? parsed.applicationId, publicKey, knobs };
    }
  }
}

export const configFileSchema = z
  .object({
    knobs: z.unknown().optional(),
    accounts: z.array(z.unknown()).default([]),
    maxMessages: z.number().int().min(1).max(10_000_000).optional(),
  })
  .strict();

export interface SandboxConfigFile {
  knobs: Partial<GlobalKnobs>;
  accounts: SandboxAccount[];
  maxMessages?: number;
}

/** Parses a whole configuration document (the `--config` file's content). */
export function parseSandboxConfig(input: unknown): SandboxConfigFile {
  const parsed = parseOrThrow(configFileSchema, input);
  return {
    knobs: parsed.knobs === undefined ? {} : parseGlobalKnobs(parsed.knobs),
    accounts: parsed.accounts.map((account, index) => parseAccount(account, `accounts.${index}`)),
    ...(parsed.maxMessages === undefined ? {} : { maxMessages: parsed.maxMessages }),
  };
}

/** Reads and parses a `--config` file; errors name the file. */
export async function loadSandboxConfigFile(path: string): Promise<SandboxConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SandboxInputError([{ path: '', message: `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SandboxInputError([{ path: '', message: `${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  try {
    return parseSandboxConfig(json);
  } catch (error) {
    if (error instanceof SandboxInputError) {
      throw new SandboxInputError(error.problems.map((problem) => ({ path: problem.path, message: `${problem.message} (in ${path})` })));
    }
    throw error;
  }
}
