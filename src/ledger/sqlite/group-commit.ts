import type { SqliteStore } from './sqlite-store.js';

/**
 * How much a write must survive. 'durable': an acknowledgement rests on it (an ingest 202, a source
 * cursor): it must survive a power loss, so its commit is fsynced. 'relaxed': losing it costs only a
 * harmless resend (a notification outcome, a VALIDATE cache entry): it must survive a process crash,
 * which WAL gives without an fsync. A later durable commit fsyncs everything before it, in order.
 */
export type Durability = 'durable' | 'relaxed';

/**
 * How long relaxed writes may wait for company, and how many make a batch worth committing at once.
 * A commit costs far more than the rows in it (the pages it writes to the WAL), and outcomes arrive a
 * few per event-loop turn at Polaris's pace: a couple of milliseconds gathers a dozen or more into one
 * commit. The table they belong to stays in flight meanwhile, while the dispatcher's other slots send.
 */
const RELAXED_WAIT_MS = 2;
const RELAXED_BATCH = 64;

/**
 * Batches ledger writes from many concurrent callers (ingest requests, finished notifications) into
 * one transaction, so a commit is paid once per batch instead of once per table: a durable write is
 * committed at the end of the event-loop turn (with whatever else is queued), relaxed writes alone
 * within RELAXED_WAIT_MS. Each write runs in its own savepoint: one failing write rejects only its
 * caller. A caller's promise resolves only after the batch has committed — that is the acknowledgement.
 */
export class GroupCommit {
  private queue: Array<{ run: () => unknown; durable: boolean; resolve: (value: unknown) => void; reject: (error: unknown) => void }> = [];
  private scheduled: 'turn' | NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly ledger: SqliteStore) {}

  /** `promptly`: a relaxed write someone waits on before going on (a CREATE about to be sent) is committed this turn too. */
  write<T>(run: () => T, durability: Durability = 'durable', promptly = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const durable = durability === 'durable';
      this.queue.push({ run, durable, resolve: resolve as (value: unknown) => void, reject });
      if (durable || promptly || this.queue.length >= RELAXED_BATCH) this.flushThisTurn();
      else this.scheduled ??= setTimeout(() => this.flush(), RELAXED_WAIT_MS);
    });
  }

  private flushThisTurn(): void {
    if (this.scheduled === 'turn') return;
    if (this.scheduled !== undefined) clearTimeout(this.scheduled);
    this.scheduled = 'turn';
    setImmediate(() => this.flush());
  }

  /** Resolves once every write queued so far has committed (or failed). */
  drained(): Promise<void> {
    if (this.scheduled === undefined && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = undefined;
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
    if (this.scheduled !== undefined || this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
