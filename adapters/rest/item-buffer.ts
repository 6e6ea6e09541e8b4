/**
 * Hands items from concurrent producers (table loads) to one async consumer (the listing's reader),
 * with backpressure: producers wait for room once `highWater` items are waiting, so a slow ledger
 * slows the loads instead of filling memory. The first failure ends the stream with that error.
 */
export class ItemBuffer<T> {
  private items: T[] = [];
  private head = 0;
  private failure: { error: unknown } | undefined;
  private closed = false;
  private wakeConsumer: (() => void) | undefined;
  private roomWaiters: Array<() => void> = [];

  constructor(private readonly highWater = 1000) {}

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** Resolves when fewer than highWater items wait (at once when the stream is over). */
  room(): Promise<void> {
    if (this.waiting() < this.highWater || this.failure || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** No more items; the consumer finishes after the waiting ones. */
  close(): void {
    this.closed = true;
    this.wake();
    this.releaseProducers();
  }

  /** Ends the stream with this error (the first one wins). */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.wake();
    this.releaseProducers();
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      if (this.failure) throw this.failure.error;
      if (this.head < this.items.length) {
        const item = this.items[this.head++] as T;
        if (this.head > 4096 && this.head * 2 > this.items.length) this.compact();
        if (this.waiting() < this.highWater / 2) this.releaseProducers();
        yield item;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }

  private waiting(): number {
    return this.items.length - this.head;
  }

  private compact(): void {
    this.items = this.items.slice(this.head);
    this.head = 0;
  }

  private wake(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }

  private releaseProducers(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
