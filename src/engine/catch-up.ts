/**
 * Waits for the dispatcher to catch up with a moment: to have looked at the ledger after it, and to have
 * finished everything it took (each table's notification answered and its outcome stored). An event's
 * priority over a full pass lasts until then (SourceSink.eventStarted), not only until its commit: the
 * dispatcher's read of the due table and the send would otherwise queue behind the pass's work again.
 */
export class CatchUp {
  private looksStarted = 0;
  private looksDone = 0;
  private waiters: Array<{ readonly after: number; readonly done: () => void }> = [];

  /** The dispatcher starts a look at the ledger for due tables. */
  lookStarted(): void {
    this.looksStarted++;
  }

  /** That look ended; `idle`: nothing is being worked on now. */
  lookDone(idle: boolean): void {
    this.looksDone++;
    this.check(idle);
  }

  /** Whether the dispatcher has nothing in the works, called as operations end. */
  check(idle: boolean): void {
    if (!idle) return;
    for (const waiter of [...this.waiters]) if (this.looksDone > waiter.after) waiter.done();
  }

  /** Resolves once a look that started after this call has ended with nothing left in the works, or after maxWaitMs. */
  wait(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter = {
        // A look in progress now may have read the ledger before the caller's commit: the next one counts.
        after: this.looksStarted,
        done: () => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.done, maxWaitMs);
      this.waiters.push(waiter);
    });
  }
}
