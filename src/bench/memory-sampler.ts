/**
 * Samples the process's resident memory while a benchmark runs, to show both the peak and whether
 * memory stays flat while data streams through (marks taken at chosen points).
 */
export interface MemoryMark {
  label: string;
  rssMb: number;
}

export class MemorySampler {
  private timer: NodeJS.Timeout | null = null;
  private peak = 0;
  readonly marks: MemoryMark[] = [];

  constructor(private readonly intervalMs = 100) {}

  private sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    return rss;
  }

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Records the current RSS under `label` (and counts it towards the peak). */
  mark(label: string): void {
    this.marks.push({ label, rssMb: toMb(this.sample()) });
  }

  /** Highest RSS seen since start, in MiB. */
  peakMb(): number {
    this.sample();
    return toMb(this.peak);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

function toMb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}
