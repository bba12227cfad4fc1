/**
 * Gupshup Enterprise (GatewayAPI) adapter — reference gupshup.md part A, PRODUCT §2.
 *
 * Every request is `POST <GUPSHUP_ENTERPRISE_URL>` with a form body carrying `userid`, `password`,
 * `auth_scheme=plain`, `v=1.1` and `format=json`. Which account signs it matters:
 * - notification (HSM) account: templates (`SendMessage` + `msg_type=HSM`, or `SendMediaMessage` for
 *   image/video/document templates) and `OPT_IN` / `OPT_OUT`;
 * - two-way account: session messages (replies inside the 24-hour window, auto-replies).
 *
 * Session text uses `msg_type=DATA_TEXT`: it is what the longest-running public enterprise
 * integration (Glific) sends for two-way text, the reference lists both DATA_TEXT and TEXT as
 * accepted, and TEXT is only seen together with `format=TEXT`, while we always send `format=json`.
 *
 * `extra` carries our clientRef: the gateway echoes it in DLRs (A8), so a receipt can be matched even
 * when the synchronous answer was lost (outcome `unknown`).
 */
import type { HttpClient, HttpOutcome } from '../http.client.js';
import type { GupshupCredentials, OptResult, ProviderClient, RawExchange, SendResult, SessionMessage, TemplateMessage } from '../provider.js';
import { toProviderNumber } from '../provider-phone.js';
import { commonOutcome, formEncode, mediaFilename, notSent, rawExchange, redactForm } from '../provider-wire.js';
import { ENTERPRISE_ERROR_IDS } from './gupshup.codes.js';
import { parseEnterpriseAnswer } from './gupshup-enterprise.response.js';
import { mediaUrlRequired } from '../../templates/attachments.js';

type Fields = Array<readonly [string, string]>;

const SECRET_FIELDS: ReadonlySet<string> = new Set(['password']);
const MEDIA_MSG_TYPE = { image: 'IMAGE', video: 'VIDEO', document: 'DOCUMENT' } as const;
/** Opt-in answer id meaning "already opted in / duplicate entry" — a success (reference A6). */
const OPT_DUPLICATE_ID = '312';

export class GupshupEnterpriseClient implements ProviderClient {
  readonly type = 'gupshup' as const;

  constructor(
    private readonly credentials: GupshupCredentials,
    /** The full GatewayAPI/rest URL. */
    private readonly url: string,
    private readonly http: HttpClient,
    private readonly ownsHttp: boolean,
  ) {}

  async sendTemplate(message: TemplateMessage): Promise<SendResult> {
    const sendTo = gatewayNumber(message.to);
    if (typeof sendTo !== 'string') return invalidRecipient(sendTo.error, this.url);
    const { template } = message;
    let fields: Fields;
    if (template.attachmentType === 'none') {
      fields = [['method', 'SendMessage'], ...this.auth('notification'), ['send_to', sendTo], ['msg_type', 'HSM'], ['isHSM', 'true'], ['msg', message.renderedBody]];
    } else {
      if (!message.mediaUrl) {
        return notSent({ category: 'invalid_request', retryable: false, detail: `mediaUrl ${mediaUrlRequired(template.attachmentType)}` }, { request: { method: 'POST', url: this.url, body: '' } });
      }
      fields = [
        ['method', 'SendMediaMessage'],
        ...this.auth('notification'),
        ['send_to', sendTo],
        ['msg_type', MEDIA_MSG_TYPE[template.attachmentType]],
        ['isHSM', 'true'],
        ['media_url', message.mediaUrl],
        // The rendered body is the caption: Gupshup matches it against the approved template.
        ['caption', message.renderedBody],
      ];
      if (template.attachmentType === 'document') fields.push(['filename', mediaFilename(message.mediaUrl)]);
    }
    if (message.clientRef) fields.push(['extra', message.clientRef]);
    return this.send(fields);
  }

  async sendSession(message: SessionMessage): Promise<SendResult> {
    const sendTo = gatewayNumber(message.to);
    if (typeof sendTo !== 'string') return invalidRecipient(sendTo.error, this.url);
    const fields: Fields = [['method', 'SendMessage'], ...this.auth('twoWay'), ['send_to', sendTo], ['msg_type', 'DATA_TEXT'], ['msg', message.text]];
    if (message.clientRef) fields.push(['extra', message.clientRef]);
    return this.send(fields);
  }

  optIn(phone: string): Promise<OptResult> {
    return this.opt('OPT_IN', phone);
  }

  optOut(phone: string): Promise<OptResult> {
    return this.opt('OPT_OUT', phone);
  }

  async close(): Promise<void> {
    if (this.ownsHttp) await this.http.close();
  }

  private auth(account: 'notification' | 'twoWay'): Fields {
    const userid = account === 'notification' ? this.credentials.notificationUserId : this.credentials.twoWayUserId;
    const password = account === 'notification' ? this.credentials.notificationPassword : this.credentials.twoWayPassword;
    return [
      ['userid', userid],
      ['password', password],
      ['auth_scheme', 'plain'],
      ['v', '1.1'],
      ['format', 'json'],
    ];
  }

