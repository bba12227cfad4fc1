/**
 * What the sending benchmarks share: a sandbox in its own process (the provider is another machine
 * in reality), a bench project with a provider account pointing at it, generated profiles, and
 * dependencies whose provider clients talk to that sandbox.
 */
import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../deps.js';
import type { Insertable } from 'kysely';
import type { Runtime } from '../runtime.js';
import type { ProfilesTable } from '../storage/schema.js';
import { newId } from '../ids.js';
import { toJson } from '../storage/json.js';
import { createProject } from '../projects/projects.service.js';
import { createProviderAccount } from '../providers/provider-accounts.service.js';
import { createTemplate } from '../templates/templates.service.js';
import { createCampaign } from '../campaigns/campaigns.service.js';
import { ProviderClients } from '../providers/provider-clients.js';
import { createDefaultProviderFactory } from '../providers/default-factory.js';
import { createSender } from '../campaigns/sender.js';
import { startSandboxProcess, type SandboxProcess } from '../sandbox/sandbox.process.js';
import { SYSTEM_ACTORS } from '../campaigns/campaign-activity.js';

export const BENCH_ACCOUNT = {
  notificationUserId: '2000900001',
  notificationPassword: `bench-${randomBytes(6).toString('hex')}`,
  twoWayUserId: '2000900002',
  twoWayPassword: `bench-${randomBytes(6).toString('hex')}`,
  businessNumber: '919000000900',
};

export interface BenchWorld {
  sandbox: SandboxProcess;
  deps: AppDeps;
  projectId: string;
  /** The first provider account and its template. */
  providerId: string;
  templateId: string;
  /** Every provider account (`accounts` of them, all on the sandbox's one account) with its template. */
  senders: Array<{ providerId: string; templateId: string }>;
  close(): Promise<void>;
}

export async function openBenchWorld(
  runtime: Runtime,
  options: { ratePerSecond: number; accounts?: number; sandboxKnobs?: Record<string, unknown>; publicUrl?: string },
): Promise<BenchWorld> {
  const sandbox = await startSandboxProcess(
    {
      knobs: { callbacks: false, latencyMs: 0, ...options.sandboxKnobs },
      maxMessages: 1_000_000,
      accounts: [
        {
          provider: 'gupshup-enterprise',
          id: 'bench',
          notificationUserId: BENCH_ACCOUNT.notificationUserId,
          notificationPassword: BENCH_ACCOUNT.notificationPassword,
          twoWayUserId: BENCH_ACCOUNT.twoWayUserId,
          twoWayPassword: BENCH_ACCOUNT.twoWayPassword,
          businessNumber: BENCH_ACCOUNT.businessNumber,
        },
      ],
    },
  );
  const config = {
    ...runtime.config,
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    providerUrls: { gupshupEnterprise: sandbox.env.GUPSHUP_ENTERPRISE_URL, gupshupApi: sandbox.env.GUPSHUP_API_URL, vonageApi: sandbox.env.VONAGE_API_URL },
  };
  const adapters = createDefaultProviderFactory({ requestTimeoutMs: config.sendTimeoutMs });
  const providers = new ProviderClients({ db: runtime.db, secrets: runtime.secrets, config }, adapters.factory);
  const sender = createSender({ db: runtime.db, secrets: runtime.secrets, config, logger: runtime.logger, providers });
  const deps: AppDeps = { ...runtime, config, providers, sender };
  const project = await createProject(runtime.db, `bench-${new Date().toISOString()}`);
  const senders: BenchWorld['senders'] = [];
  for (let i = 0; i < (options.accounts ?? 1); i++) {
    const account = await createProviderAccount(deps, project.id, {
      type: 'gupshup',
      nickname: `bench sandbox ${i + 1}`,
      ratePerSecond: options.ratePerSecond,
      credentials: {
        notificationUserId: BENCH_ACCOUNT.notificationUserId,
        notificationPassword: BENCH_ACCOUNT.notificationPassword,
        twoWayUserId: BENCH_ACCOUNT.twoWayUserId,
        twoWayPassword: BENCH_ACCOUNT.twoWayPassword,
        mobileNumber: BENCH_ACCOUNT.businessNumber,
      },
    });
    const template = await createTemplate(deps, project.id, { providerId: account.id, namespace: 'BENCH:offer', body: 'Hi {{1}}, your code is {{2}}.', attachmentType: 'none' });
    senders.push({ providerId: account.id, templateId: template.id });
  }
  return {
    sandbox,
    deps,
    projectId: project.id,
    providerId: senders[0]!.providerId,
    templateId: senders[0]!.templateId,
    senders,
    async close() {
      await sender.close();
      await providers.closeAll();
      await adapters.close();
      await sandbox.close();
    },
  };
}

