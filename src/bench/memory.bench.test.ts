import { describe, expect, it } from 'vitest';
import { processMemory } from './memory.bench.js';

describe('memory bench: process memory from /proc', () => {
  it('reads the resident memory and its high-water mark of a live process', () => {
    const memory = processMemory(process.pid);
    expect(memory).not.toBeNull();
    const rssMb = process.memoryUsage.rss() / 1024 / 1024;
    expect(memory!.rssMb).toBeGreaterThan(rssMb * 0.5);
    expect(memory!.rssMb).toBeLessThan(rssMb * 2);
    expect(memory!.peakMb).toBeGreaterThanOrEqual(memory!.rssMb);
  });

  it('answers null for a process that does not exist', () => {
    expect(processMemory(2 ** 22 + 17)).toBeNull();
  });
});
