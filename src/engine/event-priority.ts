/**
 * The events a source's watch is applying right now, so that a full pass over the same source gives
 * way to them. A pass over 1,000,000 tables keeps the process busy for minutes (GetTables pages to
 * parse, ledger batches to write); without this, the events that arrive meanwhile share the one event
 * loop with it on equal terms and queue behind its work — seconds of latency for work that takes
 * milliseconds. Between its batches the pass waits until no event is in the works, but never longer
 * than a bound: a steady stream of events slows a pass, it never stops it.
 */
export class EventPriority {
  private active = 0;
  private waiters: Array<() => void> = [];
  /** When an event last started or ended (performance.now()); -Infinity before the first. */
  private lastSeenAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Whether an event is being applied now. */
  get busy(): boolean {
    return this.active > 0;
  }

  /** Passes waiting for the events in the works (what a test, or /metrics, can look at). */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Whether an event is in the works, or one ended within the last `withinMs` (src/engine/pass-pacing.ts). */
  flowing(withinMs: number, now = this.now()): boolean {
    return this.active > 0 || now - this.lastSeenAt <= withinMs;
  }

  /** Marks one event as in the works; call the result once it is committed (or given up). */
  started(): () => void {
    this.active++;
    this.lastSeenAt = this.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.active--;
      this.lastSeenAt = this.now();
      if (this.active === 0) this.wakeAll();
    };
  }

  /** Resolves once no event is in the works, or after `maxWaitMs`. */
  idle(maxWaitMs: number): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.waiters.push(done);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
