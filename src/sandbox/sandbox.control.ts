/**
 * The sandbox's own API under `/_sandbox/` (JSON, errors in the product's shape): what it
 * received (`messages`), counters (`stats`), recent callbacks, inbound injection, accounts,
 * knobs, reset and flush. Not a provider protocol; tests and people use it.
 */
import { z } from 'zod';
import type { SandboxCore } from './sandbox.core.js';
import { controlError, jsonReply, parseParams, type Reply } from './sandbox.http.js';
import { DEFAULT_KNOBS, SandboxInputError, accountKnobsSchema, parseAccount, parseAccountKnobs, parseGlobalKnobs } from './sandbox.schema.js';
import type { AccountRuntime } from './sandbox.registry.js';
import type { AccountKnobs, GlobalKnobs, SandboxAccount } from './sandbox.types.js';

export const CONTROL_PREFIX = '/_sandbox';

const inboundSchema = z
  .object({
    account: z.string().min(1, 'is required'),
    from: z.string().regex(/^\+?\d{7,15}$/, 'expected the user phone number: 7–15 digits, optionally with a leading +'),
    name: z.string().min(1).optional(),
    type: z.enum(['text', 'image', 'video', 'audio', 'document', 'location', 'button', 'opted-in', 'opted-out']).optional(),
    text: z.string().max(4096).optional(),
    mediaUrl: z.url({ message: 'expected an absolute URL' }).optional(),
    caption: z.string().optional(),
    mimeType: z.string().optional(),
    fileName: z.string().optional(),
    latitude: z.number().min(-90).max(90).optional(),
    longitude: z.number().min(-180).max(180).optional(),
    buttonText: z.string().min(1).optional(),
    buttonPayload: z.string().optional(),
    contextId: z.string().min(1).optional(),
    username: z.boolean().optional(),
    hidePhone: z.boolean().optional(),
    /** Answer only once the callback was delivered or given up, with the outcome. */
    wait: z.boolean().optional(),
  })
  .strict();

const messagesQuerySchema = z
  .object({
    provider: z.enum(['gupshup-enterprise', 'gupshup-selfserve', 'vonage']).optional(),
    account: z.string().optional(),
    to: z.string().optional(),
    kind: z.enum(['template', 'session', 'opt_in', 'opt_out']).optional(),
    template: z.string().optional(),
    id: z.string().optional(),
    since: z.coerce.number({ message: 'expected epoch milliseconds' }).optional(),
    until: z.coerce.number({ message: 'expected epoch milliseconds' }).optional(),
    cursor: z.string().regex(/^\d+$/, 'expected the nextCursor of a previous page').optional(),
    limit: z.coerce.number().int().min(1, 'expected 1 to 10000').max(10_000, 'expected 1 to 10000').optional(),
  })
  .strict();

const resetSchema = z.object({ accounts: z.boolean().optional(), knobs: z.boolean().optional() }).strict();

function problems(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

function validationError(list: { path: string; message: string }[]): Reply {
  return controlError(422, 'validation_failed', list.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message)).join('; '), list);
}

function parseBody(text: string): { ok: true; value: unknown } | { ok: false; reply: Reply } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reply: controlError(400, 'invalid_json', `The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`) };
  }
}

/** A 422 naming knobs set to null (removed) that do not exist, so a typo is not silently ignored. */
function unknownKeys(keys: string[], known: string[]): Reply | null {
  const wrong = keys.filter((key) => !known.includes(key));
  return wrong.length === 0 ? null : validationError(wrong.map((key) => ({ path: key, message: 'is not a knob' })));
}

const mask = (secret: string) => `••••${secret.slice(-4)}`;

/** An account as the control API shows it: secrets masked, the public key omitted. */
export function accountView(runtime: AccountRuntime): Record<string, unknown> {
  const account: SandboxAccount = runtime.account;
  const common = { templates: account.templates, knobs: account.knobs };
  switch (account.provider) {
    case 'gupshup-enterprise':
      return { ...account, ...common, notificationPassword: mask(account.notificationPassword), twoWayPassword: mask(account.twoWayPassword) };
    case 'gupshup-selfserve':
      return { ...account, ...common, apiKey: mask(account.apiKey) };
    case 'vonage': {
      const { publicKey: _publicKey, ...rest } = account;
      return { ...rest, ...common, apiSecret: mask(account.apiSecret), signatureSecret: mask(account.signatureSecret) };
    }
  }
}

/** Splits `{"failShare": null}` style removals from the changes. */
function splitNulls(value: unknown): { changes: Record<string, unknown>; removed: string[] } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const changes: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (item === null) removed.push(key);
    else changes[key] = item;
  }
  return { changes, removed };
}

export interface ControlContext {
  core: SandboxCore;
  /** Replaces the global knobs (reset with `knobs: true`). */
  initialKnobs: Partial<GlobalKnobs>;
  info: () => Record<string, unknown>;
}

