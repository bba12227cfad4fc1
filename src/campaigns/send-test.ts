/**
 * "Send test message": one template message to a typed number, sent at once (not through the
 * queue) so the provider's raw answer can be shown. The message is recorded (kind `test`) so its
 * delivery receipts still find it.
 *
 * Because it goes around the account's pacer, test sends use the room the pacer leaves: the
 * dispatcher keeps each account to ⌊0.98 × rate⌋ in any sliding second (decision 0005), and test
 * sends take at most the rest — one a second up to 50/s, two up to 100/s, three above — so an
 * account at full rate with its campaigns stays within its rate while someone sends tests. The
 * slots are leases in the database, shared by every process serving the API. (An account at 1/s
 * has no room: it still gets one test a second.)
 */
import { randomUUID } from 'node:crypto';
import type { AppDeps } from '../deps.js';
import type { ErrorCategory, RawExchange } from '../providers/provider.js';
import { newId } from '../ids.js';
import { toJson, parseJson } from '../storage/json.js';
import { notFound, tooManyRequests, validationFailed, type FieldProblem } from '../errors.js';
import { getTemplateRow } from '../templates/templates.service.js';
import { fillPlaceholders, liquidInTypedValues } from '../templates/placeholders.js';
import { compileParams, placeholderName, renderParams, type RenderProfile } from '../templates/render.js';
import { outboundUrlProblem } from '../net/outbound-url.js';
import type { MessagePayload } from './message-payload.js';
import { mediaUrlRequired } from '../templates/attachments.js';
import { normalisePhone } from '../audience/phone.js';
import { acquireLease } from '../storage/leases.js';
import type { Db } from '../storage/db.js';
import { Pacer } from './rate-limiter.js';

/** The most test sends of one account in any sliding second. */
export const TEST_SEND_BURST = 3;
export const TEST_SEND_INTERVAL_MS = 1000;

/** Test sends of an account at `ratePerSecond` allowed in any sliding second: the room its pacer leaves (at least one). */
export function testSendsPerSecond(ratePerSecond: number): number {
  return Math.max(1, Math.min(TEST_SEND_BURST, ratePerSecond - Pacer.capFor(ratePerSecond)));
}

/**
 * Takes one of the account's test-send slots for a second (a lease `test-send:<account>:<n>`), or
 * answers 429 when every slot was taken within the last second. Exported for tests.
 */
export async function takeTestSend(db: Db, providerId: string, ratePerSecond: number, now = Date.now()): Promise<void> {
  const slots = testSendsPerSecond(ratePerSecond);
  const owner = randomUUID();
  for (let slot = 0; slot < slots; slot++) {
    if (await acquireLease(db, `test-send:${providerId}:${slot}`, owner, TEST_SEND_INTERVAL_MS, now)) return;
  }
  throw tooManyRequests(
    `Test messages of this provider account go out at most ${slots === 1 ? 'one' : slots} a second, in the room its campaigns leave within its ${ratePerSecond}/s: try again in a moment.`,
    1,
  );
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
  input: {
    providerId: string;
    templateId: string;
    values: string[];
    mediaUrl?: string | null | undefined;
    to: string;
    /** The values were typed for this message, not rendered from Liquid: Liquid in them is a mistake. */
    valuesAsTyped?: boolean;
  },
): Promise<TestSendResult> {
  const problems: FieldProblem[] = [];
  const provider = await deps.db.kysely
    .selectFrom('provider_accounts')
    .select(['id', 'rate_per_second'])
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
  if (input.valuesAsTyped) problems.push(...liquidInTypedValues(input.values));
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
  await takeTestSend(deps.db, provider.id, provider.rate_per_second, now);
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

/**
 * Renders Liquid placeholder values for one profile: what the recipient would get. `error` names
 * a value by its placeholder (`{{3}}: missing value`), whether it failed to parse or to render.
 */
export function previewFor(profile: RenderProfile, templateBody: string, params: string[]) {
  const compiled = compileParams(params);
  if (!compiled.ok) return { ok: false as const, error: compiled.invalid.map(({ index, message }) => `${placeholderName(index)}: ${message}`).join('; ') };
  const rendered = renderParams(compiled.compiled, profile);
  if (!rendered.ok) return { ok: false as const, error: rendered.reason };
  return { ok: true as const, values: rendered.values, body: fillPlaceholders(templateBody, rendered.values) };
}
