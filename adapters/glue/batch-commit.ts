import type { Observation } from '../../src/model/observation.js';
import type { ObservationSink } from '../../src/model/source-adapter.js';

/** How long the messages of a batch that are done wait for the others before they commit without them. */
export const BATCH_COMMIT_GRACE_MS = 500;

/**
 * The commits of one batch of SQS messages. Messages that finish together commit together, in one
 * ledger transaction — which is what lets a rename's two events (CreateTable of the new name,
 * DeleteTable of the old, usually in one batch) reach the engine at once, so it sends CREATE before
 * DROP. But a message still reading (thousands of tables) does not hold the others back: once the
 * first message of a group is done, the group waits at most BATCH_COMMIT_GRACE_MS for the rest.
 */
export class BatchCommit {
  private waiting: Array<{ observations: readonly Observation[]; resolve: () => void; reject: (error: unknown) => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private outstanding: number;

  constructor(
    readonly sink: ObservationSink,
    messages: number,
    private readonly graceMs = BATCH_COMMIT_GRACE_MS,
  ) {
    this.outstanding = messages;
  }

  /** Resolves once these observations (of one message) are durable; every message of the batch calls it once. */
  commit(observations: readonly Observation[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ observations, resolve, reject });
      this.outstanding--;
      if (this.outstanding === 0) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.graceMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const group = this.waiting;
    this.waiting = [];
    const observations = group.flatMap((entry) => entry.observations);
    const committed = observations.length > 0 ? this.sink.commit(observations) : Promise.resolve();
    committed.then(
      () => group.forEach((entry) => entry.resolve()),
      (error: unknown) => group.forEach((entry) => entry.reject(error)),
    );
  }
}