/** A draft campaign to every profile of the bench project, through its first account and template. */
export function createBenchCampaign(world: BenchWorld, name: string): ReturnType<typeof createCampaign> {
  return createCampaign(world.deps, world.projectId, {
    name,
    providerId: world.providerId,
    templateId: world.templateId,
    audience: { all: true },
    params: ['{{ Profile.Name }}', '{{ Profile.Code }}'],
  }, SYSTEM_ACTORS.bench);
}

/** Inserts `count` opted-in profiles with distinct phones, 1000 per transaction. */
export async function insertBenchProfiles(deps: Pick<AppDeps, 'db'>, projectId: string, count: number, offset = 0): Promise<void> {
  const now = Date.now();
  for (let start = 0; start < count; start += 1000) {
    const rows: Insertable<ProfilesTable>[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const n = offset + i;
      const phone = `+9190${String(n).padStart(8, '0')}`;
      rows.push({
        id: newId(now),
        project_id: projectId,
        identity: `bench-${n}`,
        phone,
        properties: toJson({ Name: `Customer ${n}`, Phone: phone, Code: `C${n}` }),
        msg_whatsapp: 1,
        dnd_whatsapp: null,
        created_at: now,
        updated_at: now,
      });
    }
    await deps.db.kysely.transaction().execute((trx) => trx.insertInto('profiles').values(rows).execute());
  }
}

/**
 * The state of the bench's campaigns, read cheaply: benches poll it every 100 ms in the process
 * being measured, and `getCampaign` also parses the campaign's audience (an identity list of
 * 25,000 entries per dispatch campaign), which cost ~8 % of that process's time.
 */
export async function campaignProgress(
  deps: Pick<AppDeps, 'db'>,
  campaignIds: string[],
): Promise<Array<{ id: string; state: string; stateReason: string | null; materialized: boolean }>> {
  const rows = await deps.db.kysely.selectFrom('campaigns').select(['id', 'state', 'state_reason', 'materialized_at']).where('id', 'in', campaignIds).execute();
  return rows.map((row) => ({ id: row.id, state: row.state, stateReason: row.state_reason, materialized: row.materialized_at !== null }));
}

/** Deletes everything the benchmark created in its project. */
export async function deleteBenchProject(deps: Pick<AppDeps, 'db'>, projectId: string): Promise<void> {
  const { kysely } = deps.db;
  const campaigns = kysely.selectFrom('campaigns').select('id').where('project_id', '=', projectId);
  await kysely.deleteFrom('campaign_timeline').where('campaign_id', 'in', campaigns).execute();
  await kysely.deleteFrom('campaign_failures').where('campaign_id', 'in', campaigns).execute();
  await kysely.deleteFrom('campaign_counters').where('campaign_id', 'in', campaigns).execute();
  for (const table of ['messages', 'events', 'inbound_messages', 'conversations', 'callback_events', 'campaigns', 'templates', 'profiles', 'phone_dnd', 'segments', 'whatsapp_users'] as const) {
    await kysely.deleteFrom(table).where('project_id', '=', projectId).execute();
  }
  const providers = kysely.selectFrom('provider_accounts').select('id').where('project_id', '=', projectId);
  await kysely.deleteFrom('pending_receipts').where('provider_id', 'in', providers).execute();
  await kysely.deleteFrom('leases').where('name', 'like', 'provider:%').where('expires_at', '<', Date.now()).execute();
  await kysely.deleteFrom('provider_accounts').where('project_id', '=', projectId).execute();
  await kysely.deleteFrom('projects').where('id', '=', projectId).execute();
}
