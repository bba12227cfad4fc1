/**
 * One ProviderClient per provider account, created on first use and rebuilt when the account's
 * credentials change (its `updated_at` moves). Clients keep their HTTP connection pools open, so
 * every send reuses warm keep-alive connections.
 */
import type { AppDeps } from '../deps.js';
import type { ProviderClient, ProviderCredentials, ProviderType, ProviderUrls } from './provider.js';
import { loadProviderSecrets, type ProviderAccountSecrets } from './provider-accounts.service.js';

export type ProviderClientFactory = (type: ProviderType, credentials: ProviderCredentials, urls: ProviderUrls) => ProviderClient;

interface Entry {
  account: ProviderAccountSecrets;
  client: ProviderClient;
  checkedAt: number;
}

/** How often a cached account is compared with the database (credentials or rate edited). */
const RECHECK_MS = 2_000;

export class ProviderClients {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly deps: Pick<AppDeps, 'db' | 'secrets' | 'config'>,
    private readonly factory: ProviderClientFactory,
  ) {}

  /** The account (decrypted) and its client, or null when the account does not exist. */
  async get(providerId: string, now = Date.now()): Promise<Entry | null> {
    const cached = this.entries.get(providerId);
    if (cached && now - cached.checkedAt < RECHECK_MS) return cached;
    if (cached) {
      const row = await this.deps.db.kysely.selectFrom('provider_accounts').select(['updated_at']).where('id', '=', providerId).executeTakeFirst();
      if (row && row.updated_at === cached.account.updatedAt) {
        cached.checkedAt = now;
        return cached;
      }
    }
    const account = await loadProviderSecrets(this.deps, providerId);
    if (cached) {
      this.entries.delete(providerId);
      await cached.client.close();
    }
    if (!account) return null;
    const entry = { account, client: this.factory(account.type, account.credentials, this.deps.config.providerUrls), checkedAt: now };
    this.entries.set(providerId, entry);
    return entry;
  }

  /** A client for one-off use with explicit credentials (send test): the caller closes it. */
  create(type: ProviderType, credentials: ProviderCredentials): ProviderClient {
    return this.factory(type, credentials, this.deps.config.providerUrls);
  }

  async closeAll(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((entry) => entry.client.close()));
  }
}
