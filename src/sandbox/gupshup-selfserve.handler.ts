/**
 * Gupshup self-serve (Access API, reference gupshup.md part B): `POST /wa/api/v1/msg` and
 * `/wa/api/v1/template/msg` with header `apikey` and form fields (`message` / `template` are JSON
 * strings), answered 202 `{"status":"submitted","messageId":<uuid>}`; per-recipient failures come
 * later as `failed` events, never as HTTP errors (B4). Legacy opt-in/opt-out endpoints are 202
 * no-ops that post a user event (B5).
 */
import type { SandboxCore, Fault, Step } from './sandbox.core.js';
import { uuidV4 } from './sandbox.ids.js';
import { RESET, jsonReply, textReply, parseParams, type Answer, type Reply } from './sandbox.http.js';
import type { AccountRuntime } from './sandbox.registry.js';
import type { CompiledTemplate } from './sandbox.templates.js';
import { invalidTemplateParameter, type FailReason, type GupshupSelfServeAccount } from './sandbox.types.js';
import type { MessageRecord } from './sandbox.store.js';
import { SELFSERVE_FAILURES, selfServeEvent, selfServeSteps, selfServeUserEvent } from './gupshup-selfserve.events.js';

export const SELFSERVE_SESSION_PATH = '/wa/api/v1/msg';
export const SELFSERVE_TEMPLATE_PATH = '/wa/api/v1/template/msg';
export const SELFSERVE_OPT_PREFIX = '/sm/api/v1/app/opt/';

const MAX_TEXT = 4096;

function gsError(status: number, message: string, runtime?: AccountRuntime): Reply {
  const reply = jsonReply(status, { message, status: 'error' });
  if (runtime) reply.runtime = runtime;
  return reply;
}

function faultAnswer(fault: Fault, runtime?: AccountRuntime): Answer {
  if (fault === 'reset') return RESET;
  if (fault === 'down') return gsError(503, 'Service Unavailable', runtime);
  return gsError(429, 'Too Many Requests', runtime);
}

