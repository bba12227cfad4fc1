/**
 * Hand-over of parsed callbacks from the HTTP handler to the applier of the same process: the
 * handler parses every callback anyway (to refuse malformed ones with a 4xx), so the applier takes
 * the result by `seq` instead of parsing the stored body again. Only filled while an applier runs
 * in this process (`wacast serve --no-worker` keeps nothing). Bounded: past `maxEntries` the oldest
 * are dropped, and the applier parses those from the log — the stored body is always the truth.
 */
import type { Db } from '../storage/db.js';
import type { CallbackEvent } from '../providers/provider.js';

/** 20,000 entries ≈ 2 s of callbacks at 10,000/s, a few MB. */
const DEFAULT_MAX_ENTRIES = 20_000;

export class ParsedEventCache {
  private readonly entries = new Map<number, CallbackEvent[]>();
  private consumers = 0;

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  /** An applier of this process starts or stops taking entries; returns the stop function. */
  attach(): () => void {
    this.consumers++;
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.consumers--;
      if (this.consumers === 0) this.entries.clear();
    };
  }

  put(seq: number, events: CallbackEvent[]): void {
    if (this.consumers === 0) return;
    this.entries.set(seq, events);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** The parsed events of `seq`, removed from the cache; undefined when not held. */
  take(seq: number): CallbackEvent[] | undefined {
    const events = this.entries.get(seq);
    if (events) this.entries.delete(seq);
    return events;
  }

  get size(): number {
    return this.entries.size;
  }
}

// One cache per open database: the HTTP side and the applier of one process share it.
const caches = new WeakMap<object, ParsedEventCache>();

export function parsedEventCache(db: Db): ParsedEventCache {
  let cache = caches.get(db.kysely);
  if (!cache) caches.set(db.kysely, (cache = new ParsedEventCache()));
  return cache;
}
