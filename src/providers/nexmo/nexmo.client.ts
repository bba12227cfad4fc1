/**
 * Nexmo / Vonage Messages API v1 adapter — reference vonage.md §1–§5, PRODUCT §2.
 *
 * `POST {VONAGE_API_URL}/v1/messages`, JSON, `Authorization: Bearer <RS256 application JWT>` when the
 * account has an Application ID and a private key (JWT is what lets Vonage use the application's
 * inbound/status webhooks), else `Basic base64(apiKey:apiSecret)`.
 *
 * Templates. PRODUCT §2 fixes that templates are sent with the namespace, as the source product did:
 * - text templates: `message_type: "template"`, `template.name` = the full `NAMESPACE:name` (the v1
 *   spec 1.4 form, "your WhatsApp namespace followed by a colon and the name of the template"),
 *   `parameters` as plain strings (v1 spec and current snippets), `whatsapp: {policy:
 *   "deterministic", locale}`;
 * - image/video/document templates: `message_type: "custom"` with a WhatsApp template object
 *   (`components` with a header media parameter and the body parameters) — the form Vonage's own
 *   current media-template snippet uses. Inside `custom` the WhatsApp-native fields apply, so the
 *   namespace goes into `template.namespace` and the name into `template.name` (as in Vonage's
 *   custom-object example), media is given by `link`, and the language code uses `_`. The legacy
 *   `hsm` custom object was rejected: Meta deprecated it in 2022 and no Vonage document shows it.
 * - locales are sent with `_` (`en_GB`): the v1 spec and SDK enum spell them so; `en-GB` is
 *   converted.
 *
 * `client_ref` carries our clientRef (≤ 40 characters: the v0.1 limit, still quoted in v1 errors).
 *
 * An RS256 signature costs ~0.25 ms of CPU (measured on the 2-core reference machine): at 5,000
 * sends/s a token per request would take 1.3 cores, so a token is reused for `jwtReuseMs` (default
 * 60 s, far inside its 15-minute lifetime). Vonage documents `jti` as a unique token id, not as a
 * once-per-request nonce.
 */
import type { KeyObject } from 'node:crypto';
import type { HttpClient } from '../http.client.js';
import type { ErrorCategory, NexmoCredentials, OptResult, ProviderClient, RawExchange, SendResult, SessionMessage, TemplateMessage } from '../provider.js';
import { businessNumberDigits, toProviderNumber, whatsappUserIdOf } from '../provider-phone.js';
import { commonOutcome, isRecord, mediaFilename, notSent, rawExchange, tryParseJson } from '../provider-wire.js';
import { createApplicationJwt, parsePrivateKey } from './nexmo.jwt.js';
import { mediaUrlRequired } from '../../templates/attachments.js';

export interface NexmoClientOptions {
  /** How long one application JWT is reused, in ms (default 60,000; 0 = a new token per request). */
  jwtReuseMs?: number;
  now?: () => number;
}

const CLIENT_REF_MAX = 40;

/**
 * `to` as Vonage takes it: the number's digits, or a WhatsApp user id (v1.20: a user who wrote to
 * the business under their id alone, without sharing their number, is answered at that id).
 */
function recipientOf(to: string): string | null {
  return toProviderNumber(to) ?? whatsappUserIdOf(to) ?? null;
}

const INVALID_TO = (to: string) => `to must be E.164 with + and 7–15 digits, or a WhatsApp user id such as US.13491208655302741918 (got ${JSON.stringify(to)})`;

/** `en-GB` → `en_GB`; empty → `en`. */
export function whatsappLocale(language: string): string {
  const trimmed = language.trim();
  return trimmed ? trimmed.replace(/-/g, '_') : 'en';
}

export class NexmoClient implements ProviderClient {
  readonly type = 'nexmo' as const;
  private readonly url: string;
  private readonly privateKey: KeyObject | null;
  private readonly jwtReuseMs: number;
  private readonly now: () => number;
  private cachedToken: { token: string; createdAt: number } | null = null;

