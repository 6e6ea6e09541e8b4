import type { SourceCounts } from './ledger.js';

/**
 * How many times its own CPU time a costly walk's counts are reused: the walks then take at most a
 * twentieth of a core, however often /metrics is scraped or the console opened. At 1,000,000 rows a
 * walk costs about 0.5 s of CPU, so its counts stay for about 10 s.
 */
export const REUSE_FACTOR = 20;
/**
 * Walks cheaper than this (CPU, not wall time: a walk of a small ledger that the machine's scheduler
 * held up is still cheap) are never reused: a ledger of up to about 100,000 rows is counted afresh at
 * every read, so its gauges are exact, as they always were.
 */
export const COSTLY_WALK_MS = 50;
/** The longest any counts are reused, however long their walk took (a ledger on a slow or busy disk). */
export const MAX_REUSE_MS = 60_000;

/**
 * The ledger's table counts per source for the readers that may ask often: /metrics at every scrape and
 * the console's front page. Counting walks every row of the ledger (Ledger.counts), which at a million
 * rows costs about half a second of CPU: scraped every half second, that was most of the daemon's CPU.
 * So a costly walk's result is reused for REUSE_FACTOR times the CPU the walk cost (at most
 * MAX_REUSE_MS), and readers that ask during a walk share it instead of starting another. `status`
 * opens the ledger itself and always counts afresh.
 */
export class SharedCounts {
  private last: { readonly counts: SourceCounts[]; readonly reusableUntil: number } | undefined;
  private walking: Promise<SourceCounts[]> | undefined;

  constructor(
    private readonly walk: (now: number) => Promise<SourceCounts[]>,
    private readonly meters: CountsMeters = { clockMs: () => performance.now(), cpuMs: processCpuMs },
  ) {}

  /** The counts, from a walk now or from a recent costly one. A failed walk is not kept: the next read walks again. */
  read(): Promise<SourceCounts[]> {
    if (this.last && this.meters.clockMs() < this.last.reusableUntil) return Promise.resolve(this.last.counts);
    this.walking ??= this.walkOnce().finally(() => {
      this.walking = undefined;
    });
    return this.walking;
  }

  private async walkOnce(): Promise<SourceCounts[]> {
    const cpuAtStart = this.meters.cpuMs();
    const counts = await this.walk(Date.now());
    // The process's CPU over the walk: the walk's own, plus whatever ran between its spans (at most
    // more reuse, never less), so a costly walk is never taken for a cheap one.
    const cost = this.meters.cpuMs() - cpuAtStart;
    const ended = this.meters.clockMs();
    this.last = { counts, reusableUntil: cost >= COSTLY_WALK_MS ? ended + Math.min(REUSE_FACTOR * cost, MAX_REUSE_MS) : ended };
    return counts;
  }
}

/** Where SharedCounts reads the time (ms, monotonic) and the CPU the process has used (ms); tests set both. */
export interface CountsMeters {
  readonly clockMs: () => number;
  readonly cpuMs: () => number;
}

function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
