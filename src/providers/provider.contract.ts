/**
 * The provider contract: what every ProviderClient must do, whatever answers on the other side.
 * `defineProviderContract(name, setup)` registers one vitest suite; run it once per adapter and per
 * backend. Backends so far: the capture stub (provider-contract.test.ts, canned answers in each
 * provider's documented shapes). The sandbox (`wacast sandbox`) plugs in the same way: a setup whose
 * `makeClient` points the adapter at the sandbox's URLs with accounts the sandbox knows, and whose
 * `arrange` configures the sandbox (or picks inputs it refuses) for each condition.
 *
 * Guarantees checked:
 * - template sends (text, image, video, document) and session sends resolve to `ok` with a
 *   non-empty provider message id, distinct per message;
 * - opt-in / opt-out resolve to `ok`;
 * - refused credentials → not_sent / auth, not retryable;
 * - each arrangeable condition maps to its category with the right retryability; a timeout after
 *   the request left → `unknown`; connection refused → not_sent, retryable;
 * - a recipient that is not E.164 is refused before anything is sent;
 * - no credential ever appears in `raw`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpClientOptions } from './http.client.js';
import type { AttachmentTemplate, ErrorCategory, ProviderClient, ProviderUrls, SendResult, TemplateMessage } from './provider.js';

/** A backend condition a contract test needs for its next send. */
export type ContractCondition = 'invalid_number' | 'rate_limited' | 'provider_down' | 'timeout_after_send';

export interface ArrangedCondition {
  /** Send to this number instead of `fixtures.to` (a backend may key the condition on the recipient). */
  to?: string;
  /** Whether the backend will send a Retry-After with its 429. */
  retryAfter?: boolean;
}

export interface ProviderContractSetup {
  /**
   * An adapter for the backend. `badCredentials` → credentials the backend refuses; `urls` replaces
   * the backend's URLs (the contract points them at a closed port); `http` tunes the HTTP client
   * (the contract shortens the request timeout).
   */
  makeClient(options?: { badCredentials?: boolean; urls?: ProviderUrls; http?: HttpClientOptions }): ProviderClient;
  fixtures: {
    /** A recipient the backend accepts (E.164). */
    to: string;
    /** A template the backend knows, per attachment type. */
    templates: Record<AttachmentTemplate['attachmentType'], AttachmentTemplate>;
    /** Values for the templates' placeholders. */
    params: string[];
    /** A media URL the backend accepts. */
    mediaUrl: string;
  };
  /** Every credential value; none may appear in any RawExchange. */
  secrets: string[];
  /** Prepares the backend so that the next send meets `condition`; null when the backend cannot (the test is skipped). */
  arrange(condition: ContractCondition): Promise<ArrangedCondition | null>;
  /** Undoes what `arrange` set up, after each arranged test. */
  reset?(): Promise<void>;
  teardown(): Promise<void>;
}

function render(body: string, params: string[]): string {
  return body.replace(/\{\{(\d+)\}\}/g, (match, n: string) => params[Number(n) - 1] ?? match);
}

