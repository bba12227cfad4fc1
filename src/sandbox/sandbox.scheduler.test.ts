import { describe, expect, it } from 'vitest';
import { Scheduler } from './sandbox.scheduler.js';
import { SlidingWindow } from './sandbox.stats.js';
import { enterpriseMessageId, uuidV4, whatsappIdFor } from './sandbox.ids.js';

describe('sandbox scheduler', () => {
  it('runs entries in due order, ties in insertion order', () => {
    const scheduler = new Scheduler();
    const ran: string[] = [];
    const base = Date.now() + 60_000;
    const dues = [50, 10, 30, 10, 20, 40, 0, 30];
    dues.forEach((offset, index) => scheduler.at(base + offset, () => ran.push(`${offset}:${index}`)));
    expect(scheduler.size).toBe(8);
    scheduler.runAllNow();
    expect(ran).toEqual(['0:6', '10:1', '10:3', '20:4', '30:2', '30:7', '40:5', '50:0']);
    expect(scheduler.size).toBe(0);
    scheduler.close();
  });

  it('fires due entries on its timer, including ones scheduled while running', async () => {
    const scheduler = new Scheduler();
    const ran: number[] = [];
    await new Promise<void>((resolve) => {
      scheduler.at(Date.now() + 5, () => {
        ran.push(1);
        scheduler.at(Date.now() + 5, () => {
          ran.push(2);
          resolve();
        });
      });
    });
    expect(ran).toEqual([1, 2]);
    scheduler.close();
  });

  it('keeps a heap order under random load', () => {
    const scheduler = new Scheduler();
    const ran: number[] = [];
    const base = Date.now() + 60_000;
    for (let i = 0; i < 2000; i++) {
      const due = base + Math.floor(Math.random() * 1000);
      scheduler.at(due, () => ran.push(due));
    }
    scheduler.runAllNow();
    expect(ran).toEqual([...ran].sort((a, b) => a - b));
    scheduler.close();
  });
});

describe('sandbox sliding window', () => {
  it('counts the events of the last second', () => {
    const window = new SlidingWindow();
    for (let t = 0; t < 200; t++) window.push(1_000_000 + t * 10);
    expect(window.count(1_000_000 + 1990)).toBe(100);
    expect(window.count(1_000_000 + 2990)).toBe(0);
  });
});

describe('sandbox ids', () => {
  it('makes ids in the providers\' formats', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => enterpriseMessageId()));
    expect(ids.size).toBe(10_000);
    for (const id of [...ids].slice(0, 100)) {
      expect(id).toMatch(/^[1-8]\d{18}-[1-9]\d{17}$/);
      expect(BigInt(id.split('-')[0]!)).toBeLessThan(2n ** 63n);
    }
    expect(uuidV4()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(whatsappIdFor('x')).toBe(whatsappIdFor('x'));
    expect(whatsappIdFor('x')).not.toBe(whatsappIdFor('y'));
  });
});
