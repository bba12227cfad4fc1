/**
 * Vonage Messages API, WhatsApp channel (reference vonage.md): `POST /v1/messages` (flat body)
 * and `POST /v0.1/messages` (`to{type,number}`, `message.content`), Basic (API key/secret) or
 * Bearer RS256 JWT auth, RFC 7807 problem bodies (v1: 401/422/429/500; v0.1: 400 for validation),
 * 202 `{"message_uuid"}` on success. Per-recipient failures (not on WhatsApp, 1022 template, 1340
 * window) come later as status webhooks, as on the real API (§11).
 */
import type { SandboxCore, Fault, Step } from './sandbox.core.js';
import { hexId, uuidV4 } from './sandbox.ids.js';
import { RESET, jsonReply, type Answer, type Reply } from './sandbox.http.js';
import type { AccountRuntime } from './sandbox.registry.js';
import { splitNamespace, type CompiledTemplate } from './sandbox.templates.js';
import type { FailReason, VonageAccount } from './sandbox.types.js';
import type { MessageRecord } from './sandbox.store.js';
import { peekApplicationId, verifyRs256 } from './vonage.jwt.js';
import { VONAGE_FAILURES, signedCallback, vonageStatus, vonageSteps } from './vonage.events.js';

export const VONAGE_V1_PATH = '/v1/messages';
export const VONAGE_V01_PATH = '/v0.1/messages';

type Version = 'v1' | 'v0.1';
type VonageRuntime = AccountRuntime<VonageAccount>;
interface Problem {
  name: string;
  reason: string;
}

const PROBLEM_TYPE = 'application/problem+json';
const ERRORS_V1 = 'https://developer.vonage.com/api-errors/messages';
const MESSAGE_TYPES = new Set(['text', 'image', 'audio', 'video', 'file', 'template', 'sticker', 'reaction', 'custom']);
const MAX_TEXT = 4096;
const MAX_CAPTION = 3000;
/** client_ref: "up to 100 characters" in the v1 spec, 40 in the v0.1 spec (§10). */
const CLIENT_REF_LIMIT: Record<Version, number> = { v1: 100, 'v0.1': 40 };

function problem(status: number, body: Record<string, unknown>, runtime?: AccountRuntime, headers?: Record<string, string>): Reply {
  const reply = jsonReply(status, { ...body, instance: hexId() }, { 'content-type': PROBLEM_TYPE, ...headers });
  if (runtime) reply.runtime = runtime;
  return reply;
}

function unauthorized(reason: string): Reply {
  // The body is the documented one; the sandbox says why in a header, for people reading traces.
  return problem(
    401,
    {
      type: 'https://developer.vonage.com/api-errors/#unathorized',
      title: 'You did not provide correct credentials.',
      detail: "Check that you're using the correct credentials, and that your account has this feature enabled",
    },
    undefined,
    // Header values must be printable ASCII; the reason may quote what the client sent.
    { 'x-sandbox-reason': reason.replace(/[^\x20-\x7e]/g, '?') },
  );
}

function faultAnswer(fault: Fault, runtime?: AccountRuntime): Answer {
  if (fault === 'reset') return RESET;
  if (fault === 'down') {
    return problem(500, { type: 'https://developer.nexmo.com/api-errors/messages-olympus#1000', title: 'Internal error', detail: 'There was an error processing your request in the Platform.' }, runtime);
  }
  return problem(429, { type: 'https://developer.nexmo.com/api-errors/messages-olympus#1000', title: 'Rate Limit Hit', detail: 'Please wait, then retry your request' }, runtime, {
    'retry-after': '1',
  });
}

/** Tokens already verified: clients reuse one JWT for many requests, and RS256 checks cost ~50 µs. */
const tokenCache = new WeakMap<SandboxCore, { version: number; tokens: Map<string, { runtime: VonageRuntime; expMs: number }> }>();

type Auth = { ok: true; accounts: VonageRuntime[] } | { ok: false; reason: string; accounts?: VonageRuntime[] };

