import { describe, expect, it } from 'vitest';
import { ProviderOptCalls } from './opt-calls.js';
import type { AppDeps } from '../deps.js';

/** A provider whose opt-in calls wait until released, counting how many run at once. */
function slowProvider() {
  const state = { running: 0, most: 0, calls: [] as string[], release: [] as Array<() => void> };
  const client = {
    optIn: async (phone: string) => {
      state.calls.push(phone);
      state.running++;
      state.most = Math.max(state.most, state.running);
      await new Promise<void>((resolve) => state.release.push(resolve));
      state.running--;
      return { ok: true as const, raw: null };
    },
  };
  const warnings: string[] = [];
  const deps = {
    db: {} as AppDeps['db'],
    providers: { get: async () => ({ account: { deleted: false }, client }) } as unknown as AppDeps['providers'],
    logger: { warn: (_: unknown, message: string) => warnings.push(message) } as unknown as AppDeps['logger'],
  };
  const drain = async () => {
    while (state.release.length > 0 || state.running > 0) {
      state.release.splice(0).forEach((resolve) => resolve());
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  return { state, deps, warnings, drain };
}

describe('provider opt-in / opt-out calls', () => {
  it('runs at most four at once and all of them in the end', async () => {
    const { state, deps, drain } = slowProvider();
    const calls = new ProviderOptCalls(deps);
    for (let i = 0; i < 10; i++) calls.request({ providerId: 'p', phone: `+1${i}`, optIn: true });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(state.running).toBe(4);
    const settled = calls.settle();
    await drain();
    await settled;
    expect(state.most).toBe(4);
    expect(state.calls).toHaveLength(10);
  });

  it('drops what still waits when closing, finishing the running calls', async () => {
    const { state, deps, drain } = slowProvider();
    const calls = new ProviderOptCalls(deps);
    for (let i = 0; i < 10; i++) calls.request({ providerId: 'p', phone: `+1${i}`, optIn: true });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const closed = calls.close();
    await drain();
    await closed;
    expect(state.calls).toHaveLength(4);
  });
});
