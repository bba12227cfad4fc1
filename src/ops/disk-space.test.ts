import { describe, expect, it } from 'vitest';
import { DiskSpaceMonitor, diskLevel, formatBytes } from './disk-space.js';

function recordingLogger() {
  const lines: Array<{ level: string; message: string }> = [];
  const at = (level: string) => (_facts: object, message: string) => void lines.push({ level, message });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } as never };
}

describe('free disk space', () => {
  it('is low below 1 GB and critical below 250 MB', () => {
    expect(diskLevel(1e9)).toBe('ok');
    expect(diskLevel(1e9 - 1)).toBe('low');
    expect(diskLevel(250e6)).toBe('low');
    expect(diskLevel(250e6 - 1)).toBe('critical');
    expect(diskLevel(0)).toBe('critical');
  });

  it('uses the thresholds it is given; 0 turns each off', () => {
    const thresholds = { warnBelowBytes: 5e9, holdBelowBytes: 2e9 };
    expect(diskLevel(5e9, thresholds)).toBe('ok');
    expect(diskLevel(3e9, thresholds)).toBe('low');
    expect(diskLevel(2e9 - 1, thresholds)).toBe('critical');
    expect(diskLevel(0, { warnBelowBytes: 0, holdBelowBytes: 0 })).toBe('ok');
    expect(diskLevel(100, { warnBelowBytes: 1e9, holdBelowBytes: 0 })).toBe('low');
  });

  it('reads the disk at most every 5 s', async () => {
    let reads = 0;
    const monitor = new DiskSpaceMonitor('/data', async () => ({ freeBytes: 5e9 - reads++, totalBytes: 1e10 }));
    expect(await monitor.read(1000)).toEqual({ freeBytes: 5e9, totalBytes: 1e10, level: 'ok' });
    expect((await monitor.read(5999))?.freeBytes).toBe(5e9);
    expect((await monitor.read(6000))?.freeBytes).toBe(5e9 - 1);
    expect(reads).toBe(2);
  });

  it('logs each change of level once: a warning, the hold, and the end of the hold', async () => {
    const { lines, logger } = recordingLogger();
    let free = 5e9;
    const monitor = new DiskSpaceMonitor('/data', async () => ({ freeBytes: free, totalBytes: 1e10 }), logger, 0);
    const at = async (bytes: number) => {
      free = bytes;
      return monitor.holdsCampaigns();
    };
    expect(await at(5e9)).toBe(false);
    expect(await at(800e6)).toBe(false);
    expect(await at(700e6)).toBe(false);
    expect(await at(100e6)).toBe(true);
    expect(await at(90e6)).toBe(true);
    expect(await at(300e6)).toBe(false);
    expect(await at(3e9)).toBe(false);
    expect(lines).toEqual([
      { level: 'warn', message: 'only 800 MB free on the disk holding the database: campaigns will hold below 250 MB' },
      { level: 'error', message: 'only 100 MB free on the disk holding the database: campaigns hold until more than 250 MB is free (callbacks, replies and opt-outs go on)' },
      { level: 'info', message: '300 MB free on the disk holding the database again: campaigns go on' },
    ]);
  });

  it('holds nothing when the disk cannot be read, and says so once', async () => {
    const { lines, logger } = recordingLogger();
    const monitor = new DiskSpaceMonitor('/gone', async () => Promise.reject(new Error('ENOENT')), logger, 0);
    expect(await monitor.read()).toBeNull();
    expect(await monitor.holdsCampaigns()).toBe(false);
    expect(lines).toEqual([{ level: 'error', message: 'cannot read the free space of the disk holding the database' }]);
  });

  it('prints sizes in decimal units', () => {
    expect(formatBytes(812e6)).toBe('812 MB');
    expect(formatBytes(1.44e9)).toBe('1.4 GB');
    expect(formatBytes(640_000)).toBe('640 kB');
    expect(formatBytes(-5)).toBe('0 kB');
  });
});
