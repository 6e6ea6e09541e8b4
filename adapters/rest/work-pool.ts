import PQueue from 'p-queue';
import { MirrorError } from '../../src/util/errors.js';

/**
 * The requests of one listing: at most `concurrency` in flight, tasks spawning further tasks (a
 * namespace page spawns its children's pages, a table page its loads), `done` once all of them have
 * finished, `failed` with the first error (and nothing runs after it).
 *
 * Table pages are "gated": one is started only while fewer than `backlog` tasks wait and few gated
 * tasks run, so a catalog of 100,000 tables does not queue 100,000 loads (and hold their closures)
 * before the first one is read. Gated tasks wait outside the queue, holding no concurrency slot.
 * A gated task spawned `ahead` (the next page of a namespace already being read) starts before those
 * waiting: a namespace's pages are read to the end before another namespace is begun, so what is held
 * per namespace while its pages are read (the names already listed) is held for a few namespaces at
 * a time, not for every namespace of the catalog.
 */
export class WorkPool {
  private readonly queue: PQueue;
  private outstanding = 0;
  private gatedRunning = 0;
  private readonly gated: Array<() => void> = [];
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly options: {
      readonly concurrency: number;
      readonly backlog: number;
      readonly signal: AbortSignal;
      readonly onDone: () => void;
      readonly onFailed: (error: unknown) => void;
    },
  ) {
    this.queue = new PQueue({ concurrency: options.concurrency });
  }

  spawn(task: () => Promise<void>, options: { gated?: boolean; ahead?: boolean } = {}): void {
    if (this.failure) return;
    this.outstanding++;
    if (!options.gated) return this.start(task, false);
    const start = () => this.start(task, true);
    if (options.ahead) this.gated.unshift(start);
    else this.gated.push(start);
    this.releaseGated();
  }

  /** Stops running anything more (the consumer went away, or a task failed). */
  stop(): void {
    this.failure ??= { error: new MirrorError('the listing was stopped', { retryable: true }) };
    this.gated.length = 0;
    this.queue.clear();
  }

  private start(task: () => Promise<void>, gated: boolean): void {
    if (gated) this.gatedRunning++;
    void this.queue.add(async () => {
      if (this.failure) return;
      try {
        if (this.options.signal.aborted) throw new MirrorError('the listing was interrupted', { retryable: true });
        await task();
      } catch (error) {
        // Inside the task, so the queue starts nothing more after the first failure.
        this.fail(error);
        return;
      }
      this.finished(gated);
    });
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    this.stop();
    this.failure = { error };
    this.options.onFailed(error);
  }

  private finished(gated: boolean): void {
    if (gated) this.gatedRunning--;
    this.outstanding--;
    this.releaseGated();
    if (this.outstanding === 0 && !this.failure) this.options.onDone();
  }

  private releaseGated(): void {
    while (this.gated.length > 0 && this.queue.size < this.options.backlog && this.gatedRunning < this.options.concurrency) {
      this.gated.shift()!();
    }
  }
}
