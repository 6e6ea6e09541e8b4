import type { SqliteStore } from './sqlite-store.js';

/**
 * How much a write must survive. 'durable': an acknowledgement rests on it (an ingest 202, a source
 * cursor): it must survive a power loss, so it resolves only once the log holding its commit has been
 * fsynced. 'relaxed': losing it costs only a harmless resend (a notification outcome, a VALIDATE cache
 * entry): it must survive a process crash, which WAL gives without an fsync. A later fsync covers
 * every commit before it.
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

interface Queued {
  readonly run: () => unknown;
  readonly durable: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Settled = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** A write that threw while its batch ran without savepoints (not the commit failing). */
class WriteThrew extends Error {
  constructor(cause: unknown) {
    super('a write of the batch threw', { cause });
  }
}

/**
 * Batches ledger writes from many concurrent callers (ingest requests, finished notifications) into
 * one transaction, so a commit is paid once per batch instead of once per table: a durable write is
 * committed at the end of the event-loop turn (with whatever else is queued), relaxed writes alone
 * within RELAXED_WAIT_MS. One failing write rejects only its caller: the batch is then run again with
 * a savepoint per write (see runTogether), so a write must change nothing but the ledger, and may run
 * twice. A caller's promise resolves only after the batch has committed — that is the acknowledgement.
 */
export class GroupCommit {
  private queue: Queued[] = [];
  private scheduled: 'turn' | NodeJS.Timeout | undefined;
  /** Committed batches waiting for their log fsync before their writes are acknowledged. */
  private syncing = 0;
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

  /** Resolves once every write queued so far has committed and been acknowledged (or failed). */
  drained(): Promise<void> {
    if (this.scheduled === undefined && this.queue.length === 0 && this.syncing === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Commits the batch without an fsync (synchronous=NORMAL), then, when it holds a durable write, has
   * the log fsynced on libuv's thread pool before acknowledging. The fsync used to run inside the
   * COMMIT, on the event loop: 1–35 ms per durable batch (longer while a full pass fills the log), during
   * which no event, request or answer could be handled. Now the loop goes on, and the next batches
   * commit meanwhile.
   */
  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = undefined;
    let results: Settled[];
    try {
      this.ledger.setSynchronous('NORMAL');
      results = this.runTogether(batch) ?? this.runIsolated(batch);
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing in the batch is durable.
      for (const item of batch) item.reject(error);
      this.notifyIdle();
      return;
    }
    if (!batch.some((item) => item.durable)) {
      settle(batch, results);
      this.notifyIdle();
      return;
    }
    this.syncing++;
    this.ledger
      .syncLog()
      .then(
        () => settle(batch, results),
        (error: unknown) => {
          // Committed but not known to be on disk: a durable write is not acknowledged (its source
          // sends it again); a relaxed one never needed the fsync.
          this.ledger.writeHealth.failed(error);
          settle(batch, results, error);
        },
      )
      .finally(() => {
        this.syncing--;
        this.notifyIdle();
      });
  }

  /**
   * Every write of the batch in one transaction, without savepoints. Inside a savepoint SQLite copies
   * each page a write first changes into a sub-journal, so that it can be rolled back alone: that
   * doubled the cost of a row's UPDATE (a log batch's 500 UPDATEs, a notification's outcome). Writes
   * almost never throw, so the batch runs bare; when one does, the whole transaction is rolled back and
   * undefined says to run the batch again with a savepoint each. A batch of one write needs no second
   * run: its error is its own.
   */
  private runTogether(batch: readonly Queued[]): Settled[] | undefined {
    try {
      return this.runBatch(batch, false);
    } catch (error) {
      if (!(error instanceof WriteThrew)) throw error;
      return batch.length === 1 ? [{ ok: false, error: error.cause }] : undefined;
    }
  }

  /** Each write in a savepoint of its own: one that throws is rolled back and rejects only its caller. */
  private runIsolated(batch: readonly Queued[]): Settled[] {
    return this.runBatch(batch, true);
  }

  /** The batch in one transaction; without savepoints, the first write that throws ends it (WriteThrew). */
  private runBatch(batch: readonly Queued[], savepoints: boolean): Settled[] {
    const results: Settled[] = [];
    this.ledger.transaction(() => {
      for (const item of batch) {
        try {
          results.push({ ok: true, value: savepoints ? this.ledger.transaction(item.run) : item.run() });
        } catch (error) {
          if (!savepoints) throw new WriteThrew(error);
          results.push({ ok: false, error });
        }
      }
    });
    return results;
  }

  private notifyIdle(): void {
    if (this.scheduled !== undefined || this.queue.length > 0 || this.syncing > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Resolves or rejects each write with its result; `unsynced`: the log fsync failed, so durable writes reject with it. */
function settle(batch: readonly Queued[], results: readonly Settled[], unsynced?: unknown): void {
  batch.forEach((item, i) => {
    const result = results[i]!;
    if (!result.ok) item.reject(result.error);
    else if (unsynced !== undefined && item.durable) item.reject(unsynced);
    else item.resolve(result.value);
  });
}
