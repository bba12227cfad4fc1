/**
 * "Send test message": one template message to a typed number, sent at once (not through the
 * queue) so the provider's raw answer can be shown. The message is recorded (kind `test`) so its
 * delivery receipts still find it.
 *
 * Because it goes around the account's pacer, test sends are limited per account in a process: a
 * burst of TEST_SEND_BURST (a person clicking), then one a second. The dispatcher keeps each
 * account to ⌊0.98 × rate⌋ a second (decision 0005), which leaves room for them beside a full-rate
 * campaign; a script calling the endpoint in a loop could otherwise push the account over.
 */
import type { AppDeps } from '../deps.js';
import type { ErrorCategory, RawExchange } from '../providers/provider.js';
import { newId } from '../ids.js';
import { toJson, parseJson } from '../storage/json.js';
import { notFound, tooManyRequests, validationFailed, type FieldProblem } from '../errors.js';
import { getTemplateRow } from '../templates/templates.service.js';
import { fillPlaceholders } from '../templates/placeholders.js';
import { compileParams, renderParams, type RenderProfile } from '../templates/render.js';
import { outboundUrlProblem } from '../net/outbound-url.js';
import type { MessagePayload } from './message-payload.js';
import { mediaUrlRequired } from '../templates/attachments.js';
import { normalisePhone } from '../audience/phone.js';

/** Test sends per account and process: a burst of this many, then one a second. */
export const TEST_SEND_BURST = 3;
export const TEST_SEND_INTERVAL_MS = 1000;

interface Bucket {
  tokens: number;
  at: number;
}

/** Per app (its provider clients), per account: the test-send token bucket. */
const testSendBuckets = new WeakMap<object, Map<string, Bucket>>();

/** Takes a test send from the account's bucket, or answers 429 when it is empty. Exported for tests. */
export function takeTestSend(deps: Pick<AppDeps, 'providers'>, providerId: string, now: number): void {
  let perAccount = testSendBuckets.get(deps.providers);
  if (!perAccount) testSendBuckets.set(deps.providers, (perAccount = new Map()));
  const bucket = perAccount.get(providerId) ?? { tokens: TEST_SEND_BURST, at: now };
  bucket.tokens = Math.min(TEST_SEND_BURST, bucket.tokens + (now - bucket.at) / TEST_SEND_INTERVAL_MS);
  bucket.at = now;
  perAccount.set(providerId, bucket);
  if (bucket.tokens < 1) {
    throw tooManyRequests('Test messages of one provider account go out at most one a second (they bypass its campaigns\' pacing): try again in a moment.', 1);
  }
  bucket.tokens -= 1;
}

export interface TestSendResult {
  ok: boolean;
  messageId: string;
  providerMessageId?: string;
  category?: ErrorCategory;
  detail?: string;
  raw: RawExchange;
}

