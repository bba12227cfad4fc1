import { describe, expect, it } from 'vitest';
import { CallbackArrivals } from './callback-arrivals.js';

describe('CallbackArrivals.plan', () => {
  it('writes the latest arrival per account and kind, then skips arrivals within the interval of what was written', () => {
    const arrivals = new CallbackArrivals(5000);
    const first = arrivals.plan([
      { providerId: 'a', kind: 'receipt', at: 1000 },
      { providerId: 'a', kind: 'receipt', at: 3000 },
      { providerId: 'a', kind: 'inbound', at: 2000 },
      { providerId: 'b', kind: 'receipt', at: 1500 },
    ]);
    expect(first).toEqual([
      { providerId: 'a', kind: 'receipt', at: 3000 },
      { providerId: 'a', kind: 'inbound', at: 2000 },
      { providerId: 'b', kind: 'receipt', at: 1500 },
    ]);
    // Nothing is remembered until the transaction that wrote it committed.
    expect(arrivals.plan([{ providerId: 'a', kind: 'receipt', at: 4000 }])).toHaveLength(1);
    arrivals.committed(first);
    expect(arrivals.plan([{ providerId: 'a', kind: 'receipt', at: 7999 }, { providerId: 'a', kind: 'inbound', at: 3000 }])).toEqual([]);
    expect(arrivals.plan([{ providerId: 'a', kind: 'receipt', at: 8000 }])).toEqual([{ providerId: 'a', kind: 'receipt', at: 8000 }]);
  });

  it('writes throttling reports within a second, whatever the interval of the others', () => {
    const arrivals = new CallbackArrivals(5000, 1000);
    const first = arrivals.plan([{ providerId: 'a', kind: 'throttle', at: 1000 }, { providerId: 'a', kind: 'receipt', at: 1000 }]);
    expect(first).toHaveLength(2);
    arrivals.committed(first);
    expect(arrivals.plan([{ providerId: 'a', kind: 'throttle', at: 1999 }, { providerId: 'a', kind: 'receipt', at: 2000 }])).toEqual([]);
    expect(arrivals.plan([{ providerId: 'a', kind: 'throttle', at: 2000 }, { providerId: 'a', kind: 'receipt', at: 2000 }])).toEqual([{ providerId: 'a', kind: 'throttle', at: 2000 }]);
  });
});
