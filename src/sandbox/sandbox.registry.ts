/**
 * The accounts the sandbox knows, indexed the way each protocol authenticates (Gupshup Enterprise
 * by user id, self-serve by API key, Vonage by API key or application id), with each account's
 * effective knobs, compiled templates and runtime state (rate limiter, 24-hour windows, opt-ins,
 * counters).
 */
import { SandboxInputError } from './sandbox.schema.js';
import { AccountStats, SlidingWindow } from './sandbox.stats.js';
import { compileTemplate, type CompiledTemplate } from './sandbox.templates.js';
import type {
  GlobalKnobs,
  GupshupEnterpriseAccount,
  GupshupSelfServeAccount,
  SandboxAccount,
  VonageAccount,
} from './sandbox.types.js';

/** WhatsApp's customer-care window: free-form messages only within 24 h of the user's last message. */
export const SESSION_WINDOW_MS = 24 * 60 * 60 * 1000;

export class AccountRuntime<A extends SandboxAccount = SandboxAccount> {
  knobs: GlobalKnobs;
  readonly templates: CompiledTemplate[];
  /** Admitted requests of the last second, for `rateLimitPerSecond`. */
  readonly limiter = new SlidingWindow();
  /** phone → epoch ms of the user's last inbound message (opens the 24-hour window). */
  readonly lastInbound = new Map<string, number>();
  /** Gupshup Enterprise OPT_IN state per phone. */
  readonly optedIn = new Set<string>();
  /** Vonage: the WhatsApp user ids this account's business handed out (id → phone digits). */
  readonly userIds = new Map<string, string>();
  /** Vonage: phones whose users keep their number from the business (an inbound `hidePhone`). */
  readonly hiddenPhones = new Set<string>();
  /** Exact "not on WhatsApp" numbers and prefixes, from the effective knobs. */
  notOnWhatsApp = new Set<string>();
  notOnWhatsAppPrefixes: string[] = [];

  constructor(
    readonly account: A,
    globalKnobs: GlobalKnobs,
    public stats: AccountStats,
  ) {
    this.templates = account.templates.map(compileTemplate);
    this.knobs = globalKnobs;
    this.applyKnobs(globalKnobs);
  }

  get id(): string {
    return this.account.id;
  }

  applyKnobs(globalKnobs: GlobalKnobs): void {
    this.knobs = { ...globalKnobs, ...this.account.knobs };
    this.notOnWhatsApp = new Set(this.knobs.notOnWhatsApp.filter((entry) => !entry.endsWith('*')));
    this.notOnWhatsAppPrefixes = this.knobs.notOnWhatsApp.filter((entry) => entry.endsWith('*')).map((entry) => entry.slice(0, -1));
  }

  isNotOnWhatsApp(phone: string): boolean {
    if (this.notOnWhatsApp.has(phone)) return true;
    for (const prefix of this.notOnWhatsAppPrefixes) if (phone.startsWith(prefix)) return true;
    return false;
  }

  inSessionWindow(phone: string, now: number): boolean {
    const last = this.lastInbound.get(phone);
    return last !== undefined && now - last < SESSION_WINDOW_MS;
  }

  resetState(): void {
    this.limiter.clear();
    this.lastInbound.clear();
    this.optedIn.clear();
    this.userIds.clear();
    this.hiddenPhones.clear();
    this.stats = new AccountStats();
  }
}

export type EnterpriseRole = 'notification' | 'two-way';

export interface EnterpriseLogin {
  runtime: AccountRuntime<GupshupEnterpriseAccount>;
  role: EnterpriseRole;
  password: string;
}

export class AccountRegistry {
  private readonly byId = new Map<string, AccountRuntime>();
  private enterpriseUsers = new Map<string, EnterpriseLogin>();
  private selfServeKeys = new Map<string, AccountRuntime<GupshupSelfServeAccount>[]>();
  private vonageKeys = new Map<string, AccountRuntime<VonageAccount>[]>();
  private vonageApps = new Map<string, AccountRuntime<VonageAccount>>();
  /** Bumped on every change, so caches keyed on accounts (verified JWTs) can be dropped. */
  version = 0;

  constructor(private globalKnobs: GlobalKnobs) {}

  get knobs(): GlobalKnobs {
    return this.globalKnobs;
  }

  list(): AccountRuntime[] {
    return [...this.byId.values()];
  }

  get(id: string): AccountRuntime | undefined {
    return this.byId.get(id);
  }