export async function sendTestMessage(
  deps: AppDeps,
  projectId: string,
  input: { providerId: string; templateId: string; values: string[]; mediaUrl?: string | null | undefined; to: string },
): Promise<TestSendResult> {
  const problems: FieldProblem[] = [];
  const provider = await deps.db.kysely
    .selectFrom('provider_accounts')
    .select(['id'])
    .where('id', '=', input.providerId)
    .where('project_id', '=', projectId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!provider) throw notFound('Provider account', input.providerId);
  const template = input.templateId === '' ? null : await getTemplateRow(deps, projectId, input.templateId).catch(() => null);
  if (input.templateId === '') problems.push({ path: 'templateId', message: 'is required: choose a template' });
  else if (!template) problems.push({ path: 'templateId', message: 'is not a template of this project' });
  else if (template.provider_id !== provider.id) problems.push({ path: 'templateId', message: 'belongs to another provider account' });
  // The same reading as every other number at the edge (full metadata, the reason when refused).
  const phone = normalisePhone(input.to);
  const to = phone.ok ? phone.e164 : null;
  if (!phone.ok) problems.push({ path: 'to', message: `${phone.message}; ${phone.advice}` });
  if (template && input.values.length !== template.placeholder_count) {
    problems.push({ path: 'params', message: `the template has ${template.placeholder_count} placeholder(s) but ${input.values.length} value(s) were given` });
  }
  if (input.values.some((value) => value.trim() === '')) problems.push({ path: 'params', message: 'values must not be empty' });
  if (template && template.attachment_type !== 'none' && !input.mediaUrl) problems.push({ path: 'mediaUrl', message: mediaUrlRequired(template.attachment_type) });
  if (input.mediaUrl) {
    const problem = await outboundUrlProblem(input.mediaUrl, deps.config.allowPrivateUrls);
    if (problem) problems.push({ path: 'mediaUrl', message: problem });
  }
  if (problems.length > 0 || !template || !to) throw validationFailed(problems);

  const entry = await deps.providers.get(provider.id);
  if (!entry) throw notFound('Provider account', input.providerId);
  const payload: MessagePayload = {
    type: 'template',
    templateId: template.id,
    params: input.values,
    body: fillPlaceholders(template.body, input.values),
    ...(input.mediaUrl ? { mediaUrl: input.mediaUrl } : {}),
  };
  const now = Date.now();
  takeTestSend(deps, provider.id, now);
  const messageId = newId(now);
  const result = await entry.client.sendTemplate({
    to,
    template: { namespace: template.namespace, body: template.body, language: template.language, attachmentType: template.attachment_type },
    params: payload.params,
    renderedBody: payload.body,
    ...(payload.mediaUrl ? { mediaUrl: payload.mediaUrl } : {}),
    clientRef: messageId,
  });
  const at = Date.now();
  await deps.db.kysely
    .insertInto('messages')
    .values({
      id: messageId,
      project_id: projectId,
      campaign_id: null,
      profile_id: null,
      provider_id: provider.id,
      phone: to,
      kind: 'test',
      priority: 0,
      status: result.ok ? 'sent' : result.outcome === 'unknown' ? 'unknown' : 'failed',
      payload: toJson(payload),
      provider_message_id: result.ok ? result.providerMessageId : null,
      error_category: !result.ok && result.outcome === 'not_sent' ? result.category : null,
      error_code: !result.ok && result.outcome === 'not_sent' ? (result.code ?? null) : null,
      error_detail: result.ok ? null : result.detail.slice(0, 1000),
      attempts: 1,
      available_at: now,
      created_at: now,
      updated_at: at,
      sent_at: result.ok ? at : null,
      failed_at: !result.ok && result.outcome === 'not_sent' ? at : null,
    })
    .execute();
  if (result.ok) return { ok: true, messageId, providerMessageId: result.providerMessageId, raw: result.raw };
  return {
    ok: false,
    messageId,
    ...(result.outcome === 'not_sent' ? { category: result.category } : {}),
    detail: result.detail,
    raw: result.raw,
  };
}

/** A profile to preview or test with: the given identity, or the project's first profile. */
export async function sampleProfile(deps: Pick<AppDeps, 'db'>, projectId: string, identity?: string): Promise<RenderProfile | null> {
  let query = deps.db.kysely.selectFrom('profiles').select(['identity', 'phone', 'properties']).where('project_id', '=', projectId);
  query = identity ? query.where('identity', '=', identity) : query.orderBy('id');
  const row = await query.limit(1).executeTakeFirst();
  if (!row) return null;
  return { identity: row.identity, phone: row.phone, properties: parseJson<Record<string, unknown>>(row.properties, {}) };
}

/** Renders Liquid placeholder values for one profile: what the recipient would get. */
export function previewFor(profile: RenderProfile, templateBody: string, params: string[]) {
  const compiled = compileParams(params);
  if (!compiled.ok) return { ok: false as const, error: compiled.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ') };
  const rendered = renderParams(compiled.compiled, profile);
  if (!rendered.ok) return { ok: false as const, error: rendered.reason };
  return { ok: true as const, values: rendered.values, body: fillPlaceholders(templateBody, rendered.values) };
}