  private async post(fields: Fields): Promise<{ outcome: HttpOutcome; raw: RawExchange }> {
    const outcome = await this.http.request({
      method: 'POST',
      url: this.url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: formEncode(fields),
    });
    return { outcome, raw: rawExchange({ method: 'POST', url: this.url, body: redactForm(fields, SECRET_FIELDS) }, outcome) };
  }

  private async send(fields: Fields): Promise<SendResult> {
    const { outcome, raw } = await this.post(fields);
    const common = commonOutcome(outcome, raw);
    if (common) return common;
    if (outcome.kind !== 'response') throw new Error('unreachable: transport outcomes are handled by commonOutcome');

    const answer = parseEnterpriseAnswer(outcome.body);
    if (answer.status === 'error') return enterpriseError(answer.code, answer.message, raw);
    // Any non-2xx without a readable answer (4xx; a 3xx redirect, which the client does not follow)
    // was not processed as a send.
    if (outcome.status < 200 || outcome.status >= 300) return httpError(outcome.status, answer.status === 'unreadable' ? answer.detail : '', raw);
    if (answer.status === 'success') {
      if (!answer.id) return { ok: false, outcome: 'unknown', detail: 'the gateway answered success without a message id', raw };
      return { ok: true, providerMessageId: answer.id, raw };
    }
    // HTTP 2xx with a body we cannot read: the gateway may well have accepted the message.
    return { ok: false, outcome: 'unknown', detail: `HTTP ${outcome.status} with an unreadable answer (${answer.detail})`, raw };
  }

  private async opt(method: 'OPT_IN' | 'OPT_OUT', phone: string): Promise<OptResult> {
    const number = gatewayNumber(phone);
    if (typeof number !== 'string') {
      return { ok: false, category: 'invalid_number', retryable: false, detail: number.error, raw: { request: { method: 'POST', url: this.url, body: '' } } };
    }
    const fields: Fields = [['method', method], ...this.auth('notification'), ['phone_number', number], ['channel', 'WHATSAPP']];
    const { outcome, raw } = await this.post(fields);
    if (outcome.kind === 'not_sent') return { ok: false, category: 'provider_down', retryable: outcome.retryable, detail: `not sent: ${outcome.detail}`, raw };
    // Opting in twice is harmless, so an unknown outcome is simply retryable.
    if (outcome.kind === 'unknown') return { ok: false, category: 'provider_down', retryable: true, detail: `outcome unknown: ${outcome.detail}`, raw };
    const answer = parseEnterpriseAnswer(outcome.body);
    if (answer.status === 'success') return { ok: true, raw };
    if (answer.status === 'error') {
      if (answer.code === OPT_DUPLICATE_ID) return { ok: true, raw };
      const mapping = ENTERPRISE_ERROR_IDS[answer.code] ?? { category: 'other', retryable: false };
      return { ok: false, category: mapping.category, retryable: mapping.retryable, detail: `Gupshup error ${answer.code}: ${answer.message}`, raw };
    }
    if (outcome.status === 429) return { ok: false, category: 'rate_limited', retryable: true, detail: 'rate limited (HTTP 429)', raw };
    const down = outcome.status >= 500;
    return { ok: false, category: down ? 'provider_down' : 'other', retryable: down, detail: `HTTP ${outcome.status}: ${answer.detail}`, raw };
  }
}

function enterpriseError(code: string, message: string, raw: RawExchange): SendResult {
  const known = ENTERPRISE_ERROR_IDS[code];
  // Template mismatches have no documented id; the gateway words them in `details`.
  const category = known?.category ?? (/template/i.test(message) ? 'template_mismatch' : 'other');
  return notSent({ category, retryable: known?.retryable ?? false, code, detail: `Gupshup error ${code || '(no id)'}: ${message}` }, raw);
}

function httpError(status: number, detail: string, raw: RawExchange): SendResult {
  const category = status === 401 || status === 403 ? 'auth' : 'invalid_request';
  return notSent({ category, retryable: false, code: String(status), detail: `HTTP ${status} from the gateway${detail ? `: ${detail}` : ''}` }, raw);
}

/**
 * The number as the gateway takes it (digits with country code), or why it cannot be sent. The
 * gateway reads a 10-digit number as an Indian national number (error 105: "an Indian number may be
 * sent as 10 digits or 12 digits starting with 91", reference §0 and A7), so a 10-digit E.164 number
 * of another country — Singapore's +65 9123 4567 → `6591234567` — would reach +91 65912 34567, a
 * stranger. No Indian E.164 number has 10 digits (they are 91 + 10), so these are refused.
 */
function gatewayNumber(e164: string): string | { error: string } {
  const digits = toProviderNumber(e164);
  if (digits === null) return { error: `to must be E.164 with + and 7–15 digits (got ${JSON.stringify(e164)})` };
  if (digits.length === 10) {
    return {
      error: `${e164} cannot be sent through Gupshup Enterprise: the gateway reads a number of 10 digits as an Indian number (${digits} → +91${digits}), so it would reach someone else; use a provider account of another kind for this number`,
    };
  }
  return digits;
}

function invalidRecipient(detail: string, url: string): SendResult {
  return notSent({ category: 'invalid_number', retryable: false, detail }, { request: { method: 'POST', url, body: '' } });
}
