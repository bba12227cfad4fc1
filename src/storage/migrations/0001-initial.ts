import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from '../migrator.js';

/** Every table the product needs; see ../schema.ts for the meaning of each column. */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const json = ctx.dialect === 'postgres' ? 'jsonb' : 'text';
  const s = db.schema;

  await s
    .createTable('projects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('settings', json, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await s
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_login_at', 'bigint')
    .execute();

  await s
    .createTable('project_members')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_members_pk', ['project_id', 'user_id'])
    .execute();

  await s
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('sessions_user').on('sessions').column('user_id').execute();

  await s
    .createTable('api_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('account_id', 'text', (c) => c.notNull().unique())
    .addColumn('passcode_hash', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();

  await s
    .createTable('instance_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await s
    .createTable('provider_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('nickname', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rate_per_second', 'integer', (c) => c.notNull())
    .addColumn('auto_reply_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('auto_reply_text', 'text')
    .addColumn('callback_token', 'text', (c) => c.notNull().unique())
    .addColumn('credentials_ciphertext', 'text', (c) => c.notNull())
    .addColumn('credentials_public', json, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await s.createIndex('provider_accounts_project').on('provider_accounts').column('project_id').execute();

  await s
    .createTable('templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull().references('provider_accounts.id'))
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('placeholder_count', 'integer', (c) => c.notNull())
    .addColumn('attachment_type', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();
  await s.createIndex('templates_project').on('templates').columns(['project_id', 'provider_id']).execute();

  await s
    .createTable('profiles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('identity', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('properties', json, (c) => c.notNull())
    .addColumn('msg_whatsapp', 'integer')
    .addColumn('dnd_whatsapp', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('profiles_identity', ['project_id', 'identity'])
    .execute();
  await s.createIndex('profiles_phone').on('profiles').columns(['project_id', 'phone']).execute();

  await s
    .createTable('phone_dnd')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('dnd', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('phone_dnd_pk', ['project_id', 'phone'])
    .execute();

  await s
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('properties', json, (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('events_name').on('events').columns(['project_id', 'name_key', 'profile_id', 'ts']).execute();
  await s.createIndex('events_profile').on('events').columns(['profile_id', 'ts']).execute();

  await s
    .createTable('segments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('filter', json, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('segments_project').on('segments').column('project_id').execute();

  await s
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('provider_accounts.id'))
    .addColumn('template_id', 'text', (c) => c.notNull().references('templates.id'))
    .addColumn('audience', json, (c) => c.notNull())
    .addColumn('params', json, (c) => c.notNull())
    .addColumn('media_url', 'text')
    .addColumn('send_at', 'bigint')
    .addColumn('rate_per_second', 'integer')
    .addColumn('dnd', json)
    .addColumn('cutoff_at', 'bigint')
    .addColumn('conversion_event', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('state_reason', 'text')
    .addColumn('cloned_from', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('published_at', 'bigint')
    .addColumn('started_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .addColumn('materialize_cursor', 'text')
    .addColumn('materialized_at', 'bigint')
    .execute();
  await s.createIndex('campaigns_project').on('campaigns').columns(['project_id', 'created_at']).execute();
  await s.createIndex('campaigns_state').on('campaigns').columns(['state', 'send_at']).execute();

  let counters = s.createTable('campaign_counters').addColumn('campaign_id', 'text', (c) => c.primaryKey().references('campaigns.id').onDelete('cascade'));
  for (const column of [
    'targeted', 'skipped_not_opted_in', 'skipped_dnd', 'skipped_invalid_phone', 'skipped_render_error',
    'skipped_frequency_cap', 'queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'unknown',
    'cancelled', 'replied', 'converted',
  ]) {
    counters = counters.addColumn(column, 'integer', (c) => c.notNull().defaultTo(0));
  }
  await counters.execute();

  await s
    .createTable('campaign_failures')
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('campaign_failures_pk', ['campaign_id', 'category'])
    .execute();

  let timeline = s
    .createTable('campaign_timeline')
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('bucket', 'bigint', (c) => c.notNull());
  for (const column of ['sent', 'delivered', 'read', 'failed', 'replied']) {
    timeline = timeline.addColumn(column, 'integer', (c) => c.notNull().defaultTo(0));
  }
  await timeline.addPrimaryKeyConstraint('campaign_timeline_pk', ['campaign_id', 'bucket']).execute();

  await s
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('campaign_id', 'text')
    .addColumn('profile_id', 'text')
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('skip_reason', 'text')
    .addColumn('payload', json, (c) => c.notNull())
    .addColumn('provider_message_id', 'text')
    .addColumn('error_category', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_detail', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('available_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('delivered_at', 'bigint')
    .addColumn('read_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    // The rule "one message per recipient per campaign" is this constraint.
    .addUniqueConstraint('messages_campaign_profile', ['campaign_id', 'profile_id'])
    .execute();
  // Campaign rows are claimed per campaign, in id order; the per-message log pages by (status, id).
  await s.createIndex('messages_campaign_status').on('messages').columns(['campaign_id', 'status', 'id']).execute();
  // Replies, auto-replies and tests (no campaign) are claimed per provider account by priority.
  await s
    .createIndex('messages_direct_queue')
    .on('messages')
    .columns(['provider_id', 'status', 'priority', 'available_at'])
    .where(sql.ref('campaign_id'), 'is', null)
    .execute();
  await s.createIndex('messages_provider_message').on('messages').columns(['provider_message_id']).execute();
  await s.createIndex('messages_phone').on('messages').columns(['project_id', 'phone', 'created_at']).execute();
  // In-flight rows whose lease ran out become `unknown`; this index keeps that scan tiny.
  await s.createIndex('messages_sending').on('messages').columns(['lease_expires_at']).where(sql.ref('status'), '=', 'sending').execute();

  const seq =
    ctx.dialect === 'postgres'
      ? s.createTable('callback_events').addColumn('seq', 'bigserial', (c) => c.primaryKey())
      : s.createTable('callback_events').addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());
  await seq
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('provider_type', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('query', 'text')
    .addColumn('signature_ok', 'integer')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('applied_at', 'bigint')
    .execute();
  await s.createIndex('callback_events_state').on('callback_events').columns(['state', 'seq']).execute();
  await s.createIndex('callback_events_provider').on('callback_events').columns(['provider_id', 'seq']).execute();

  await s
    .createTable('pending_receipts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_detail', 'text')
    .addColumn('callback_seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('pending_receipts_message').on('pending_receipts').columns(['provider_id', 'provider_message_id']).execute();

  await s
    .createTable('inbound_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('context_message_id', 'text')
    .addColumn('campaign_id', 'text')
    .addColumn('message_type', 'text', (c) => c.notNull())
    .addColumn('text', 'text')
    .addColumn('payload', json, (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('inbound_messages_provider_id', ['provider_id', 'provider_message_id'])
    .execute();
  await s.createIndex('inbound_messages_phone').on('inbound_messages').columns(['project_id', 'phone', 'received_at']).execute();

  await s
    .createTable('conversations')
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('profile_id', 'text')
    .addColumn('last_inbound_at', 'bigint')
    .addColumn('last_outbound_at', 'bigint')
    .addColumn('last_text', 'text')
    .addColumn('last_auto_reply_at', 'bigint')
    .addColumn('unread', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversations_pk', ['project_id', 'phone'])
    .execute();
  await s.createIndex('conversations_recent').on('conversations').columns(['project_id', 'updated_at']).execute();

  await s
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await s
    .createTable('imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('imported_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', json, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
}