/** Handles `/_sandbox/...`; `path` is below the prefix (e.g. `/messages`). */
export async function handleControl(context: ControlContext, method: string, path: string, query: string, bodyText: string): Promise<Reply> {
  const { core } = context;
  try {
    if (method === 'GET' && (path === '' || path === '/')) return jsonReply(200, context.info());

    if (path === '/messages' && method === 'GET') {
      const parsed = messagesQuerySchema.safeParse(parseParams(query, false));
      if (!parsed.success) return validationError(problems(parsed.error));
      const { cursor, ...filter } = parsed.data;
      return jsonReply(200, core.store.query({ ...filter, ...(cursor === undefined ? {} : { after: Number(cursor) }) }));
    }

    if (path.startsWith('/messages/') && method === 'GET') {
      const message = core.store.find(decodeURIComponent(path.slice('/messages/'.length)));
      return message ? jsonReply(200, message.view()) : controlError(404, 'not_found', 'No retained message with that id.');
    }

    if (path === '/stats' && method === 'GET') {
      const withHistogram = parseParams(query, false).histogram !== 'false';
      const accounts: Record<string, unknown> = {};
      for (const runtime of core.registry.list()) accounts[runtime.id] = { provider: runtime.account.provider, ...runtime.stats.view(withHistogram) };
      return jsonReply(200, {
        since: core.startedAt,
        now: Date.now(),
        messages: { total: core.store.total, retained: core.store.retained, capacity: core.store.capacity },
        accounts,
        unattributed: core.unattributed.view(withHistogram),
        scheduledEvents: core.scheduler.size,
        callbacks: core.callbacks.view(),
        memory: { rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed },
      });
    }

    if (path === '/callbacks' && method === 'GET') return jsonReply(200, { stats: core.callbacks.view(), recent: core.callbacks.recent() });

    if (path === '/inbound' && method === 'POST') {
      const body = parseBody(bodyText);
      if (!body.ok) return body.reply;
      const parsed = inboundSchema.safeParse(body.value);
      if (!parsed.success) return validationError(problems(parsed.error));
      const { wait, ...spec } = parsed.data;
      const result = core.inbound(spec);
      const view = { id: result.id, url: result.url, payload: result.payload };
      if (!wait) return jsonReply(202, view);
      return jsonReply(200, { ...view, delivery: await result.delivery });
    }

    if (path === '/reset' && method === 'POST') {
      const body = parseBody(bodyText);
      if (!body.ok) return body.reply;
      const parsed = resetSchema.safeParse(body.value);
      if (!parsed.success) return validationError(problems(parsed.error));
      core.reset();
      if (parsed.data.accounts) for (const runtime of core.registry.list()) core.registry.remove(runtime.id);
      if (parsed.data.knobs) core.registry.setGlobalKnobs({ ...DEFAULT_KNOBS, ...context.initialKnobs });
      return jsonReply(200, { reset: true });
    }

    if (path === '/flush' && method === 'POST') {
      core.flush();
      return jsonReply(200, { flushed: true, callbacks: core.callbacks.view() });
    }

    if (path === '/accounts' && method === 'GET') return jsonReply(200, { items: core.registry.list().map(accountView), nextCursor: null });

    if (path === '/accounts' && method === 'POST') {
      const body = parseBody(bodyText);
      if (!body.ok) return body.reply;
      const value = body.value;
      const list: unknown[] = Array.isArray(value)
        ? value
        : typeof value === 'object' && value !== null && 'accounts' in value && Array.isArray((value as { accounts: unknown }).accounts)
          ? (value as { accounts: unknown[] }).accounts
          : [value];
      const accounts = list.map((item, index) => parseAccount(item, list.length === 1 ? '' : String(index)));
      const added = core.registry.upsert(accounts);
      return jsonReply(201, { items: added.map(accountView), nextCursor: null });
    }

    if (path.startsWith('/accounts/') && method === 'DELETE') {
      const id = decodeURIComponent(path.slice('/accounts/'.length));
      return core.registry.remove(id) ? jsonReply(200, { deleted: id }) : controlError(404, 'not_found', `No account ${JSON.stringify(id)}.`);
    }

    if (path === '/config' && method === 'GET') {
      const accounts: Record<string, unknown> = {};
      for (const runtime of core.registry.list()) accounts[runtime.id] = { overrides: runtime.account.knobs, effective: runtime.knobs };
      return jsonReply(200, { knobs: core.knobs, accounts });
    }

    if (path === '/config' && method === 'POST') {
      const body = parseBody(bodyText);
      if (!body.ok) return body.reply;
      const split = splitNulls(body.value);
      if (!split) return validationError([{ path: '', message: 'expected a JSON object of knobs' }]);
      const accountId = parseParams(query, false).account;
      if (accountId !== undefined) {
        const runtime = core.registry.get(accountId);
        if (!runtime) return controlError(404, 'not_found', `No account ${JSON.stringify(accountId)}.`);
        const changes = parseAccountKnobs(split.changes, '');
        const overrides: Partial<AccountKnobs> = { ...runtime.account.knobs, ...changes };
        const unknown = unknownKeys(split.removed, Object.keys(accountKnobsSchema.shape));
        if (unknown) return unknown;
        for (const key of split.removed) delete overrides[key as keyof AccountKnobs];
        core.registry.upsert([{ ...runtime.account, knobs: overrides }]);
        return jsonReply(200, { account: accountId, overrides, effective: core.registry.get(accountId)!.knobs });
      }
      const changes = parseGlobalKnobs(split.changes, '');
      const unknown = unknownKeys(split.removed, Object.keys(DEFAULT_KNOBS));
      if (unknown) return unknown;
      const defaults = { ...DEFAULT_KNOBS, ...context.initialKnobs } as unknown as Record<string, unknown>;
      const next = { ...core.knobs, ...changes } as unknown as Record<string, unknown>;
      for (const key of split.removed) next[key] = defaults[key];
      core.registry.setGlobalKnobs(next as unknown as GlobalKnobs);
      return jsonReply(200, { knobs: core.knobs });
    }

    return controlError(404, 'not_found', `No sandbox route for ${method} ${CONTROL_PREFIX}${path}.`);
  } catch (error) {
    if (error instanceof SandboxInputError) return validationError(error.problems);
    throw error;
  }
}
