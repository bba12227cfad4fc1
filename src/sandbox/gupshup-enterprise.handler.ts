/**
 * Gupshup Enterprise GatewayAPI (`/GatewayAPI/rest`, reference gupshup.md part A): GET query or
 * form POST with the same parameters, `method` SendMessage / SendMediaMessage / OPT_IN / OPT_OUT,
 * `userid`/`password` of the notification (HSM) or two-way account, answers in `format` text or
 * json, always HTTP 200 for logical errors (codes 100–109 of A7).
 *
 * Choices where the reference is silent (docs/sandbox.md): a send with the wrong account role and
 * OPT_IN/OPT_OUT through the two-way account answer 106 (method not enabled for that account); an
 * invalid value of a present parameter answers 100 with the reason; unknown user id and wrong
 * password both answer 102; the account's rate limit and 429 bursts answer HTTP 429.
 */
import type { SandboxCore, Fault, Step } from './sandbox.core.js';
import { enterpriseMessageId } from './sandbox.ids.js';
import { RESET, textReply, jsonReply, type Answer, type Reply } from './sandbox.http.js';
import type { AccountRuntime, EnterpriseRole } from './sandbox.registry.js';
import { matchTemplate, type CompiledTemplate } from './sandbox.templates.js';
import { invalidTemplateParameter, type FailReason, type GupshupEnterpriseAccount } from './sandbox.types.js';
import type { MessageRecord } from './sandbox.store.js';
import { ENTERPRISE_FAILURES, enterpriseDlrEvent, enterpriseSteps } from './gupshup-enterprise.events.js';

export const ENTERPRISE_PATH = '/GatewayAPI/rest';

type Format = 'text' | 'json';

const SESSION_TEXT_TYPES = new Set(['TEXT', 'DATA_TEXT']);
const MEDIA_TYPES = new Set(['IMAGE', 'VIDEO', 'AUDIO', 'DOCUMENT', 'STICKER']);
/** Longest `msg` / `caption` accepted (Glific's enterprise client caps at 4096, reference §0). */
const MAX_TEXT = 4096;

function answer(format: Format, status: 'success' | 'error', id: string, phone: string, details: string, runtime?: AccountRuntime): Reply {
  const reply =
    format === 'json'
      ? jsonReply(200, { response: { id, phone, details, status } })
      : textReply(200, status === 'success' ? `success | ${phone} | ${id}` : `error | ${id} | ${details}`);
  if (runtime) reply.runtime = runtime;
  return reply;
}

function faultAnswer(fault: Fault, format: Format, runtime?: AccountRuntime): Answer {
  if (fault === 'reset') return RESET;
  if (fault === 'down') return { ...textReply(503, 'Service Unavailable'), ...(runtime ? { runtime } : {}) };
  const reply = answer(format, 'error', '100', '', 'Too many requests: the rate limit of this account is exceeded; retry later.', runtime);
  reply.status = 429;
  reply.headers['retry-after'] = '1';
  return reply;
}