  constructor(
    private readonly credentials: NexmoCredentials,
    /** VONAGE_API_URL, e.g. https://api.nexmo.com */
    baseUrl: string,
    private readonly http: HttpClient,
    private readonly ownsHttp: boolean,
    options: NexmoClientOptions = {},
  ) {
    this.url = `${baseUrl.replace(/\/+$/, '')}/v1/messages`;
    this.privateKey = credentials.privateKey ? parsePrivateKey(credentials.privateKey) : null;
    this.jwtReuseMs = options.jwtReuseMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async sendTemplate(message: TemplateMessage): Promise<SendResult> {
    const to = recipientOf(message.to);
    if (to === null) return this.localError('invalid_number', INVALID_TO(message.to));
    const { template } = message;
    const locale = whatsappLocale(template.language);
    let body: Record<string, unknown>;
    if (template.attachmentType === 'none') {
      body = {
        ...this.addressing(to),
        message_type: 'template',
        // `parameters` is "only required if the template contains parameters" (v1 spec).
        template: { name: template.namespace, ...(message.params.length > 0 ? { parameters: message.params } : {}) },
        whatsapp: { policy: 'deterministic', locale },
      };
    } else {
      if (!message.mediaUrl) return this.localError('invalid_request', `mediaUrl ${mediaUrlRequired(template.attachmentType)}`);
      const colon = template.namespace.indexOf(':');
      const namespace = colon > 0 ? template.namespace.slice(0, colon) : undefined;
      const name = colon > 0 ? template.namespace.slice(colon + 1) : template.namespace;
      const media =
        template.attachmentType === 'document'
          ? { type: 'document', document: { link: message.mediaUrl, filename: mediaFilename(message.mediaUrl) } }
          : { type: template.attachmentType, [template.attachmentType]: { link: message.mediaUrl } };
      const components: unknown[] = [{ type: 'header', parameters: [media] }];
      if (message.params.length > 0) components.push({ type: 'body', parameters: message.params.map((text) => ({ type: 'text', text })) });
      body = {
        ...this.addressing(to),
        message_type: 'custom',
        custom: {
          type: 'template',
          template: { ...(namespace ? { namespace } : {}), name, language: { policy: 'deterministic', code: locale }, components },
        },
      };
    }
    return this.send(body, message.clientRef);
  }

  async sendSession(message: SessionMessage): Promise<SendResult> {
    const to = recipientOf(message.to);
    if (to === null) return this.localError('invalid_number', INVALID_TO(message.to));
    return this.send({ ...this.addressing(to), message_type: 'text', text: message.text }, message.clientRef);
  }

  /** WhatsApp opt-in is not an API call on Vonage (the business collects it itself). */
  optIn(): Promise<OptResult> {
    return Promise.resolve({ ok: true, raw: null });
  }

  optOut(): Promise<OptResult> {
    return Promise.resolve({ ok: true, raw: null });
  }

  async close(): Promise<void> {
    if (this.ownsHttp) await this.http.close();
  }

  private addressing(to: string): Record<string, string> {
    return { to, from: businessNumberDigits(this.credentials.whatsappNumber), channel: 'whatsapp' };
  }

  /** The Authorization header value, or why there is none. */
  private authorization(): { header: string } | { error: string } {
    const { applicationId, privateKey, apiKey, apiSecret } = this.credentials;
    if (applicationId && privateKey) {
      if (!this.privateKey) return { error: 'the private key is not a PEM RSA private key' };
      const now = this.now();
      if (!this.cachedToken || now - this.cachedToken.createdAt >= this.jwtReuseMs || now < this.cachedToken.createdAt) {
        this.cachedToken = { token: createApplicationJwt(applicationId, this.privateKey, now), createdAt: now };
      }
      return { header: `Bearer ${this.cachedToken.token}` };
    }
    if (apiKey && apiSecret) return { header: `Basic ${Buffer.from(`${apiKey}:${apiSecret}`).toString('base64')}` };
    return { error: 'no credentials: set Application ID and Private key, or API key and API secret' };
  }

  private async send(body: Record<string, unknown>, clientRef: string | undefined): Promise<SendResult> {
    if (clientRef !== undefined) {
      if (clientRef.length > CLIENT_REF_MAX) return this.localError('invalid_request', `clientRef must be at most ${CLIENT_REF_MAX} characters (got ${clientRef.length})`);
      body.client_ref = clientRef;
    }
    const json = JSON.stringify(body);
    const request = { method: 'POST', url: this.url, body: json };
    const auth = this.authorization();
    if ('error' in auth) return notSent({ category: 'auth', retryable: false, detail: auth.error }, { request });
    const outcome = await this.http.request({
      method: 'POST',
      url: this.url,
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: auth.header },
      body: json,
    });
    // The Authorization header is not part of RawExchange: nothing secret is recorded.
    const raw = rawExchange(request, outcome);
    const common = commonOutcome(outcome, raw, this.now());
    if (common) return common;
    if (outcome.kind !== 'response') throw new Error('unreachable: transport outcomes are handled by commonOutcome');

    const answer = tryParseJson(outcome.body);
    if (outcome.status >= 200 && outcome.status < 300) {
      if (isRecord(answer) && typeof answer.message_uuid === 'string' && answer.message_uuid) return { ok: true, providerMessageId: answer.message_uuid, raw };
      return { ok: false, outcome: 'unknown', detail: `HTTP ${outcome.status} without a message_uuid: ${outcome.body.slice(0, 300)}`, raw };
    }
    return problemResult(outcome.status, isRecord(answer) ? answer : {}, raw);
  }