function authenticate(core: SandboxCore, header: string | undefined, now: number): Auth {
  if (!header) return { ok: false, reason: 'no Authorization header (use Basic with the API key and secret, or Bearer with an application JWT)' };
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const credential = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { ok: false, reason: 'Basic credentials must be base64(api_key:api_secret)' };
    const key = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    const accounts = core.registry.vonageByKey(key);
    if (!accounts) return { ok: false, reason: `unknown API key ${key}` };
    const matching = accounts.filter((runtime) => runtime.account.apiSecret === secret);
    return matching.length > 0 ? { ok: true, accounts: matching } : { ok: false, reason: 'wrong API secret', accounts };
  }
  if (scheme === 'bearer') {
    let cache = tokenCache.get(core);
    if (!cache || cache.version !== core.registry.version) {
      cache = { version: core.registry.version, tokens: new Map() };
      tokenCache.set(core, cache);
    }
    const cached = cache.tokens.get(credential);
    if (cached && cached.expMs > now) return { ok: true, accounts: [cached.runtime] };
    const applicationId = peekApplicationId(credential);
    if (!applicationId) return { ok: false, reason: 'the JWT has no application_id claim (or is not a JWT)' };
    const runtime = core.registry.vonageByApplication(applicationId);
    if (!runtime) return { ok: false, reason: `unknown application ${applicationId}` };
    const check = verifyRs256(credential, runtime.account.publicKey, now);
    if (!check.ok) return { ok: false, reason: check.reason, accounts: [runtime] };
    if (cache.tokens.size >= 10_000) cache.tokens.clear();
    // Without exp a token stays valid; re-check it after a minute anyway.
    cache.tokens.set(credential, { runtime, expMs: check.exp === undefined ? now + 60_000 : check.exp * 1000 });
    return { ok: true, accounts: [runtime] };
  }
  return { ok: false, reason: `unsupported Authorization scheme ${JSON.stringify(scheme)}` };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The fields of a send, read from either version's shape. */
interface Send {
  channel: unknown;
  to: unknown;
  from: unknown;
  toType?: unknown;
  fromType?: unknown;
  messageType: unknown;
  /** Holds the per-type object (`image`, `template`, …) and `text`. */
  content: Record<string, unknown>;
  whatsapp: unknown;
  clientRef: unknown;
  webhookVersion: unknown;
  webhookUrl: unknown;
  context: unknown;
}

function readSend(version: Version, body: Record<string, unknown>): Send {
  if (version === 'v1') {
    return {
      channel: body.channel,
      to: body.to,
      from: body.from,
      messageType: body.message_type,
      content: body,
      whatsapp: body.whatsapp,
      clientRef: body.client_ref,
      webhookVersion: body.webhook_version,
      webhookUrl: body.webhook_url,
      context: body.context,
    };
  }
  const to = isObject(body.to) ? body.to : {};
  const from = isObject(body.from) ? body.from : {};
  const message = isObject(body.message) ? body.message : {};
  const content = isObject(message.content) ? message.content : {};
  return {
    channel: to.type,
    to: to.number,
    from: from.number,
    toType: to.type,
    fromType: from.type,
    messageType: content.type,
    content,
    whatsapp: message.whatsapp,
    clientRef: body.client_ref,
    webhookVersion: undefined,
    webhookUrl: undefined,
    context: undefined,
  };
}

/** What a template send names, from `template`, `custom` template or legacy `custom` hsm. */
interface TemplateUse {
  name: string;
  namespace?: string;
  params: string[];
  locale?: string;
  mediaType?: string;
  mediaUrl?: string;
}

function readTemplateParams(value: unknown, path: string, problems: Problem[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push({ name: path, reason: 'must be an array of strings or {"default": string} objects.' });
    return [];
  }
  return value.map((item, index) => {
    if (typeof item === 'string') return item;
    // {default} objects are WhatsApp localizable_params, used by older snippets (§3, §4).
    if (isObject(item) && typeof item.default === 'string') return item.default;
    problems.push({ name: `${path}[${index}]`, reason: 'must be a string or a {"default": string} object.' });
    return '';
  });
}