function parseJsonField(value: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (value === undefined) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(value) as unknown };
  } catch {
    return { ok: false };
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** Finds the app of the API key named by `source` + `src.name`. */
function locate(core: SandboxCore, apiKey: string | undefined, form: Record<string, string>) {
  const candidates = apiKey ? core.registry.selfServeByKey(apiKey) : undefined;
  const runtime = candidates?.find((candidate) => candidate.account.appName === form['src.name'] && candidate.account.sourceNumber === form.source);
  // Knobs and counters of a key with a single app apply even when the app details are wrong.
  const owner = runtime ?? (candidates?.length === 1 ? candidates[0] : undefined);
  return { candidates, runtime, owner };
}

/** Handles `/wa/api/v1/msg` (`template` false) and `/wa/api/v1/template/msg` (`template` true). */
export function handleSelfServe(core: SandboxCore, template: boolean, apiKey: string | undefined, bodyText: string, now: number): Answer {
  const form = parseParams(bodyText, false);
  const { candidates, runtime, owner } = locate(core, apiKey, form);
  const fault = core.admit(owner, now);
  if (fault) return faultAnswer(fault, owner);
  if (!candidates) {
    core.reject(undefined, 'auth');
    return gsError(401, 'Authentication Failed');
  }
  const invalid = (message: string): Reply => {
    core.reject(owner, 'invalid');
    return gsError(400, message, owner);
  };
  if (!runtime) return invalid('Invalid App Details');
  const channel = form.channel;
  if (channel === undefined ? !template : channel.toLowerCase() !== 'whatsapp') return invalid('Invalid Channel');
  const destination = form.destination;
  if (!destination || !/^\d{8,15}$/.test(destination)) return invalid('Invalid Destination');
  return template ? templateSend(core, runtime, form, destination, invalid, now) : sessionSend(core, runtime, form, destination, invalid, now);
}

function sessionSend(
  core: SandboxCore,
  runtime: AccountRuntime,
  form: Record<string, string>,
  destination: string,
  invalid: (message: string) => Reply,
  now: number,
): Reply {
  const parsed = parseJsonField(form.message);
  if (!parsed.ok || !isObject(parsed.value)) return invalid('Invalid Message: the message field must be a JSON object string');
  const message = parsed.value;
  let type = message.type;
  let body: string | undefined;
  let mediaUrl: string | undefined;
  switch (type) {
    case 'text':
      if (!isText(message.text)) return invalid('Invalid Message: text is required for type text');
      if (message.text.length > MAX_TEXT) return invalid(`Invalid Message: text is longer than ${MAX_TEXT} characters`);
      body = message.text;
      break;
    case 'image':
      if (!isText(message.originalUrl)) return invalid('Invalid Message: originalUrl is required for type image');
      mediaUrl = message.originalUrl;
      if (typeof message.caption === 'string') body = message.caption;
      break;
    case 'video':
    case 'audio':
    case 'sticker':
      if (!isText(message.url)) return invalid(`Invalid Message: url is required for type ${type}`);
      mediaUrl = message.url;
      if (typeof message.caption === 'string') body = message.caption;
      break;
    case 'file':
      if (!isText(message.url)) return invalid('Invalid Message: url is required for type file');
      if (!isText(message.filename)) return invalid('Invalid Message: filename is required for type file');
      mediaUrl = message.url;
      type = 'document';
      break;
    case 'location':
      if (message.longitude === undefined || message.latitude === undefined) return invalid('Invalid Message: longitude and latitude are required for type location');
      break;
    case 'quick_reply':
    case 'list':
    case 'contact':
      type = type === 'contact' ? 'contact' : 'interactive';
      break;
    default:
      return invalid(`Invalid Message Type: ${JSON.stringify(type ?? null)} (use text, image, video, audio, file, sticker, location, quick_reply, list or contact)`);
  }
  const fate = core.decideFate(runtime, destination, false, undefined, now);
  const record = core.record(
    runtime,
    { id: uuidV4(), to: destination, kind: 'session', type: String(type), ...(body === undefined ? {} : { body }), ...(mediaUrl ? { mediaUrl } : {}) },
    fate,
    fate.reason ? String(SELFSERVE_FAILURES[fate.reason].code) : undefined,
    now,
  );
  schedule(core, runtime, record, selfServeSteps(fate.outcome, fate.reason), now);
  return submitted(runtime, record);
}

const TEMPLATE_MEDIA = new Set(['image', 'video', 'document', 'location']);

function templateSend(
  core: SandboxCore,
  runtime: AccountRuntime,
  form: Record<string, string>,
  destination: string,
  invalid: (message: string) => Reply,
  now: number,
): Reply {
  const parsed = parseJsonField(form.template);
  if (!parsed.ok || !isObject(parsed.value)) return invalid('Invalid Template: the template field must be a JSON object string {"id","params"}');
  const { id: templateId, params } = parsed.value;
  if (!isText(templateId)) return invalid('Invalid Template: template.id is required');
  if (params !== undefined && (!Array.isArray(params) || !params.every((value) => typeof value === 'string'))) {
    return invalid('Invalid Template: template.params must be an array of strings');
  }
  const values = (params as string[] | undefined) ?? [];
  let mediaType: string | undefined;
  let mediaUrl: string | undefined;
  if (form.message !== undefined) {
    const media = parseJsonField(form.message);
    if (!media.ok || !isObject(media.value) || typeof media.value.type !== 'string' || !TEMPLATE_MEDIA.has(media.value.type)) {
      return invalid('Invalid Message: message must be a JSON object string with type image, video, document or location');
    }
    mediaType = media.value.type;
    const inner = media.value[mediaType];
    if (!isObject(inner)) return invalid(`Invalid Message: message.${mediaType} is required`);
    if (mediaType !== 'location') {
      if (!isText(inner.link)) return invalid(`Invalid Message: message.${mediaType}.link is required`);
      mediaUrl = inner.link;
    }
  }
  let forced: FailReason | undefined;
  let renderedFrom: CompiledTemplate | undefined;
  if (runtime.templates.length > 0) {
    const compiled = runtime.templates.find((candidate) => candidate.definition.name === templateId);
    const attachment = compiled?.definition.attachment;
    if (
      !compiled ||
      compiled.parameterCount !== values.length ||
      (attachment !== undefined && attachment !== 'none' && attachment !== mediaType) ||
      (attachment === 'none' && mediaType !== undefined)
    ) {
      forced = 'template_mismatch';
    } else {
      renderedFrom = compiled;
    }
  }
  if (!forced && invalidTemplateParameter(values)) forced = 'invalid_parameter';
  const fate = core.decideFate(runtime, destination, true, forced, now);
  const record = core.record(
    runtime,
    {
      id: uuidV4(),
      to: destination,
      kind: 'template',
      type: mediaType ?? 'text',
      template: templateId,
      params: values,
      ...(renderedFrom ? { renderedFrom } : {}),
      ...(mediaUrl ? { mediaUrl } : {}),
    },
    fate,
    fate.reason ? String(SELFSERVE_FAILURES[fate.reason].code) : undefined,
    now,
  );
  schedule(core, runtime, record, selfServeSteps(fate.outcome, fate.reason), now);
  return submitted(runtime, record);
}

function submitted(runtime: AccountRuntime, record: MessageRecord): Reply {
  const reply = jsonReply(202, { status: 'submitted', messageId: record.id });
  reply.runtime = runtime;
  reply.message = record;
  return reply;
}

function schedule(core: SandboxCore, runtime: AccountRuntime, message: MessageRecord, steps: Step[], now: number): void {
  const account = runtime.account as GupshupSelfServeAccount;
  const url = account.webhookUrl;
  if (!url) return;
  core.plan(
    runtime,
    message,
    steps,
    (step) => {
      core.callbacks.send({ url, kind: 'event', contentType: 'application/json; charset=utf-8', body: JSON.stringify(selfServeEvent(account, message, step, Date.now())) });
    },
    now,
  );
}

/**
 * Legacy `POST /sm/api/v1/app/opt/in|out/{appname}` with form `user`: 202 and an empty body, and a
 * `user-event` to the app's webhook (B5: deprecated, a no-op otherwise).
 */
export function handleSelfServeOpt(core: SandboxCore, rest: string, apiKey: string | undefined, bodyText: string, now: number): Answer {
  const slash = rest.indexOf('/');
  const direction = slash < 0 ? rest : rest.slice(0, slash);
  const appName = slash < 0 ? '' : decodeURIComponent(rest.slice(slash + 1));
  if ((direction !== 'in' && direction !== 'out') || !appName) return gsError(404, 'Not Found');
  const candidates = apiKey ? core.registry.selfServeByKey(apiKey) : undefined;
  const runtime = candidates?.find((candidate) => candidate.account.appName === appName);
  const fault = core.admit(runtime, now);
  if (fault) return faultAnswer(fault, runtime);
  if (!candidates) {
    core.reject(undefined, 'auth');
    return gsError(401, 'Authentication Failed');
  }
  if (!runtime) return gsError(400, 'Invalid App Details');
  const user = parseParams(bodyText, false).user;
  if (!user || !/^\d{8,15}$/.test(user)) {
    core.reject(runtime, 'invalid');
    return gsError(400, 'Invalid Destination', runtime);
  }
  const account = runtime.account as GupshupSelfServeAccount;
  const optIn = direction === 'in';
  if (optIn) runtime.optedIn.add(user);
  else runtime.optedIn.delete(user);
  core.record(runtime, { id: uuidV4(), to: user, kind: optIn ? 'opt_in' : 'opt_out', type: optIn ? 'opt-in' : 'opt-out' }, null, undefined, now);
  if (account.webhookUrl && runtime.knobs.callbacks) {
    core.callbacks.send({
      url: account.webhookUrl,
      kind: 'event',
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify(selfServeUserEvent(account, user, optIn ? 'opted-in' : 'opted-out', now)),
    });
  }
  const reply = textReply(202, '');
  reply.runtime = runtime;
  return reply;
}