  private localError(category: 'invalid_number' | 'invalid_request', detail: string): SendResult {
    return notSent({ category, retryable: false, detail }, { request: { method: 'POST', url: this.url, body: '' } });
  }
}

/**
 * An RFC 7807 answer → not_sent. 401/403 auth, 402 insufficient_funds; 400/404/422 by what the
 * problem names: the recipient → invalid_number; a media URL → media; the template or its
 * language → template_mismatch; anything else (sender, channel, client_ref, JSON) → invalid_request.
 * None is retryable: the same request would be refused again. (`type` anchors are not the x-errors
 * numbers and are only kept as the code for display.)
 */
export function problemResult(status: number, problem: Record<string, unknown>, raw: RawExchange): SendResult {
  const title = typeof problem.title === 'string' ? problem.title : '';
  const detail = typeof problem.detail === 'string' ? problem.detail : '';
  const anchor = typeof problem.type === 'string' ? /#([\w-]+)$/.exec(problem.type)?.[1] : undefined;
  const params = Array.isArray(problem.invalid_parameters)
    ? problem.invalid_parameters.filter(isRecord).map((p) => ({ name: typeof p.name === 'string' ? p.name : '', reason: typeof p.reason === 'string' ? p.reason : '' }))
    : [];
  const names = params.map((p) => p.name.toLowerCase());
  let category: ErrorCategory;
  if (status === 401 || status === 403) category = 'auth';
  else if (status === 402) category = 'insufficient_funds';
  else if (/recipient/i.test(title) || names.some((n) => n === 'to')) category = 'invalid_number';
  else if (names.some((n) => /(^|\.)(url|link)$/.test(n)) || /resource/i.test(title)) category = 'media';
  else if (/template/i.test(`${title} ${detail}`) || names.some((n) => n.startsWith('template') || n.startsWith('whatsapp') || n.includes('.template'))) category = 'template_mismatch';
  else category = 'invalid_request';
  const paramText = params.length ? ` (${params.map((p) => `${p.name} ${p.reason}`.trim()).join('; ')})` : '';
  return notSent(
    { category, retryable: false, code: anchor ?? String(status), detail: `Vonage HTTP ${status}: ${title || 'error'}${detail ? ` — ${detail}` : ''}${paramText}` },
    raw,
  );
}