function readCustomTemplate(custom: Record<string, unknown>, path: string, problems: Problem[]): TemplateUse | undefined {
  if (custom.type === 'template' && isObject(custom.template)) {
    const template = custom.template;
    if (!isText(template.name)) {
      problems.push({ name: `${path}.template.name`, reason: 'is required.' });
      return undefined;
    }
    const params: string[] = [];
    let mediaType: string | undefined;
    let mediaUrl: string | undefined;
    for (const component of Array.isArray(template.components) ? template.components : []) {
      if (!isObject(component) || !Array.isArray(component.parameters)) continue;
      for (const parameter of component.parameters) {
        if (!isObject(parameter)) continue;
        if (component.type === 'body' && parameter.type === 'text' && typeof parameter.text === 'string') params.push(parameter.text);
        if (component.type === 'header' && typeof parameter.type === 'string' && isObject(parameter[parameter.type])) {
          const media = parameter[parameter.type] as Record<string, unknown>;
          if (typeof media.link === 'string') {
            mediaType = parameter.type;
            mediaUrl = media.link;
          }
        }
      }
    }
    const language = isObject(template.language) && typeof template.language.code === 'string' ? template.language.code : undefined;
    const split = typeof template.namespace === 'string' ? { namespace: template.namespace, name: template.name } : splitNamespace(template.name);
    return { ...split, params, ...(language ? { locale: language } : {}), ...(mediaType ? { mediaType } : {}), ...(mediaUrl ? { mediaUrl } : {}) };
  }
  if (custom.type === 'hsm' && isObject(custom.hsm)) {
    const hsm = custom.hsm;
    if (!isText(hsm.element_name)) {
      problems.push({ name: `${path}.hsm.element_name`, reason: 'is required.' });
      return undefined;
    }
    const params = readTemplateParams(hsm.localizable_params, `${path}.hsm.localizable_params`, problems);
    const language = isObject(hsm.language) && typeof hsm.language.code === 'string' ? hsm.language.code : undefined;
    return { name: hsm.element_name, ...(typeof hsm.namespace === 'string' ? { namespace: hsm.namespace } : {}), params, ...(language ? { locale: language } : {}) };
  }
  return undefined;
}

interface Validated {
  to: string;
  from: string;
  type: string;
  template?: TemplateUse;
  body?: string;
  mediaUrl?: string;
  clientRef?: string;
  webhookVersion?: Version;
  webhookUrl?: string;
}

type Invalid = { code: number; title: string; detail: string; problems?: Problem[] };

