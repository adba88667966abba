/**
 * Push/pull bridge between a producer that cannot wait (a live recorder) and an
 * async consumer. When full it drops the OLDEST droppable item and counts the
 * drop, so the newest audio (the one an alert depends on) is never the one
 * discarded; control items (segment boundaries) are never dropped.
 */
export class BoundedQueue<T> {
  private readonly items: T[] = [];
  private waiter: ((value: void) => void) | undefined;
  private closed = false;
  dropped = 0;

  constructor(
    private readonly capacity: number,
    private readonly droppable: (item: T) => boolean = () => true,
  ) {}

  push(item: T): void {
    if (this.closed) return;
    if (this.items.length >= this.capacity) {
      const victim = this.items.findIndex(this.droppable);
      if (victim >= 0) {
        this.items.splice(victim, 1);
        this.dropped++;
      }
    }
    this.items.push(item);
    this.wake();
  }

  /** No more items will come; pull() drains what is left, then returns undefined. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  get length(): number {
    return this.items.length;
  }

  /** Next item, waiting if needed; undefined once closed and drained or when aborted. */
  async pull(signal?: AbortSignal): Promise<T | undefined> {
    for (;;) {
      if (this.items.length > 0) return this.items.shift();
      if (this.closed || signal?.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        this.waiter = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      this.waiter = undefined;
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
