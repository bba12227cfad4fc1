/**
 * Free space on the disk that holds the SQLite database (WACAST_DATA_DIR).
 *
 * Why wacast watches it: a full disk does not lose what was already stored, but every write
 * after it fails. Callbacks are then answered 503 and providers retry them for a while only, so
 * delivery reports, replies and STOPs can be lost for good; sends whose outcome cannot be stored
 * end `unknown`. A campaign is what fills a disk fastest (its rows, then a profile event per
 * send and per delivery report), so below WACAST_DISK_HOLD_MB campaigns hold — no new recipients
 * materialised, no new messages claimed — and the space left goes to callbacks, replies and
 * opt-out confirmations. They go on by themselves once space is freed. Below WACAST_DISK_WARN_MB
 * the dashboard warns first.
 *
 * PostgreSQL keeps its data on its own server, whose disk wacast cannot see: nothing is watched.
 */
import { statfs } from 'node:fs/promises';
import { Gauge } from 'prom-client';
import { dirname } from 'node:path';
import type { Db } from '../storage/db.js';
import type { Logger } from '../logger.js';
import type { Metrics } from './metrics.js';
import type { Config, DiskThresholds } from '../config.js';

export type DiskLevel = 'ok' | 'low' | 'critical';

export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
  level: DiskLevel;
}

/**
 * The defaults (WACAST_DISK_WARN_MB, WACAST_DISK_HOLD_MB): the dashboard warns below 1 GB (a
 * campaign of a few hundred thousand messages with their reports); campaigns hold below 250 MB
 * (room for many hours of callbacks and replies at a busy project's pace). Decimal units, as
 * `df -H` and the dashboard show them. A disk shared with other writers may want more.
 */
export const DEFAULT_DISK_THRESHOLDS: DiskThresholds = { warnBelowBytes: 1e9, holdBelowBytes: 250e6 };
/** A reading is reused this long: the dispatcher asks twice a second, statfs need not run as often. */
const MAX_AGE_MS = 5000;

export function diskLevel(freeBytes: number, thresholds: DiskThresholds = DEFAULT_DISK_THRESHOLDS): DiskLevel {
  if (freeBytes < thresholds.holdBelowBytes) return 'critical';
  if (freeBytes < thresholds.warnBelowBytes) return 'low';
  return 'ok';
}

/** Reads the free and total bytes of the file system holding `path` (for an unprivileged process). */
export type DiskReader = (path: string) => Promise<{ freeBytes: number; totalBytes: number }>;

export const statfsReader: DiskReader = async (path) => {
  const stats = await statfs(path);
  // bavail, not bfree: the blocks reserved for root are not there for a process that is not root.
  return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
};

export class DiskSpaceMonitor {
  private last: { at: number; read: Promise<DiskSpace | null> } | null = null;
  private level: DiskLevel | 'unreadable' = 'ok';

  constructor(
    private readonly path: string,
    private readonly reader: DiskReader = statfsReader,
    private readonly logger: Pick<Logger, 'info' | 'warn' | 'error'> | null = null,
    private readonly maxAgeMs = MAX_AGE_MS,
    readonly thresholds: DiskThresholds = DEFAULT_DISK_THRESHOLDS,
  ) {}

  /** The latest reading (at most MAX_AGE_MS old), or null when the file system cannot be read. */
  read(now = Date.now()): Promise<DiskSpace | null> {
    if (this.last && now - this.last.at < this.maxAgeMs) return this.last.read;
    const read = this.reader(this.path).then(
      ({ freeBytes, totalBytes }) => {
        const space: DiskSpace = { freeBytes, totalBytes, level: diskLevel(freeBytes, this.thresholds) };
        this.changed(space.level, space);
        return space;
      },
      (error: unknown) => {
        // Not knowing is no reason to stop sending: said once, and campaigns carry on.
        if (this.level !== 'unreadable') this.logger?.error({ err: error, path: this.path }, 'cannot read the free space of the disk holding the database');
        this.level = 'unreadable';
        return null;
      },
    );
    this.last = { at: now, read };
    return read;
  }

  /** Whether campaigns must hold now (see the module comment). */
  async holdsCampaigns(now = Date.now()): Promise<boolean> {
    return (await this.read(now))?.level === 'critical';
  }

  /** Logs the changes that matter to whoever runs the server, once each. */
  private changed(level: DiskLevel, space: DiskSpace): void {
    const previous = this.level;
    this.level = level;
    if (level === previous) return;
    const facts = { path: this.path, freeBytes: space.freeBytes, totalBytes: space.totalBytes };
    if (level === 'critical') {
      this.logger?.error(facts, `only ${formatBytes(space.freeBytes)} free on the disk holding the database: campaigns hold until more than ${formatBytes(this.thresholds.holdBelowBytes)} is free (callbacks, replies and opt-outs go on)`);
    } else if (previous === 'critical') {
      this.logger?.info(facts, `${formatBytes(space.freeBytes)} free on the disk holding the database again: campaigns go on`);
    } else if (level === 'low') {
      this.logger?.warn(facts, `only ${formatBytes(space.freeBytes)} free on the disk holding the database: campaigns will hold below ${formatBytes(this.thresholds.holdBelowBytes)}`);
    }
  }
}

const monitors = new WeakMap<Db, DiskSpaceMonitor | null>();

/** The monitor of the disk holding the database of `deps` (one per database), or null on PostgreSQL. */
export function diskSpaceMonitor(deps: { db: Db; logger?: Pick<Logger, 'info' | 'warn' | 'error'>; config?: Pick<Config, 'disk'> }): DiskSpaceMonitor | null {
  let monitor = monitors.get(deps.db);
  if (monitor === undefined) {
    monitor = deps.db.dialect === 'sqlite' ? new DiskSpaceMonitor(dirname(deps.db.location), undefined, deps.logger ?? null, MAX_AGE_MS, deps.config?.disk) : null;
    monitors.set(deps.db, monitor);
  }
  return monitor;
}

/** Tests: the disk of `deps.db` (SQLite) is read through `reader` from now on, afresh on each read. */
export function useDiskReader(deps: { db: Db; logger: Pick<Logger, 'info' | 'warn' | 'error'>; config: Pick<Config, 'disk'> }, reader: DiskReader): void {
  const { db } = deps;
  if (db.dialect === 'sqlite') monitors.set(db, new DiskSpaceMonitor(dirname(db.location), reader, deps.logger, 0, deps.config.disk));
}

/** `wacast_data_disk_free_bytes`, read when scraped (SQLite only). */
export function registerDiskGauge(deps: { db: Db; logger: Pick<Logger, 'info' | 'warn' | 'error'>; metrics: Metrics; config: Pick<Config, 'disk'> }): void {
  const registry = deps.metrics.registry;
  if (deps.db.dialect !== 'sqlite' || registry.getSingleMetric('wacast_data_disk_free_bytes')) return;
  new Gauge({
    name: 'wacast_data_disk_free_bytes',
    help: `Free bytes on the disk holding the SQLite database; campaigns hold below ${deps.config.disk.holdBelowBytes} (WACAST_DISK_HOLD_MB).`,
    registers: [registry],
    async collect() {
      const disk = await diskSpaceMonitor(deps)?.read();
      if (disk) this.set(disk.freeBytes);
    },
  });
}

/** "812 MB", "1.4 GB": free space as people read it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  return `${Math.max(0, Math.round(bytes / 1e3))} kB`;
}
