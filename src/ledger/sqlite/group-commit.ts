import type { SqliteStore } from './sqlite-store.js';

/**
 * How much a write must survive. 'durable': an acknowledgement rests on it (an ingest 202, a source
 * cursor): it must survive a power loss, so its commit is fsynced. 'relaxed': losing it costs only a
 * harmless resend (a notification outcome, a VALIDATE cache entry): it must survive a process crash,
 * which WAL gives without an fsync. A later durable commit fsyncs everything before it, in order.
 */
export type Durability = 'durable' | 'relaxed';

/**
 * Batches ledger writes from many concurrent callers (ingest requests, finished notifications) into
 * one transaction per event-loop turn, so a commit is paid once per batch instead of once per table.
 * Each write runs in its own savepoint: one failing write rejects only its caller. A caller's promise
 * resolves only after the batch has committed — that is the acknowledgement.
 */
export class GroupCommit {
  private queue: Array<{ run: () => unknown; durable: boolean; resolve: (value: unknown) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly ledger: SqliteStore) {}

  write<T>(run: () => T, durability: Durability = 'durable'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, durable: durability === 'durable', resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves once every write queued so far has committed (or failed). */
  drained(): Promise<void> {
    if (!this.scheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    const relaxed = batch.every((item) => !item.durable);
    try {
      this.ledger.setSynchronous(relaxed ? 'NORMAL' : 'FULL');
      this.ledger.transaction(() => {
        for (const item of batch) {
          try {
            results.push({ ok: true, value: this.ledger.transaction(item.run) });
          } catch (error) {
            results.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing in the batch is durable.
      for (const item of batch) item.reject(error);
      this.notifyIdle();
      return;
    }
    batch.forEach((item, i) => {
      const result = results[i]!;
      if (result.ok) item.resolve(result.value);
      else item.reject(result.error);
    });
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.scheduled || this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
