import { describe, expect, it } from 'vitest';
import { reachSentence } from './reach-sentence';

describe('reachSentence', () => {
  it('describes the numbers by the audience they counted', () => {
    expect(reachSentence({ audience: { all: true }, estimate: { total: 7, reachable: 6 } })).toBe('6 reachable on WhatsApp, of 7 profiles.');
    expect(reachSentence({ audience: { segmentId: 's1' }, estimate: { total: 12_500, reachable: 1_200 } })).toBe('1,200 reachable on WhatsApp, of 12,500 profiles in the segment.');
    expect(reachSentence({ audience: { identities: ['u1', 'u2', 'u3'] }, estimate: { total: 2, reachable: 1 } })).toBe('1 reachable on WhatsApp, of 2 profiles found for the 3 identities listed.');
  });

  it('adds what the frequency cap would skip, only when it was estimated with one', () => {
    expect(reachSentence({ audience: { all: true }, estimate: { total: 7, reachable: 6, frequencyCapped: 5 } })).toBe('6 reachable on WhatsApp, of 7 profiles · about 5 would be skipped by the frequency cap.');
    expect(reachSentence({ audience: { all: true }, estimate: { total: 7, reachable: 6, frequencyCapped: 0 } })).toBe('6 reachable on WhatsApp, of 7 profiles · none would be skipped by the frequency cap.');
  });
});
