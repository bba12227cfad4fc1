import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const flags: string[] = [];
vi.mock('node:v8', () => ({ setFlagsFromString: (flag: string) => flags.push(flag) }));

describe('heap: a worker thread with its own young generation in a lean process', () => {
  beforeEach(() => {
    flags.length = 0;
    vi.resetModules();
  });

  it('leaves the flags alone when the process is not lean', async () => {
    const { createWorkerWithSemiSpace } = await import('./heap.js');
    const worker = createWorkerWithSemiSpace(16, () => new EventEmitter());
    worker.emit('online');
    expect(flags).toEqual([]);
  });

  it('sets the semispace size for the creation and puts the lean size back once the thread runs', async () => {
    const { createWorkerWithSemiSpace, tuneHeapForServer, LEAN_HEAP_FLAGS } = await import('./heap.js');
    tuneHeapForServer({ heap: 'lean' });
    expect(flags).toEqual(LEAN_HEAP_FLAGS);
    flags.length = 0;

    let flagsAtCreation: string[] = [];
    const worker = createWorkerWithSemiSpace(16, () => {
      flagsAtCreation = [...flags];
      return new EventEmitter();
    });
    expect(flagsAtCreation).toEqual(['--max-semi-space-size=16']);
    // Not yet: the thread's isolate is created on the thread, after `new Worker` returns.
    expect(flags).toEqual(['--max-semi-space-size=16']);
    worker.emit('online');
    worker.emit('exit');
    expect(flags).toEqual(['--max-semi-space-size=16', '--max-semi-space-size=4']);
  });

  it('puts the lean size back when the thread exits without starting, or cannot be created', async () => {
    const { createWorkerWithSemiSpace, tuneHeapForServer } = await import('./heap.js');
    tuneHeapForServer({ heap: 'lean' });
    flags.length = 0;
    createWorkerWithSemiSpace(8, () => new EventEmitter()).emit('exit');
    expect(flags).toEqual(['--max-semi-space-size=8', '--max-semi-space-size=4']);

    flags.length = 0;
    expect(() =>
      createWorkerWithSemiSpace(8, () => {
        throw new Error('no thread');
      }),
    ).toThrow('no thread');
    expect(flags).toEqual(['--max-semi-space-size=8', '--max-semi-space-size=4']);
  });
});