/** Digits with country code; a 10-digit number is Indian and gets `91` (error 105's text, reference A7). */
function normalizePhone(raw: string): string | null {
  const value = raw.trim();
  if (!/^\d{10,15}$/.test(value)) return null;
  return value.length === 10 ? `91${value}` : value;
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.toLowerCase() === 'true';
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Handles one GatewayAPI request; `params` has lower-cased names. */
export function handleEnterprise(core: SandboxCore, params: Record<string, string>, now: number): Answer {
  const format: Format = params.format?.toLowerCase() === 'json' ? 'json' : 'text';
  const userId = params.userid;
  const login = userId ? core.registry.enterpriseLogin(userId) : undefined;
  const authenticated = login && params.password === login.password ? login : undefined;
  const runtime = authenticated?.runtime;

  const fault = core.admit(runtime, now);
  if (fault) return faultAnswer(fault, format, runtime);

  const error = (code: string, details: string): Reply => {
    core.reject(runtime, code === '102' ? 'auth' : 'invalid');
    return answer(format, 'error', code, '', details, runtime);
  };

  if (params.format !== undefined && format === 'text' && params.format.toLowerCase() !== 'text') {
    return error('100', `Unsupported format ${JSON.stringify(params.format)}: use text or json (the sandbox does not answer xml).`);
  }
  const method = params.method;
  if (!method) return error('101', 'Missing parameter: method.');
  const methodKey = method.toLowerCase();
  if (methodKey !== 'sendmessage' && methodKey !== 'sendmediamessage' && methodKey !== 'opt_in' && methodKey !== 'opt_out') {
    return error('106', `Method ${JSON.stringify(method)} is not supported: use SendMessage, SendMediaMessage, OPT_IN or OPT_OUT.`);
  }
  // Error 107 VERSION UNKNOWN: "v must be 1.0/1.1" (reference A7); both are versions the gateway knows.
  if (params.v !== '1.1' && params.v !== '1.0') return error('107', `Unknown version v=${JSON.stringify(params.v ?? '')}: v must be 1.0 or 1.1.`);
  if (!params.auth_scheme) return error('101', 'Missing parameter: auth_scheme.');
  if (params.auth_scheme.toLowerCase() !== 'plain') {
    return error('102', `Authentication failed: auth_scheme must be plain, not ${JSON.stringify(params.auth_scheme)}.`);
  }
  if (!userId) return error('101', 'Missing parameter: userid.');
  if (!params.password) return error('101', 'Missing parameter: password.');
  if (!authenticated || !runtime) return error('102', 'Authentication failed due to invalid userId or password.');

  const account = runtime.account as GupshupEnterpriseAccount;
  const role = authenticated.role;
  if (methodKey === 'opt_in' || methodKey === 'opt_out') return optInOut(core, runtime as AccountRuntime<GupshupEnterpriseAccount>, role, methodKey, params, format, error, now);

  const sendTo = params.send_to;
  if (!sendTo) return error('101', 'Missing parameter: send_to.');
  const phone = normalizePhone(sendTo);
  if (!phone) return error('105', `Invalid phone number ${JSON.stringify(sendTo)}: send one number as digits with country code (or 10 digits for India), no "+" or spaces.`);

  const media = methodKey === 'sendmediamessage';
  let type: string;
  let isTemplate: boolean;
  let body: string;
  let mediaUrl: string | undefined;
  if (media) {
    if (!params.msg_type) return error('101', 'Missing parameter: msg_type.');
    type = params.msg_type.toUpperCase();
    if (!MEDIA_TYPES.has(type)) return error('100', `msg_type ${JSON.stringify(params.msg_type)} is not valid for SendMediaMessage: use IMAGE, VIDEO, AUDIO, DOCUMENT or STICKER.`);
    if (!params.media_url) return error('101', 'Missing parameter: media_url.');
    if (!isHttpUrl(params.media_url)) return error('100', `media_url ${JSON.stringify(params.media_url)} is not an absolute http(s) URL.`);
    mediaUrl = params.media_url;
    isTemplate = isTrue(params.ishsm);
    body = params.caption ?? '';
    if (body.length > MAX_TEXT) return error('100', `caption is ${body.length} characters long: at most ${MAX_TEXT}.`);
  } else {
    type = (params.msg_type ?? 'TEXT').toUpperCase();
    if (type !== 'HSM' && !SESSION_TEXT_TYPES.has(type)) {
      return error('100', `msg_type ${JSON.stringify(params.msg_type)} is not valid for SendMessage: use HSM, TEXT or DATA_TEXT (media goes through SendMediaMessage).`);
    }
    // A template send is msg_type=HSM or isHSM=true (clients differ, reference A2).
    isTemplate = type === 'HSM' || isTrue(params.ishsm);
    const msg = params.msg;
    if (msg === undefined || msg === '') return error('101', 'Missing parameter: msg.');
    if (msg.length > MAX_TEXT) return error('100', `msg is ${msg.length} characters long: at most ${MAX_TEXT}.`);
    body = msg;
    if (params.interactive_type) {
      if (!params.action) return error('101', 'Missing parameter: action (required with interactive_type).');
      try {
        JSON.parse(params.action);
      } catch {
        return error('100', 'action is not valid JSON.');
      }
      type = 'INTERACTIVE';
    }
  }
  if (isTemplate && role !== 'notification') {
    return error('106', `Template (HSM) messages are sent with the notification account; ${userId} is the two-way account.`);
  }
  if (!isTemplate && role !== 'two-way') {
    return error('106', `Session messages are sent with the two-way account; ${userId} is the notification (HSM) account.`);
  }

  let forced: FailReason | undefined;
  let template: { compiled: CompiledTemplate; params: string[] } | undefined;
  if (isTemplate && runtime.templates.length > 0) {
    template = findTemplate(runtime, body, media ? type : null);
    // Gupshup accepts the request and reports the mismatch later (reference A3).
    if (!template) forced = 'template_mismatch';
    // The values the rendered text filled the placeholders with follow WhatsApp's parameter rule.
    else if (invalidTemplateParameter(template.params)) forced = 'invalid_parameter';
  }
  const fate = core.decideFate(runtime, phone, isTemplate, forced, now);
  const id = enterpriseMessageId();
  const message = core.record(
    runtime,
    {
      id,
      to: phone,
      kind: isTemplate ? 'template' : 'session',
      type: RECORDED_TYPE[type] ?? type.toLowerCase(),
      ...(template
        ? { template: template.compiled.name, namespace: template.compiled.namespace, params: template.params, renderedFrom: template.compiled }
        : {}),
      body,
      ...(mediaUrl ? { mediaUrl } : {}),
      ...(params.extra !== undefined ? { extra: params.extra } : {}),
    },
    fate,
    fate.reason ? ENTERPRISE_FAILURES[fate.reason].errorCode : undefined,
    now,
  );
  schedule(core, runtime as AccountRuntime<GupshupEnterpriseAccount>, account, message, enterpriseSteps(fate.outcome, fate.reason), now);
  const reply = answer(format, 'success', id, phone, '', runtime);
  reply.message = message;
  return reply;
}

const ATTACHMENT_OF: Record<string, string> = { IMAGE: 'image', VIDEO: 'video', DOCUMENT: 'document' };
/** Shared type names for the records (one string for all messages, not one per message). */
const RECORDED_TYPE: Record<string, string> = {
  HSM: 'text',
  TEXT: 'text',
  DATA_TEXT: 'text',
  INTERACTIVE: 'interactive',
  IMAGE: 'image',
  VIDEO: 'video',
  AUDIO: 'audio',
  DOCUMENT: 'document',
  STICKER: 'sticker',
};

/** The registered template `body` renders, compatible with the media type (null: text). */
function findTemplate(runtime: AccountRuntime, body: string, mediaType: string | null): { compiled: CompiledTemplate; params: string[] } | undefined {
  const wanted = mediaType === null ? 'none' : ATTACHMENT_OF[mediaType];
  // WhatsApp templates have no audio or sticker headers: such an HSM matches nothing.
  if (wanted === undefined) return undefined;
  for (const compiled of runtime.templates) {
    const attachment = compiled.definition.attachment;
    if (attachment !== undefined && attachment !== wanted) continue;
    const values = matchTemplate(compiled, body);
    if (values) return { compiled, params: values };
  }
  return undefined;
}

function schedule(core: SandboxCore, runtime: AccountRuntime, account: GupshupEnterpriseAccount, message: MessageRecord, steps: Step[], now: number): void {
  const url = account.dlrUrl;
  if (!url) return;
  core.plan(
    runtime,
    message,
    steps,
    (step) => {
      const event = enterpriseDlrEvent(account, message, step, Date.now());
      if (event) core.callbacks.enterpriseDlr(url, event);
    },
    now,
  );
}

function optInOut(
  core: SandboxCore,
  runtime: AccountRuntime<GupshupEnterpriseAccount>,
  role: EnterpriseRole,
  methodKey: 'opt_in' | 'opt_out',
  params: Record<string, string>,
  format: Format,
  error: (code: string, details: string) => Reply,
  now: number,
): Reply {
  const method = methodKey === 'opt_in' ? 'OPT_IN' : 'OPT_OUT';
  if (role !== 'notification') return error('106', `${method} is done with the notification (HSM) account; ${params.userid} is the two-way account.`);
  if (!params.phone_number) return error('101', 'Missing parameter: phone_number.');
  if (!params.channel) return error('101', 'Missing parameter: channel.');
  if (params.channel.toLowerCase() !== 'whatsapp') return error('100', `channel ${JSON.stringify(params.channel)} is not supported: use WHATSAPP.`);
  const phone = normalizePhone(params.phone_number);
  if (!phone) return error('105', `Invalid phone number ${JSON.stringify(params.phone_number)}: digits with country code (or 10 digits for India), no "+" or spaces.`);
  if (methodKey === 'opt_in') {
    // Already opted in answers id 312, which clients treat as success (reference A6 [INF]).
    if (runtime.optedIn.has(phone)) {
      core.reject(runtime, 'invalid');
      return answer(format, 'error', '312', phone, 'Duplicate entry: the phone number is already opted in.', runtime);
    }
    runtime.optedIn.add(phone);
  } else {
    runtime.optedIn.delete(phone);
  }
  const id = enterpriseMessageId();
  core.record(runtime, { id, to: phone, kind: methodKey, type: methodKey === 'opt_in' ? 'opt-in' : 'opt-out' }, null, undefined, now);
  return answer(format, 'success', id, phone, '', runtime);
}
