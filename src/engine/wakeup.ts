/**
 * A level-triggered doorbell: notify() wakes the current waiter, or the next one if nobody waits yet,
 * so a notification between two waits is never lost.
 */
export class Wakeup {
  private rung = false;
  private waiter: (() => void) | undefined;

  notify(): void {
    this.rung = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /** Resolves on notify(), after ms, or when the signal aborts — whichever comes first. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.rung || signal?.aborted) {
      this.rung = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiter = undefined;
        this.rung = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
      this.waiter = done;
    });
  }
}
