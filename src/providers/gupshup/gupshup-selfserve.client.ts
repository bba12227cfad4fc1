/**
 * Gupshup self-serve (api.gupshup.io) adapter — reference gupshup.md part B.
 *
 * `POST {GUPSHUP_API_URL}/wa/api/v1/template/msg` (templates) and `/wa/api/v1/msg` (session text),
 * header `apikey`, form fields `channel=whatsapp`, `source` (the business number, digits), `src.name`
 * (the App name), `destination` (digits, no `+`), and JSON-string fields `template` / `message`.
 *
 * Template ids: self-serve sends by Gupshup template id, while a wacast template is identified by its
 * namespace `ABC:welcome_message` (PRODUCT §1.2). The id sent is the part after the colon. Gupshup's
 * real ids are UUIDs, which the namespace syntax (`[a-z0-9_]`) cannot hold with hyphens, so a name
 * part shaped like a UUID written with underscores (`c6aecef6_bcb0_4fb1_8100_28c094e3bc6b`) is sent
 * with hyphens (`c6aecef6-bcb0-4fb1-8100-28c094e3bc6b`); any other name part is sent as it is.
 *
 * Acceptance (HTTP 2xx with `messageId`) is not delivery: per-recipient failures (not on WhatsApp,
 * window closed, template mismatch, wallet) arrive later as `failed` message-events (B4).
 *
 * Opt-in / opt-out: Gupshup stopped enforcing opt-in and deprecated these APIs on 1 Sep 2024 (they
 * do not exist for apps created after 1 Aug 2025, B5), so both are no-ops that send nothing.
 */
import type { HttpClient } from '../http.client.js';
import type { GupshupCredentials, OptResult, ProviderClient, RawExchange, SendResult, SessionMessage, TemplateMessage } from '../provider.js';
import { businessNumberDigits, toProviderNumber } from '../provider-phone.js';
import { commonOutcome, formEncode, isRecord, mediaFilename, notSent, rawExchange, tryParseJson } from '../provider-wire.js';
import { mediaUrlRequired } from '../../templates/attachments.js';

type Fields = Array<readonly [string, string]>;

const UUID_WITH_UNDERSCORES = /^[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}$/;

/** `ABC:welcome_message` → `welcome_message`; `ABC:c6aecef6_bcb0_…` → `c6aecef6-bcb0-…` (see module comment). */
export function selfServeTemplateId(namespace: string): string {
  const name = namespace.includes(':') ? namespace.slice(namespace.indexOf(':') + 1) : namespace;
  return UUID_WITH_UNDERSCORES.test(name) ? name.replace(/_/g, '-') : name;
}

export class GupshupSelfServeClient implements ProviderClient {
  readonly type = 'gupshup' as const;
  private readonly base: string;

  constructor(
    private readonly credentials: GupshupCredentials,
    /** GUPSHUP_API_URL, e.g. https://api.gupshup.io */
    baseUrl: string,
    private readonly http: HttpClient,
    private readonly ownsHttp: boolean,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  async sendTemplate(message: TemplateMessage): Promise<SendResult> {
    const url = `${this.base}/wa/api/v1/template/msg`;
    const destination = toProviderNumber(message.to);
    if (destination === null) return localError('invalid_number', `to must be E.164 with + and 7–15 digits (got ${JSON.stringify(message.to)})`, url);
    const { template } = message;
    const fields: Fields = [...this.envelope(destination), ['template', JSON.stringify({ id: selfServeTemplateId(template.namespace), params: message.params })]];
    if (template.attachmentType !== 'none') {
      if (!message.mediaUrl) return localError('invalid_request', `mediaUrl ${mediaUrlRequired(template.attachmentType)}`, url);
      const media =
        template.attachmentType === 'document'
          ? { type: 'document', document: { link: message.mediaUrl, filename: mediaFilename(message.mediaUrl) } }
          : { type: template.attachmentType, [template.attachmentType]: { link: message.mediaUrl } };
      fields.push(['message', JSON.stringify(media)]);
    }
    return this.send(url, fields);
  }

  async sendSession(message: SessionMessage): Promise<SendResult> {
    const url = `${this.base}/wa/api/v1/msg`;
    const destination = toProviderNumber(message.to);
    if (destination === null) return localError('invalid_number', `to must be E.164 with + and 7–15 digits (got ${JSON.stringify(message.to)})`, url);
    return this.send(url, [...this.envelope(destination), ['message', JSON.stringify({ type: 'text', text: message.text })]]);
  }

  optIn(): Promise<OptResult> {
    return Promise.resolve({ ok: true, raw: null });
  }

  optOut(): Promise<OptResult> {
    return Promise.resolve({ ok: true, raw: null });
  }

  async close(): Promise<void> {
    if (this.ownsHttp) await this.http.close();
  }

  private envelope(destination: string): Fields {
    return [
      ['channel', 'whatsapp'],
      ['source', businessNumberDigits(this.credentials.mobileNumber)],
      ['src.name', this.credentials.appName],
      ['destination', destination],
    ];
  }

  private async send(url: string, fields: Fields): Promise<SendResult> {
    const body = formEncode(fields);
    if (!this.credentials.apiKey) return localError('auth', 'the Gupshup self-serve account has no API key (credentials.apiKey)', url, body);
    const outcome = await this.http.request({
      method: 'POST',
      url,
      headers: { apikey: this.credentials.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    // The API key travels in a header, never in `raw`.
    const raw = rawExchange({ method: 'POST', url, body }, outcome);
    const common = commonOutcome(outcome, raw);
    if (common) return common;
    if (outcome.kind !== 'response') throw new Error('unreachable: transport outcomes are handled by commonOutcome');

    const json = tryParseJson(outcome.body);
    const answer = isRecord(json) ? json : {};
    const text = typeof answer.message === 'string' ? answer.message : outcome.body.slice(0, 300);
    if (outcome.status >= 200 && outcome.status < 300) {
      // Test messageId, not status: one documented sample says "submitted", another "success".
      if (typeof answer.messageId === 'string' && answer.messageId) return { ok: true, providerMessageId: answer.messageId, raw };
      if (answer.status === 'error') return rejected(outcome.status, text, raw);
      return { ok: false, outcome: 'unknown', detail: `HTTP ${outcome.status} without a messageId: ${outcome.body.slice(0, 300)}`, raw };
    }
    return rejected(outcome.status, text, raw);
  }
}

/**
 * 4xx answers (B4): 401 `Authentication Failed`; 400 `Invalid Destination` / `Invalid App Details`.
 * `Invalid App Details` means `source` + `src.name` do not name an app of this API key: like a wrong
 * key it is fixed in the provider account settings, so it is `auth`.
 */
function rejected(status: number, message: string, raw: RawExchange): SendResult {
  let category: 'auth' | 'invalid_number' | 'template_mismatch' | 'invalid_request';
  if (status === 401 || status === 403 || /authentication|invalid app details|api ?key/i.test(message)) category = 'auth';
  else if (/invalid destination|destination/i.test(message)) category = 'invalid_number';
  else if (/template/i.test(message)) category = 'template_mismatch';
  else category = 'invalid_request';
  return notSent({ category, retryable: false, code: String(status), detail: `Gupshup HTTP ${status}: ${message}` }, raw);
}

function localError(category: 'auth' | 'invalid_number' | 'invalid_request', detail: string, url: string, body = ''): SendResult {
  return notSent({ category, retryable: false, detail }, { request: { method: 'POST', url, body } });
}
