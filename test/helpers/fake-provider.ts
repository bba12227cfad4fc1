/**
 * An in-memory ProviderClient for tests of the sending side (dispatcher, publish, stats): records
 * every send with its arrival time, answers after an optional latency, and can fail on demand.
 * Protocol fidelity is tested elsewhere (adapters against the sandbox over HTTP).
 */
import type { ProviderClient, SendResult, SessionMessage, TemplateMessage } from '../../src/providers/provider.js';
import type { ProviderClientFactory } from '../../src/providers/provider-clients.js';

export interface FakeSend {
  kind: 'template' | 'session';
  to: string;
  clientRef: string | undefined;
  body: string;
  params: string[];
  namespace?: string;
  mediaUrl?: string;
  at: number;
  providerMessageId: string;
}

export class FakeProvider {
  readonly sends: FakeSend[] = [];
  latencyMs = 0;
  /** Decides the answer for a send; default: accepted. */
  answer: (send: FakeSend) => SendResult | 'ok' = () => 'ok';
  private counter = 0;

  readonly factory: ProviderClientFactory = (type) => {
    const client: ProviderClient = {
      type,
      sendTemplate: (message: TemplateMessage) =>
        this.record({ kind: 'template', to: message.to, clientRef: message.clientRef, body: message.renderedBody, params: message.params, namespace: message.template.namespace, ...(message.mediaUrl ? { mediaUrl: message.mediaUrl } : {}) }),
      sendSession: (message: SessionMessage) => this.record({ kind: 'session', to: message.to, clientRef: message.clientRef, body: message.text, params: [] }),
      optIn: async () => ({ ok: true, raw: { request: { method: 'POST', url: 'fake', body: '' } } }),
      optOut: async () => ({ ok: true, raw: { request: { method: 'POST', url: 'fake', body: '' } } }),
      close: async () => {},
    };
    return client;
  };

  private async record(partial: Omit<FakeSend, 'at' | 'providerMessageId'>): Promise<SendResult> {
    const send: FakeSend = { ...partial, at: Date.now(), providerMessageId: `fake-${++this.counter}` };
    this.sends.push(send);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const answer = this.answer(send);
    const raw = { request: { method: 'POST', url: 'fake://send', body: JSON.stringify(partial) }, response: { status: 200, body: '{}' } };
    return answer === 'ok' ? { ok: true, providerMessageId: send.providerMessageId, raw } : answer;
  }
}

/** Polls `check` until it returns true (or throws after `timeoutMs`). */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
