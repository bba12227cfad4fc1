import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { audienceEstimateQuery } from './segments.hooks';

/** A fetch whose answers the test releases one by one, to look at the query while one is pending. */
function heldFetch() {
  const waiting: Array<{ body: unknown; answer: (value: unknown) => void }> = [];
  vi.stubGlobal('fetch', (_url: string, init: RequestInit) => new Promise<Response>((resolve) => {
    waiting.push({ body: JSON.parse(String(init.body)), answer: (value) => resolve(new Response(JSON.stringify(value), { status: 200 })) });
  }));
  return {
    /** Answers the oldest request waiting, once it has been sent. */
    async answer(value: unknown) {
      await vi.waitFor(() => expect(waiting.length).toBeGreaterThan(0));
      const next = waiting.shift()!;
      next.answer(value);
      return next.body;
    },
  };
}

describe('audienceEstimateQuery', () => {
  let client: QueryClient;
  beforeEach(() => {
    client = new QueryClient();
  });
  afterEach(() => {
    client.clear();
    vi.unstubAllGlobals();
  });

  it('keeps the last estimate, marked as a placeholder, while the one for a changed cap or audience loads', async () => {
    const server = heldFetch();
    const observer = new QueryObserver(client, audienceEstimateQuery({ all: true }, null));
    const unsubscribe = observer.subscribe(() => {});
    expect(await server.answer({ total: 7, reachable: 6 })).toEqual({ audience: { all: true } });
    await vi.waitFor(() => expect(observer.getCurrentResult().data).toBeDefined());
    expect(observer.getCurrentResult()).toMatchObject({ data: { audience: { all: true }, estimate: { total: 7, reachable: 6 } }, isPlaceholderData: false });

    // The frequency cap changes: the reach stays on screen while the new estimate loads.
    observer.setOptions(audienceEstimateQuery({ all: true }, { messages: 1, days: 7 }));
    expect(observer.getCurrentResult()).toMatchObject({ data: { estimate: { total: 7, reachable: 6 } }, isPlaceholderData: true, isFetching: true });
    expect(await server.answer({ total: 7, reachable: 6, frequencyCapped: 5 })).toEqual({ audience: { all: true }, frequencyCap: { messages: 1, days: 7 } });
    await vi.waitFor(() => expect(observer.getCurrentResult().isPlaceholderData).toBe(false));
    expect(observer.getCurrentResult().data).toEqual({ audience: { all: true }, estimate: { total: 7, reachable: 6, frequencyCapped: 5 } });

    // So does the audience: the kept answer still says which audience it counted.
    observer.setOptions(audienceEstimateQuery({ identities: ['u1', 'u2'] }, { messages: 1, days: 7 }));
    expect(observer.getCurrentResult()).toMatchObject({ data: { audience: { all: true }, estimate: { frequencyCapped: 5 } }, isPlaceholderData: true });
    await server.answer({ total: 2, reachable: 2, frequencyCapped: 0 });
    await vi.waitFor(() => expect(observer.getCurrentResult().isPlaceholderData).toBe(false));
    expect(observer.getCurrentResult().data).toEqual({ audience: { identities: ['u1', 'u2'] }, estimate: { total: 2, reachable: 2, frequencyCapped: 0 } });
    unsubscribe();
  });
});
