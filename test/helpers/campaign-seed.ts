/**
 * Campaigns and their message rows straight into the database, in chosen states, for tests of
 * what happens after sending (receipts, replies). Counters are set to match the rows, as publish
 * and the dispatcher would have left them.
 */
import type { Db } from '../../src/storage/db.js';
import type { MessageStatus } from '../../src/storage/schema.js';
import { newId } from '../../src/ids.js';
import { toJson } from '../../src/storage/json.js';

export interface SeedMessage {
  profileId: string | null;
  phone: string;
  status: Extract<MessageStatus, 'sending' | 'sent' | 'unknown' | 'queued'>;
  providerMessageId?: string | null;
  sentAt?: number | null;
  kind?: 'campaign' | 'test' | 'reply';
}

export interface SeededCampaign {
  campaignId: string;
  messageIds: string[];
}

export async function createTemplateRow(db: Db, projectId: string, providerId: string, namespace = 'ABC:welcome', body = 'Hi {{1}}'): Promise<string> {
  const now = Date.now();
  const id = newId(now);
  await db.kysely
    .insertInto('templates')
    .values({ id, project_id: projectId, provider_id: providerId, namespace, body, placeholder_count: (body.match(/\{\{\d+\}\}/g) ?? []).length, attachment_type: 'none', language: 'en', created_at: now, updated_at: now, deleted_at: null })
    .execute();
  return id;
}

export async function seedCampaign(db: Db, options: { projectId: string; providerId: string; templateId: string; name?: string; messages: SeedMessage[] }): Promise<SeededCampaign> {
  const now = Date.now();
  const campaignId = newId(now);
  await db.kysely
    .insertInto('campaigns')
    .values({
      id: campaignId,
      project_id: options.projectId,
      name: options.name ?? `Campaign ${campaignId.slice(-6)}`,
      provider_id: options.providerId,
      template_id: options.templateId,
      audience: toJson({ all: true }),
      params: toJson(['x']),
      media_url: null,
      send_at: null,
      rate_per_second: null,
      dnd: null,
      cutoff_at: null,
      conversion_event: null,
      state: 'running',
      state_reason: null,
      cloned_from: null,
      created_at: now,
      updated_at: now,
      published_at: now,
      started_at: now,
      completed_at: null,
      materialize_cursor: null,
      materialized_at: now,
    })
    .execute();
  const waiting = options.messages.filter((message) => message.status === 'sending' || message.status === 'queued').length;
  await db.kysely
    .insertInto('campaign_counters')
    .values({
      campaign_id: campaignId,
      targeted: options.messages.length,
      queued: waiting,
      sent: options.messages.filter((message) => message.status === 'sent').length,
      unknown: options.messages.filter((message) => message.status === 'unknown').length,
    })
    .execute();
  const messageIds: string[] = [];
  for (const message of options.messages) {
    const id = newId(now);
    messageIds.push(id);
    const sentAt = message.status === 'sent' ? (message.sentAt ?? now) : null;
    await db.kysely
      .insertInto('messages')
      .values({
        id,
        project_id: options.projectId,
        campaign_id: message.kind && message.kind !== 'campaign' ? null : campaignId,
        profile_id: message.profileId,
        provider_id: options.providerId,
        phone: message.phone,
        kind: message.kind ?? 'campaign',
        priority: 5,
        status: message.status,
        skip_reason: null,
        payload: toJson({ type: 'template', templateId: options.templateId, params: ['x'], body: 'Hi x' }),
        provider_message_id: message.providerMessageId ?? null,
        error_category: null,
        error_code: null,
        error_detail: null,
        attempts: message.status === 'queued' ? 0 : 1,
        available_at: now,
        lease_owner: message.status === 'sending' ? 'test-owner' : null,
        lease_expires_at: message.status === 'sending' ? now + 600_000 : null,
        created_at: sentAt ?? now,
        updated_at: now,
        sent_at: sentAt,
        delivered_at: null,
        read_at: null,
        failed_at: null,
      })
      .execute();
  }
  return { campaignId, messageIds };
}

export async function countersOf(db: Db, campaignId: string) {
  return db.kysely.selectFrom('campaign_counters').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
}

export async function profileIdOf(db: Db, projectId: string, identity: string): Promise<string> {
  const row = await db.kysely.selectFrom('profiles').select('id').where('project_id', '=', projectId).where('identity', '=', identity).executeTakeFirstOrThrow();
  return row.id;
}