export function defineProviderContract(name: string, setup: () => Promise<ProviderContractSetup>): void {
  describe(`provider contract: ${name}`, () => {
    let ctx: ProviderContractSetup;
    let client: ProviderClient;
    let counter = 0;

    beforeAll(async () => {
      ctx = await setup();
      client = ctx.makeClient();
    });
    afterAll(async () => {
      await client.close();
      await ctx.teardown();
    });

    function templateMessage(type: AttachmentTemplate['attachmentType'], to = ctx.fixtures.to): TemplateMessage {
      const template = ctx.fixtures.templates[type];
      counter++;
      return {
        to,
        template,
        params: ctx.fixtures.params,
        renderedBody: render(template.body, ctx.fixtures.params),
        ...(type === 'none' ? {} : { mediaUrl: ctx.fixtures.mediaUrl }),
        clientRef: `contract-${counter}`,
      };
    }

    function expectNoSecrets(value: unknown): void {
      const text = JSON.stringify(value);
      for (const secret of ctx.secrets.filter((s) => s.length >= 4)) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(encodeURIComponent(secret));
      }
    }

    function expectAccepted(result: SendResult): string {
      if (!result.ok) throw new Error(`expected the send to be accepted, got ${JSON.stringify(result)}`);
      expect(result.providerMessageId).toMatch(/\S/);
      expect(result.raw.response?.status).toBeGreaterThanOrEqual(200);
      expect(result.raw.response?.status).toBeLessThan(300);
      expectNoSecrets(result);
      return result.providerMessageId;
    }

    async function withCondition(condition: ContractCondition, run: (arranged: ArrangedCondition) => Promise<void>): Promise<void> {
      const arranged = await ctx.arrange(condition);
      if (arranged === null) return; // the backend cannot produce it; nothing to check
      try {
        await run(arranged);
      } finally {
        await ctx.reset?.();
      }
    }

    function expectNotSent(result: SendResult, category: ErrorCategory, retryable: boolean): void {
      if (result.ok || result.outcome !== 'not_sent') throw new Error(`expected not_sent/${category}, got ${JSON.stringify(result)}`);
      expect(result.category).toBe(category);
      expect(result.retryable).toBe(retryable);
      expect(result.detail).toMatch(/\S/);
      expectNoSecrets(result);
    }

    it.each(['none', 'image', 'video', 'document'] as const)('accepts a template send (attachment %s)', async (type) => {
      expectAccepted(await client.sendTemplate(templateMessage(type)));
    });

    it('gives each accepted message its own provider id', async () => {
      const first = expectAccepted(await client.sendTemplate(templateMessage('none')));
      const second = expectAccepted(await client.sendTemplate(templateMessage('none')));
      expect(first).not.toBe(second);
    });

    it('accepts a session message', async () => {
      counter++;
      expectAccepted(await client.sendSession({ to: ctx.fixtures.to, text: 'Thanks for your reply — 50% off + free shipping!', clientRef: `contract-${counter}` }));
    });

    it('opts a phone in and out', async () => {
      for (const result of [await client.optIn(ctx.fixtures.to), await client.optOut(ctx.fixtures.to)]) {
        expect(result).toMatchObject({ ok: true });
        expectNoSecrets(result);
      }
    });

    it('answers refused credentials with not_sent / auth, not retryable', async () => {
      const bad = ctx.makeClient({ badCredentials: true });
      try {
        expectNotSent(await bad.sendTemplate(templateMessage('none')), 'auth', false);
      } finally {
        await bad.close();
      }
    });

    it('refuses a recipient that is not E.164 before sending', async () => {
      expectNotSent(await client.sendTemplate(templateMessage('none', '98765 43210')), 'invalid_number', false);
    });

    it('answers an invalid number with not_sent / invalid_number, not retryable', async () => {
      await withCondition('invalid_number', async (arranged) => {
        expectNotSent(await client.sendTemplate(templateMessage('none', arranged.to)), 'invalid_number', false);
      });
    });

    it('answers throttling with not_sent / rate_limited, retryable', async () => {
      await withCondition('rate_limited', async (arranged) => {
        const result = await client.sendTemplate(templateMessage('none', arranged.to));
        expectNotSent(result, 'rate_limited', true);
        if (arranged.retryAfter && !result.ok && result.outcome === 'not_sent') expect(result.retryAfterMs).toBeGreaterThanOrEqual(0);
      });
    });

    it('answers a provider failure with not_sent / provider_down, retryable', async () => {
      await withCondition('provider_down', async (arranged) => {
        expectNotSent(await client.sendTemplate(templateMessage('none', arranged.to)), 'provider_down', true);
      });
    });

    it('answers a timeout after the request left with unknown', async () => {
      await withCondition('timeout_after_send', async (arranged) => {
        const impatient = ctx.makeClient({ http: { requestTimeoutMs: 250 } });
        try {
          const result = await impatient.sendTemplate(templateMessage('none', arranged.to));
          expect(result).toMatchObject({ ok: false, outcome: 'unknown' });
          expectNoSecrets(result);
        } finally {
          await impatient.close();
        }
      });
    });

    it('answers connection refused with not_sent, retryable', async () => {
      const { createServer } = await import('node:net');
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const address = probe.address();
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const closed = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 1}`;
      const unreachable = ctx.makeClient({ urls: { gupshupEnterprise: `${closed}/GatewayAPI/rest`, gupshupApi: closed, vonageApi: closed } });
      try {
        expectNotSent(await unreachable.sendTemplate(templateMessage('none')), 'provider_down', true);
        expectNotSent(await unreachable.sendSession({ to: ctx.fixtures.to, text: 'x' }), 'provider_down', true);
      } finally {
        await unreachable.close();
      }
    });
  });
}
