/**
 * Items ordered by when they are due (a binary min-heap), so one timer can serve every
 * logical worker of a Web Worker: it wakes at the earliest due time and fires all that are
 * due together, whatever their number. Items due at the same time come out in the order of
 * their rank, the same every time, so a connection keeps its place in a burst from one tick to
 * the next and its gaps do not take up the burst's length.
 *
 * @module
 */

interface Entry<T> {
  due: number;
  rank: number;
  item: T;
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.due < b.due || (a.due === b.due && a.rank < b.rank);
}

/** A min-heap of items by due time, then rank. */
export class DueQueue<T> {
  #heap: Entry<T>[] = [];

  get size(): number {
    return this.#heap.length;
  }

  /** The earliest due time, or undefined when empty. */
  peek(): number | undefined {
    return this.#heap[0]?.due;
  }

  push(due: number, rank: number, item: T): void {
    const heap = this.#heap;
    const entry = { due, rank, item };
    let i = heap.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
  }

  /** Removes and returns the earliest item, or undefined when empty. */
  pop(): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top?.item;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && before(heap[child + 1], heap[child])) child++;
      if (!before(heap[child], last)) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top.item;
  }
}