/** Validates a send (§11.2). Returns the first class of error found, like the real API. */
function validate(version: Version, send: Send): Validated | Invalid {
  const prefix = version === 'v1' ? '' : 'message.content.';
  const params = (problems: Problem[]): Invalid => ({ code: 1150, title: 'Invalid params', detail: 'The value of one or more parameters is invalid.', problems });
  if (version === 'v0.1' && (send.toType !== 'whatsapp' || send.fromType !== 'whatsapp')) {
    if (send.toType === undefined || send.fromType === undefined) return params([{ name: send.toType === undefined ? 'to.type' : 'from.type', reason: 'is required.' }]);
    return { code: 1100, title: 'Unsupported channel', detail: 'The specified channel is not supported.', problems: [{ name: 'to.type', reason: 'the sandbox supports whatsapp only.' }] };
  }
  if (send.channel === undefined) return params([{ name: 'channel', reason: 'is required.' }]);
  if (send.channel !== 'whatsapp') return { code: 1100, title: 'Unsupported channel', detail: 'The specified channel is not supported.', problems: [{ name: 'channel', reason: 'the sandbox supports whatsapp only.' }] };
  if (send.messageType === undefined) return params([{ name: version === 'v1' ? 'message_type' : 'message.content.type', reason: 'is required.' }]);
  if (typeof send.messageType !== 'string' || !MESSAGE_TYPES.has(send.messageType)) {
    return {
      code: 1140,
      title: 'Invalid message type',
      detail: 'The `message_type` parameter is invalid for the given channel.',
      problems: [{ name: version === 'v1' ? 'message_type' : 'message.content.type', reason: `must be one of ${[...MESSAGE_TYPES].join(', ')}.` }],
    };
  }
  const numberProblem = (value: unknown) => (typeof value !== 'string' ? 'is required.' : /^\d{7,15}$/.test(value) ? null : 'must be 7–15 digits with the country code, no "+" or "00".');
  const toProblem = numberProblem(send.to);
  if (toProblem) return { code: 1130, title: 'Invalid recipient', detail: 'The `to` parameter is invalid for the given channel.', problems: [{ name: version === 'v1' ? 'to' : 'to.number', reason: toProblem }] };
  const fromProblem = numberProblem(send.from);
  if (fromProblem) return { code: 1120, title: 'Invalid sender', detail: 'The `from` parameter is invalid for the given channel.', problems: [{ name: version === 'v1' ? 'from' : 'from.number', reason: fromProblem }] };
  const limit = CLIENT_REF_LIMIT[version];
  if (send.clientRef !== undefined && (typeof send.clientRef !== 'string' || send.clientRef.length > limit)) {
    return { code: 1060, title: 'Invalid client reference', detail: `The client reference can be a string of up to ${limit} characters.`, problems: [{ name: 'client_ref', reason: `must be a string of at most ${limit} characters.` }] };
  }
  const problems: Problem[] = [];
  if (send.webhookVersion !== undefined && send.webhookVersion !== 'v1' && send.webhookVersion !== 'v0.1') problems.push({ name: 'webhook_version', reason: 'must be v1 or v0.1.' });
  if (send.webhookUrl !== undefined && !isHttpUrl(send.webhookUrl)) problems.push({ name: 'webhook_url', reason: 'must be an absolute http(s) URL.' });
  if (send.context !== undefined && (!isObject(send.context) || !isText(send.context.message_uuid))) problems.push({ name: 'context.message_uuid', reason: 'is required in context.' });

  const type = send.messageType;
  const content = send.content;
  const out: Validated = { to: send.to as string, from: send.from as string, type: type === 'file' ? 'document' : type };
  switch (type) {
    case 'text': {
      const text = content.text;
      if (!isText(text)) problems.push({ name: `${prefix}text`, reason: 'is required.' });
      else if (text.length > MAX_TEXT) problems.push({ name: `${prefix}text`, reason: `must be at most ${MAX_TEXT} characters.` });
      else out.body = text;
      break;
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'file':
    case 'sticker': {
      const media = content[type];
      if (!isObject(media)) {
        problems.push({ name: `${prefix}${type}`, reason: 'is required.' });
        break;
      }
      if (type === 'sticker' && !isText(media.url) && !isText(media.id)) problems.push({ name: `${prefix}sticker.url`, reason: 'is required (or sticker.id).' });
      else if (type !== 'sticker' && !isText(media.url)) problems.push({ name: `${prefix}${type}.url`, reason: 'is required.' });
      else if (isText(media.url)) out.mediaUrl = media.url;
      if (media.caption !== undefined) {
        if (typeof media.caption !== 'string' || media.caption.length > MAX_CAPTION) problems.push({ name: `${prefix}${type}.caption`, reason: `must be a string of at most ${MAX_CAPTION} characters.` });
        else out.body = media.caption;
      }
      break;
    }
    case 'reaction': {
      const reaction = content.reaction;
      if (!isObject(reaction) || (reaction.action !== 'react' && reaction.action !== 'unreact')) problems.push({ name: `${prefix}reaction.action`, reason: 'must be react or unreact.' });
      break;
    }
    case 'custom': {
      const custom = content.custom;
      if (!isObject(custom) || Object.keys(custom).length === 0) {
        problems.push({ name: `${prefix}custom`, reason: 'is required (a WhatsApp message object).' });
        break;
      }
      const template = readCustomTemplate(custom, `${prefix}custom`, problems);
      if (template) {
        out.template = template;
        out.type = template.mediaType ?? 'text';
        if (template.mediaUrl) out.mediaUrl = template.mediaUrl;
      }
      break;
    }
    case 'template': {
      const template = content.template;
      if (!isObject(template) || !isText(template.name)) {
        problems.push({ name: `${prefix}template.name`, reason: 'is required.' });
        break;
      }
      const templateParams = readTemplateParams(template.parameters, `${prefix}template.parameters`, problems);
      // The channel options carry the language: a channel-parameter (1110) error when wrong.
      const whatsappPath = version === 'v1' ? 'whatsapp' : 'message.whatsapp';
      const channelProblems: Problem[] = [];
      const whatsapp = send.whatsapp;
      if (!isObject(whatsapp)) channelProblems.push({ name: whatsappPath, reason: 'is required for templates ({"policy":"deterministic","locale":"en"}).' });
      else {
        if (!isText(whatsapp.locale)) channelProblems.push({ name: `${whatsappPath}.locale`, reason: 'is required.' });
        if (whatsapp.policy !== undefined && whatsapp.policy !== 'deterministic') channelProblems.push({ name: `${whatsappPath}.policy`, reason: 'must be deterministic (fallback was retired by WhatsApp).' });
      }
      if (channelProblems.length > 0 && problems.length === 0) {
        return version === 'v1' ? { code: 1110, title: 'Invalid channel parameters', detail: 'The value of one or more parameters is invalid.', problems: channelProblems } : params(channelProblems);
      }
      out.template = { ...splitNamespace(template.name), params: templateParams, ...(isObject(whatsapp) && typeof whatsapp.locale === 'string' ? { locale: whatsapp.locale } : {}) };
      out.type = 'text';
      break;
    }
  }
  if (problems.length > 0) return params(problems);
  if (typeof send.clientRef === 'string') out.clientRef = send.clientRef;
  if (send.webhookVersion === 'v1' || send.webhookVersion === 'v0.1') out.webhookVersion = send.webhookVersion;
  if (typeof send.webhookUrl === 'string') out.webhookUrl = send.webhookUrl;
  return out;
}

function invalidAnswer(version: Version, invalid: Invalid, runtime?: AccountRuntime): Reply {
  if (version === 'v0.1') {
    // The v0.1 spec documents a single 400 shape for every validation error (§5).
    return problem(
      400,
      {
        type: 'https://www.nexmo.com/messages/Errors#InvalidParams',
        title: 'Invalid Parameters',
        detail: 'Your request parameters did not validate.',
        ...(invalid.problems ? { invalid_parameters: invalid.problems } : {}),
      },
      runtime,
    );
  }
  return problem(422, { type: `${ERRORS_V1}#${invalid.code}`, title: invalid.title, detail: invalid.detail, ...(invalid.problems ? { invalid_parameters: invalid.problems } : {}) }, runtime);
}

const normaliseLocale = (locale: string) => locale.toLowerCase().replace(/-/g, '_');

/** 1022 when the template is unknown, in another namespace, or its parameters or locale differ (§10). */
function templateVerdict(runtime: VonageRuntime, use: TemplateUse): { failed: boolean; compiled?: CompiledTemplate } {
  const account = runtime.account;
  const owned = account.namespace === undefined || use.namespace === undefined || use.namespace === account.namespace;
  if (runtime.templates.length === 0) return { failed: !owned };
  for (const compiled of runtime.templates) {
    if (compiled.name !== use.name) continue;
    if (compiled.namespace !== undefined && use.namespace !== undefined && compiled.namespace !== use.namespace) continue;
    if (compiled.namespace === undefined && !owned) continue;
    if (compiled.parameterCount !== use.params.length) return { failed: true };
    const language = compiled.definition.language;
    if (language !== undefined && use.locale !== undefined && normaliseLocale(language) !== normaliseLocale(use.locale)) return { failed: true };
    const attachment = compiled.definition.attachment;
    if (attachment !== undefined && attachment !== 'none' && use.mediaType !== attachment) return { failed: true };
    return { failed: false, compiled };
  }
  return { failed: true };
}

/** Handles one send on `/v1/messages` or `/v0.1/messages`. */
export function handleVonage(core: SandboxCore, version: Version, authorization: string | undefined, bodyText: string, now: number): Answer {
  const auth = authenticate(core, authorization, now);
  let body: unknown;
  let jsonError: string | undefined;
  try {
    body = JSON.parse(bodyText);
  } catch (error) {
    jsonError = error instanceof Error ? error.message : String(error);
  }
  const send = isObject(body) ? readSend(version, body) : undefined;
  const candidates = auth.accounts ?? [];
  const owner = candidates.length === 1 ? candidates[0] : candidates.find((runtime) => runtime.account.whatsappNumber === send?.from);
  const knobOwner = auth.ok ? owner : undefined;
  const fault = core.admit(knobOwner, now);
  if (fault) return faultAnswer(fault, knobOwner);
  if (!auth.ok) {
    core.reject(undefined, 'auth');
    return unauthorized(auth.reason);
  }
  const invalid = (answer: Invalid): Reply => {
    core.reject(knobOwner, 'invalid');
    return invalidAnswer(version, answer, knobOwner);
  };
  if (!send) {
    if (version === 'v0.1') return invalid({ code: 0, title: '', detail: '', problems: [{ name: 'body', reason: jsonError ? `is not valid JSON: ${jsonError}` : 'must be a JSON object.' }] });
    core.reject(knobOwner, 'invalid');
    return problem(422, { type: 'https://developer.vonage.com/api-errors#invalid-json', title: 'The request body did not contain valid JSON', detail: jsonError ?? 'The body must be a JSON object.' }, knobOwner);
  }
  const checked = validate(version, send);
  if ('code' in checked) return invalid(checked);
  const runtime = candidates.find((candidate) => candidate.account.whatsappNumber === checked.from);
  if (!runtime) {
    return invalid({
      code: 1120,
      title: 'Invalid sender',
      detail: 'The `from` parameter is invalid for the given channel.',
      problems: [{ name: version === 'v1' ? 'from' : 'from.number', reason: `${checked.from} is not the WhatsApp number of this application.` }],
    });
  }
  const account = runtime.account;
  let forced: FailReason | undefined;
  let renderedFrom: CompiledTemplate | undefined;
  if (checked.template) {
    const verdict = templateVerdict(runtime, checked.template);
    if (verdict.failed) forced = 'template_mismatch';
    else renderedFrom = verdict.compiled;
  }
  const isTemplate = checked.template !== undefined;
  const fate = core.decideFate(runtime, checked.to, isTemplate, forced, now);
  const message = core.record(
    runtime,
    {
      id: uuidV4(),
      to: checked.to,
      kind: isTemplate ? 'template' : 'session',
      type: checked.type,
      ...(checked.template
        ? { template: checked.template.name, params: checked.template.params, ...(checked.template.namespace ? { namespace: checked.template.namespace } : {}) }
        : {}),
      ...(checked.body === undefined ? {} : { body: checked.body }),
      ...(renderedFrom ? { renderedFrom } : {}),
      ...(checked.mediaUrl ? { mediaUrl: checked.mediaUrl } : {}),
      ...(checked.clientRef === undefined ? {} : { clientRef: checked.clientRef }),
    },
    fate,
    fate.reason ? String(VONAGE_FAILURES[fate.reason].code) : undefined,
    now,
  );
  const url = checked.webhookUrl ?? account.statusUrl;
  if (url) schedule(core, runtime, message, vonageSteps(fate.outcome), url, checked.webhookVersion ?? account.webhookVersion, now);
  const reply = jsonReply(202, { message_uuid: message.id });
  reply.runtime = runtime;
  reply.message = message;
  return reply;
}

function schedule(core: SandboxCore, runtime: VonageRuntime, message: MessageRecord, steps: Step[], url: string, version: Version, now: number): void {
  const account = runtime.account;
  core.plan(
    runtime,
    message,
    steps,
    (step) => {
      const payload = vonageStatus(account, message, step, version, Date.now());
      if (payload) core.callbacks.send(signedCallback(account, url, 'status', payload));
    },
    now,
  );
}
