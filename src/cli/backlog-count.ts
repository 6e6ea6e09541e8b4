import { performance } from 'node:perf_hooks';

/** The largest share of the process the progress line's backlog count may take. */
const MAX_SHARE = 0.05;

/**
 * The backlog `sync`'s progress line shows, read from the ledger. A read counts every row not in sync,
 * which at a first sync of a large catalog is most of the ledger (0.1 s and more per read at 1,000,000
 * tables), while a terminal redraws the line four times a second. So a read starts only once the last
 * one's duration times 1/MAX_SHARE has passed, and never while one is running: the count takes at most
 * 5% of the process whatever the catalog's size. Between reads the last value is shown.
 */
export class BacklogCount {
  private value = 0;
  private reading = false;
  private notBefore = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly read: () => Promise<number>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The last count; starts a new read when one is due. */
  current(): number {
    if (!this.reading && this.now() >= this.notBefore) void this.refresh();
    return this.value;
  }

  private async refresh(): Promise<void> {
    this.reading = true;
    const started = this.now();
    try {
      this.value = await this.read();
    } catch {
      // The ledger busy or restarting: the line keeps the last count, the next read is due as usual.
    } finally {
      const took = this.now() - started;
      this.notBefore = this.now() + took / MAX_SHARE;
      this.reading = false;
    }
  }
}
