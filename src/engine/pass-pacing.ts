import type { EventPriority } from './event-priority.js';

/**
 * The longest a pass waits, before each batch, for the source's events in the works to be committed:
 * events go first, yet a steady stream of them slows a pass down without stopping it.
 */
export const YIELD_TO_EVENTS_MS = 250;

/** Events count as flowing while one is in the works or one ended this recently. */
export const EVENTS_FLOWING_MS = 1_000;

/**
 * The share of the time a pass works while events flow: after each batch it pauses for as long as it
 * worked since its last pause (at most YIELD_TO_EVENTS_MS), so it holds the process (and the source it
 * reads) at most half of the time.
 */
const WORK_SHARE_WHILE_EVENTS = 0.5;

export interface PassPacingOptions {
  /** Milliseconds on a monotonic clock; a test passes its own. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * How a full pass shares the connector with its source's events. Waiting for the events in the works
 * before each batch (EventPriority.idle) is not enough on its own: at 100 events/s on a 1,000,000-table
 * Glue account, one was in the works most of the time, so the pass went on as soon as each was
 * committed and kept the event loop (and the source's own server) busy; every step of the next event —
 * its read, its commit, the dispatcher's query, its notification — then queued behind a page to parse
 * or a batch to store. While events flow, the pass also pauses after each batch for as long as it
 * worked, which leaves the loop idle half of the time for them. A pass with no event in sight (every
 * `sync`, and `run` on a quiet source) never pauses.
 */
export class PassPacing {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private workingSince: number;
  private pausedMs = 0;

  constructor(
    private readonly events: EventPriority,
    options: PassPacingOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.workingSince = this.now();
  }

  /** Before a batch is stored: the events in the works go first (at most YIELD_TO_EVENTS_MS). */
  async beforeBatch(): Promise<void> {
    const waitStarted = this.now();
    await this.events.idle(YIELD_TO_EVENTS_MS);
    // Time spent waiting is not work.
    this.workingSince += this.now() - waitStarted;
  }

  /** After a batch is stored: while events flow, pause for the share of the time that is theirs. */
  async afterBatch(): Promise<void> {
    const now = this.now();
    const worked = now - this.workingSince;
    if (worked > 0 && this.events.flowing(EVENTS_FLOWING_MS, now)) {
      const pause = Math.min(YIELD_TO_EVENTS_MS, (worked * (1 - WORK_SHARE_WHILE_EVENTS)) / WORK_SHARE_WHILE_EVENTS);
      await this.sleep(pause);
      this.pausedMs += pause;
    }
    this.workingSince = this.now();
  }

  /** How long this pass has paused for events so far (what a test looks at). */
  get paused(): number {
    return this.pausedMs;
  }
}