  /**
   * Adds accounts, replacing any with the same id (their counters, windows and opt-ins are kept). Refuses the whole
   * batch when a credential would belong to two accounts.
   */
  upsert(accounts: SandboxAccount[]): AccountRuntime[] {
    const next = new Map(this.byId);
    const added: AccountRuntime[] = [];
    for (const account of accounts) {
      const previous = next.get(account.id);
      const runtime = new AccountRuntime(account, this.globalKnobs, previous?.stats ?? new AccountStats());
      if (previous) {
        // A replaced account keeps what its users did: open windows and opt-ins.
        for (const [phone, at] of previous.lastInbound) runtime.lastInbound.set(phone, at);
        for (const phone of previous.optedIn) runtime.optedIn.add(phone);
      }
      next.set(account.id, runtime);
      added.push(runtime);
    }
    this.rebuild(next);
    return added;
  }

  remove(id: string): boolean {
    if (!this.byId.has(id)) return false;
    const next = new Map(this.byId);
    next.delete(id);
    this.rebuild(next);
    return true;
  }

  setGlobalKnobs(knobs: GlobalKnobs): void {
    this.globalKnobs = knobs;
    for (const runtime of this.byId.values()) runtime.applyKnobs(knobs);
  }

  enterpriseLogin(userId: string): EnterpriseLogin | undefined {
    return this.enterpriseUsers.get(userId);
  }

  selfServeByKey(apiKey: string): AccountRuntime<GupshupSelfServeAccount>[] | undefined {
    return this.selfServeKeys.get(apiKey);
  }

  vonageByKey(apiKey: string): AccountRuntime<VonageAccount>[] | undefined {
    return this.vonageKeys.get(apiKey);
  }

  vonageByApplication(applicationId: string): AccountRuntime<VonageAccount> | undefined {
    return this.vonageApps.get(applicationId);
  }

  private rebuild(next: Map<string, AccountRuntime>): void {
    const enterpriseUsers = new Map<string, EnterpriseLogin>();
    const selfServeKeys = new Map<string, AccountRuntime<GupshupSelfServeAccount>[]>();
    const vonageKeys = new Map<string, AccountRuntime<VonageAccount>[]>();
    const vonageApps = new Map<string, AccountRuntime<VonageAccount>>();
    const problems: { path: string; message: string }[] = [];
    for (const runtime of next.values()) {
      const account = runtime.account;
      if (account.provider === 'gupshup-enterprise') {
        const enterprise = runtime as AccountRuntime<GupshupEnterpriseAccount>;
        for (const [userId, role, password, field] of [
          [account.notificationUserId, 'notification', account.notificationPassword, 'notificationUserId'],
          [account.twoWayUserId, 'two-way', account.twoWayPassword, 'twoWayUserId'],
        ] as const) {
          const taken = enterpriseUsers.get(userId);
          if (taken) problems.push({ path: `${account.id}.${field}`, message: `user id ${userId} already belongs to account ${taken.runtime.id}` });
          else enterpriseUsers.set(userId, { runtime: enterprise, role, password });
        }
      } else if (account.provider === 'gupshup-selfserve') {
        const list = selfServeKeys.get(account.apiKey) ?? [];
        const clash = list.find((other) => other.account.appName === account.appName);
        if (clash) problems.push({ path: `${account.id}.appName`, message: `app ${account.appName} with this API key already belongs to account ${clash.id}` });
        list.push(runtime as AccountRuntime<GupshupSelfServeAccount>);
        selfServeKeys.set(account.apiKey, list);
      } else {
        const vonage = runtime as AccountRuntime<VonageAccount>;
        const taken = vonageApps.get(account.applicationId);
        if (taken) problems.push({ path: `${account.id}.applicationId`, message: `application ${account.applicationId} already belongs to account ${taken.id}` });
        vonageApps.set(account.applicationId, vonage);
        const list = vonageKeys.get(account.apiKey) ?? [];
        list.push(vonage);
        vonageKeys.set(account.apiKey, list);
      }
    }
    if (problems.length > 0) throw new SandboxInputError(problems);
    this.byId.clear();
    for (const [id, runtime] of next) this.byId.set(id, runtime);
    this.enterpriseUsers = enterpriseUsers;
    this.selfServeKeys = selfServeKeys;
    this.vonageKeys = vonageKeys;
    this.vonageApps = vonageApps;
    this.version++;
  }
}
