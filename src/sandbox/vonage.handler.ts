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
import type { CompiledTemplate } from './sandbox.templates.js';
import { invalidTemplateParameter, type FailReason, type VonageAccount } from './sandbox.types.js';
import type { MessageRecord } from './sandbox.store.js';
import { peekApplicationId, verifyRs256 } from './vonage.jwt.js';
import { VONAGE_FAILURES, WHATSAPP_USER_ID, signedCallback, vonageStatus, vonageSteps } from './vonage.events.js';
import { readSend, validate, type Invalid, type TemplateUse, type Version } from './vonage.validation.js';

export const VONAGE_V1_PATH = '/v1/messages';
export const VONAGE_V01_PATH = '/v0.1/messages';

type VonageRuntime = AccountRuntime<VonageAccount>;

const PROBLEM_TYPE = 'application/problem+json';
const ERRORS_V1 = 'https://developer.vonage.com/api-errors/messages';

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
  const send = typeof body === 'object' && body !== null && !Array.isArray(body) ? readSend(version, body as Record<string, unknown>) : undefined;
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
  // A user id names the phone it was handed out for; one this business never saw is no recipient.
  const to = WHATSAPP_USER_ID.test(checked.to) ? runtime.userIds.get(checked.to) : checked.to;
  if (to === undefined) {
    return invalid({
      code: 1130,
      title: 'Invalid recipient',
      detail: 'The `to` parameter is invalid for the given channel.',
      problems: [{ name: 'to', reason: `${checked.to} is not the WhatsApp user id of a user of this business.` }],
    });
  }
  let forced: FailReason | undefined;
  let renderedFrom: CompiledTemplate | undefined;
  if (checked.template) {
    const verdict = templateVerdict(runtime, checked.template);
    if (verdict.failed) forced = 'template_mismatch';
    else renderedFrom = verdict.compiled;
    if (!forced && invalidTemplateParameter(checked.template.params)) forced = 'invalid_parameter';
  }
  const isTemplate = checked.template !== undefined;
  const fate = core.decideFate(runtime, to, isTemplate, forced, now);
  const message = core.record(
    runtime,
    {
      id: uuidV4(),
      to,
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
      const payload = vonageStatus(runtime, message, step, version, Date.now());
      if (payload) core.callbacks.send(signedCallback(account, url, 'status', payload));
    },
    now,
  );
}
