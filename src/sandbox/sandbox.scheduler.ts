/**
 * Runs callbacks at given times with one timer: a binary min-heap ordered by due time (then by
 * insertion). A benchmark schedules three or four status events per message at tens of thousands
 * of messages per second; one Node timer each would cost far more than a heap entry.
 */

interface Entry {
  due: number;
  order: number;
  run: () => void;
}

export class Scheduler {
  private heap: Entry[] = [];
  private order = 0;
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Infinity;
  private closed = false;

  get size(): number {
    return this.heap.length;
  }

  /** Runs `run` at epoch ms `due` (at once, on the next timer turn, when due is past). */
  at(due: number, run: () => void): void {
    if (this.closed) return;
    const entry: Entry = { due, order: this.order++, run };
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = entry;
    // Re-arming costs a clearTimeout + setTimeout; within 2 ms of the armed time is close enough.
    if (due < this.armedFor - 2) this.arm(due);
  }

  /** Runs everything now, in due order, including what those runs schedule before `until`. */
  runAllNow(until = Infinity): void {
    while (this.heap.length > 0 && this.heap[0]!.due <= until) {
      const entry = this.pop();
      entry.run();
    }
    this.rearm();
  }

  /** Drops every pending entry. */
  clear(): void {
    this.heap = [];
    this.disarm();
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  private arm(due: number): void {
    this.disarm();
    this.armedFor = due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, due - Date.now()));
    // The sandbox's server keeps the process alive; pending callbacks alone should not.
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
  }

  private rearm(): void {
    this.disarm();
    if (this.heap.length > 0) this.arm(this.heap[0]!.due);
  }

  private fire(): void {
    this.timer = null;
    this.armedFor = Infinity;
    const now = Date.now();
    // Timers may fire a millisecond early; take what is due within 1 ms.
    while (this.heap.length > 0 && this.heap[0]!.due <= now + 1) {
      const entry = this.pop();
      try {
        entry.run();
      } catch (error) {
        // A failing event must not stop the others; it is a sandbox bug worth seeing.
        console.error('sandbox: scheduled event failed', error);
      }
    }
    this.rearm();
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let index = 0;
      const length = heap.length;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= length) break;
        const right = left + 1;
        const child = right < length && before(heap[right]!, heap[left]!) ? right : left;
        if (!before(heap[child]!, last)) break;
        heap[index] = heap[child]!;
        index = child;
      }
      heap[index] = last;
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.order < b.order);
}
