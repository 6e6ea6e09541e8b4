import type { ObservationSink } from '../../src/model/source-adapter.js';
import type { Logger } from '../../src/telemetry/logger.js';
import type { Metrics } from '../../src/telemetry/metrics.js';
import { sleep } from '../../src/util/sleep.js';

export interface PollLoopDeps {
  readonly source: string;
  readonly intervalMs: number;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** How often the lag gauge is refreshed between polls, so a scrape never sees a stale value for long. */
const LAG_REFRESH_MS = 5_000;

/**
 * The REST source's watch: a poll every interval (a tenth of it, at least a second, after a failed
 * one). A poll is a reconciliation pass run through the sink — the engine lists the source, commits
 * the observations (each with its ETag, which makes the next poll's load conditional) and handles drops.
 */
export class PollLoop {
  private listings = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly deps: PollLoopDeps) {}

  listingStarted(): void {
    this.listings++;
  }

  listingEnded(): void {
    this.listings--;
    if (this.listings > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async run(sink: ObservationSink, signal: AbortSignal): Promise<void> {
    const { intervalMs, metrics, source } = this.deps;
    let lastComplete: number | undefined;
    const reportLag = () => {
      if (lastComplete !== undefined) metrics.sourceLag.set({ source }, (Date.now() - lastComplete) / 1000);
    };
    const timer = setInterval(reportLag, LAG_REFRESH_MS);
    timer.unref();
    try {
      // `run` starts its own reconciliation pass at the same moment: let it finish first, so this
      // poll's loads can use the ETags it stored instead of loading every table a second time.
      await this.idle(signal);
      while (!signal.aborted) {
        const started = Date.now();
        const complete = await this.poll(sink, signal);
        if (complete) lastComplete = started;
        reportLag();
        await sleep(complete ? intervalMs : Math.max(1000, intervalMs / 10), signal);
      }
    } finally {
      clearInterval(timer);
    }
  }

  /** One poll; true when its listing was complete (every observation, with its ETag, committed). */
  async poll(sink: ObservationSink, signal: AbortSignal): Promise<boolean> {
    const started = Date.now();
    const summary = await sink.reconcile(signal);
    if (!summary?.complete) return false;
    this.deps.logger.debug(
      { source: this.deps.source, listed: summary.listed, accepted: summary.observed.accepted, ms: Date.now() - started },
      `poll of ${this.deps.source} complete`,
    );
    return true;
  }

  private idle(signal: AbortSignal): Promise<void> {
    if (this.listings === 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}
