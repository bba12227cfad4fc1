/**
 * Callback token → provider account, cached briefly: at thousands of callbacks per second a
 * database read (and, for Vonage, a credentials decryption) per request would dominate the
 * handler. Tokens not issued by this server (their MAC does not verify) are refused without any
 * read, so guessing costs nothing but CPU. A cache entry lives `ttlMs` (2 s): a deleted account's
 * URLs stop answering, and a changed signature secret applies, within that time.
 */
import type { AppDeps } from '../deps.js';
import type { NexmoCredentials, ProviderType } from '../providers/provider.js';
import { isIssuedCallbackToken } from '../providers/callback-token.js';
import { findByCallbackToken, loadProviderSecrets } from '../providers/provider-accounts.service.js';

export interface CallbackAccount {
  providerId: string;
  projectId: string;
  type: ProviderType;
  /** Vonage signature secret; null when signed webhooks are not configured (nothing to verify). */
  signatureSecret: string | null;
}

interface Entry {
  value: Promise<CallbackAccount | null>;
  expiresAt: number;
}

export class CallbackAccounts {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly deps: Pick<AppDeps, 'db' | 'secrets'>,
    private readonly ttlMs = 2_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** The live account behind `token`, or null (unknown, deleted, or of another provider type). */
  resolve(type: ProviderType, token: string, now = Date.now()): Promise<CallbackAccount | null> {
    const key = `${type}/${token}`;
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) return cached.value;
    if (!isIssuedCallbackToken(this.deps.secrets, token)) return Promise.resolve(null);
    // Concurrent requests with a cold cache share one lookup.
    const value = this.load(type, token);
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    // A failed lookup (database unreachable) is not cached.
    void value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  private async load(type: ProviderType, token: string): Promise<CallbackAccount | null> {
    const row = await findByCallbackToken(this.deps, type, token);
    if (!row) return null;
    let signatureSecret: string | null = null;
    if (type === 'nexmo') {
      const account = await loadProviderSecrets(this.deps, row.id);
      if (!account || account.deleted) return null;
      signatureSecret = (account.credentials as NexmoCredentials).signatureSecret?.trim() || null;
    }
    return { providerId: row.id, projectId: row.project_id, type, signatureSecret };
  }

  clear(): void {
    this.entries.clear();
  }
}
