import { describe, expect, it } from 'vitest';
import { SlidingSecond } from './sliding-second.js';

describe('SlidingSecond', () => {
  it('allows `limit` events at once, then the next one just over a second after the oldest', () => {
    const window = new SlidingSecond(3);
    for (const at of [0, 10, 20]) {
      expect(window.freeAt(at)).toBe(at);
      window.record(at);
    }
    expect(window.freeAt(30)).toBeCloseTo(1000.001, 6);
    window.record(1000.001);
    expect(window.freeAt(1000.5)).toBeCloseTo(1010.001, 6);
    expect(window.newest).toBe(1000.001);
  });

  it('keeps the newest events when resized', () => {
    const window = new SlidingSecond(4);
    for (const at of [0, 100, 200, 300]) window.record(at);
    const smaller = window.resized(2);
    expect(smaller.freeAt(400)).toBeCloseTo(1200.001, 6);
    const larger = window.resized(6);
    expect(larger.freeAt(400)).toBe(400);
    larger.record(400);
    larger.record(500);
    expect(larger.freeAt(600)).toBeCloseTo(1000.001, 6);
  });
});
