import type { Observation } from '../../src/model/observation.js';
import type { ObservationSink } from '../../src/model/source-adapter.js';
import type { TableFilter } from '../../src/normalizer/glob.js';
import type { Logger } from '../../src/telemetry/logger.js';
import type { Metrics } from '../../src/telemetry/metrics.js';
import { MirrorError, messageOf } from '../../src/util/errors.js';
import { sleep } from '../../src/util/sleep.js';
import { observeBatch } from './event-batch.js';
import { MAX_EVENT_ID_LEAD, type EventClock } from './event-clock.js';
import type { NotificationEvent } from './catalog-records.js';
import { parseEventId } from './event-id.js';
import type { NotificationLogReader } from './log-reader.js';

export interface LogWatcherOptions {
  readonly source: string;
  /** The watcher's own connection (a slow listing on another must not hold up the log). */
  readonly client: NotificationLogReader;
  readonly clock: EventClock;
  readonly filter: TableFilter;
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  readonly catalogName: string | undefined;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** The longest pause after repeated failures (the metastore down, a listing failing). */
const MAX_BACKOFF_MS = 30_000;

/**
 * How many full batches, and events, one ledger commit takes while the log is behind (see apply()).
 * Four batches of 500 per commit: the daemon's CPU for the Hive events benchmark's 100,000 events fell
 * by about 7% (medians of four alternating runs, `npm run bench -- hive`). The requests to the
 * metastore stay the size the configuration asks for.
 */
const COMMIT_BATCHES = 4;
const COMMIT_EVENTS = 2_000;

const OUTCOMES = ['applied', 'ignored', 'unparseable'] as const;

/** A contiguous run of events from one fetch. */
interface Run {
  readonly events: readonly NotificationEvent[];
  /** The whole batch, at its full size: more is waiting (the next batch is already asked for). */
  readonly full: boolean;
  /** Nothing is waiting after it: the watcher may idle. */
  readonly caughtUp: boolean;
}

/**
 * Change capture from the metastore's notification log (DbNotificationListener).
 *
 * The cursor is the last event id applied; it is committed in the same ledger transaction as the
 * observations its events produced, so a crash replays nothing twice and loses nothing. First start,
 * or a gap (events expired before they were read, or a log that went backwards): read the current
 * event id N first, run a full reconciliation pass, commit cursor N, then consume events after N —
 * anything that happened meanwhile is either in the listing or after N.
 */
export class LogWatcher {
  private wakeIdle: (() => void) | undefined;
  private woken = false;
  /** The next batch, asked for while the current one is applied (see step()). */
  private prefetched: { readonly after: bigint; readonly events: Promise<NotificationEvent[]> } | undefined;
  /** The cursor committed last (hook events at or below it were already applied from the log). */
  committed: bigint | undefined;
  /** The highest event id the log has shown (its current id, or the last event fetched). */
  head: bigint | undefined;

  constructor(private readonly options: LogWatcherOptions) {}

  /** A hook saw a new event: poll now instead of at the next interval. */
  wake(): void {
    this.woken = true;
    this.wakeIdle?.();
  }

  async run(sink: ObservationSink, signal: AbortSignal): Promise<void> {
    const { clock, logger, source } = this.options;
    clock.restore(await sink.state());
    const saved = await sink.cursor();
    let cursor = saved === undefined ? undefined : parseEventId(saved);
    if (saved !== undefined && cursor === undefined) logger.warn({ source, cursor: saved }, `the stored cursor "${saved}" of ${source} is not an event id; listing the metastore again`);
    this.committed = cursor;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (cursor === undefined) cursor = await this.bootstrap(sink, signal, saved === undefined ? 'first start' : 'unreadable cursor');
        const step = await this.step(sink, cursor, signal);
        cursor = step.cursor;
        failures = 0;
        if (step.caughtUp) await this.idle(this.options.pollIntervalMs, signal);
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        const delay = Math.min(MAX_BACKOFF_MS, this.options.pollIntervalMs * 2 ** failures);
        logger.warn(
          { source, err: messageOf(error), hint: error instanceof MirrorError ? error.hint : undefined, retryInMs: delay },
          `reading the notification log of ${source} failed: ${messageOf(error)}; trying again in ${delay} ms`,
        );
        await this.idle(delay, signal);
      }
    }
  }

  /** Applies the events after `cursor` (one batch, or several while the log is behind: see apply()) or recovers from a gap; returns the new cursor. */
  private async step(sink: ObservationSink, cursor: bigint, signal: AbortSignal): Promise<{ cursor: bigint; caughtUp: boolean }> {
    const { client, batchSize, metrics, source } = this.options;
    let events = await this.fetch(cursor);
    if (events.length === 0) {
      metrics.sourceLag.set({ source }, 0);
      const current = await client.currentNotificationEventId();
      this.sawHead(current);
      if (current < cursor) {
        return { cursor: await this.gap(sink, signal, `the notification log went back (current event id ${current} < cursor ${cursor}): was the metastore database restored or replaced?`), caughtUp: false };
      }
      if (current === cursor) return { cursor, caughtUp: true };
      // Events exist after the cursor, yet none was returned: expired, unless one just arrived.
      events = await client.nextNotifications(cursor, batchSize);
      if (events.length === 0) return { cursor: await this.gap(sink, signal, `events ${cursor + 1n}…${current} expired before they were read`), caughtUp: false };
    }
    this.sawHead(events.at(-1)!.eventId);
    const first = events[0]!.eventId;
    if (first !== cursor + 1n) {
      const what = first <= cursor ? `the metastore returned event ${first}, not after the cursor ${cursor}` : `events ${cursor + 1n}…${first - 1n} expired before they were read`;
      return { cursor: await this.gap(sink, signal, what), caughtUp: false };
    }
    return this.apply(sink, this.contiguousRun(events));
  }

  /**
   * The events up to the first hole (a hole is found as a gap by the next fetch), and whether more are
   * waiting. A full batch means more is waiting: the next is asked for now, so the metastore assembles it
   * while this one is parsed and committed. Only reads are overlapped; the cursor moves one commit at a time.
   */
  private contiguousRun(events: readonly NotificationEvent[]): Run {
    let end = 1;
    while (end < events.length && events[end]!.eventId === events[end - 1]!.eventId + 1n) end++;
    const full = end === events.length && events.length === this.options.batchSize;
    if (full) this.prefetch(events[end - 1]!.eventId);
    return { events: events.slice(0, end), full, caughtUp: !full && end === events.length };
  }

  /**
   * The prefetched batch when it continues the run at `after` without a hole, for the same commit.
   * Otherwise (an error, nothing yet, a hole) it is left in place, and the next step() meets it as usual.
   */
  private async following(after: bigint): Promise<Run | undefined> {
    const prefetched = this.prefetched;
    if (prefetched?.after !== after) return undefined;
    const events = await prefetched.events.catch(() => undefined);
    if (!events || events.length === 0 || events[0]!.eventId !== after + 1n) return undefined;
    this.prefetched = undefined;
    this.sawHead(events.at(-1)!.eventId);
    return this.contiguousRun(events);
  }

  /**
   * The log has shown this id: it bounds the ids the clock may hold anchors for (a hook's far-future
   * id, or one restored from an earlier version's state, must not freeze the event order).
   */
  private sawHead(eventId: bigint): void {
    if (this.head === undefined || eventId > this.head) this.head = eventId;
    this.options.clock.forgetAbove(this.head + MAX_EVENT_ID_LEAD);
  }

  /** Events after `cursor`: the prefetched batch when it was asked for from there, else a new call. */
  private fetch(cursor: bigint): Promise<NotificationEvent[]> {
    const prefetched = this.prefetched;
    this.prefetched = undefined;
    if (prefetched?.after === cursor) return prefetched.events;
    return this.options.client.nextNotifications(cursor, this.options.batchSize);
  }

  private prefetch(after: bigint): void {
    const events = this.options.client.nextNotifications(after, this.options.batchSize);
    // Awaited by the next fetch(); if that never comes (a failed commit, a stop), it must not go unhandled.
    events.catch(() => undefined);
    this.prefetched = { after, events };
  }

  private async gap(sink: ObservationSink, signal: AbortSignal, what: string): Promise<bigint> {
    const { logger, metrics, source } = this.options;
    metrics.sourceGaps.inc({ source });
    logger.warn(
      { source, hint: 'raise hive.metastore.event.db.listener.timetolive, or keep the connector running: events must be read before they expire' },
      `gap in the notification log of ${source}: ${what}; listing the metastore again (changes in the gap are taken from the listing)`,
    );
    return this.bootstrap(sink, signal, 'gap');
  }

  /** Current event id N, then a full pass, then cursor N. */
  private async bootstrap(sink: ObservationSink, signal: AbortSignal, why: string): Promise<bigint> {
    const { client, clock, logger, source } = this.options;
    const current = await client.currentNotificationEventId();
    this.sawHead(current);
    logger.info({ source, eventId: current.toString(), why }, `listing ${source} in full (${why}); then reading the notification log after event ${current}`);
    const summary = await sink.reconcile(signal);
    if (!summary?.complete) {
      throw new MirrorError(`the full listing of ${source} failed, so the notification log is not read yet: ${summary?.error ?? 'the source cannot be listed'}`, {
        retryable: true,
        hint: summary?.hint,
      });
    }
    await sink.commit([], { cursor: current.toString(), state: clock.stateAt(current) });
    this.committed = current;
    return current;
  }

  /**
   * Turns a contiguous run of events into observations and commits them with the last id as cursor.
   * While the log is behind (each batch full), the batches that follow join the same commit, up to
   * COMMIT_BATCHES batches and COMMIT_EVENTS events: a commit writes every ledger page its rows touch,
   * and a table committed in several of those batches is written to the ledger once per event but its
   * page once per commit. The batches are still read one request at a time, each while the one before is parsed.
   */
  private async apply(sink: ObservationSink, first: Run): Promise<{ cursor: bigint; caughtUp: boolean }> {
    const { batchSize, clock, metrics, source } = this.options;
    const observations: Observation[] = [];
    const counts = { applied: 0, ignored: 0, unparseable: 0 };
    let run: Run = first;
    let batches = 0;
    let taken = 0;
    for (;;) {
      const batch = await observeBatch(run.events, sink, this.options, observations);
      // Every message of the run has been read: the memory holding them goes to the next batch.
      run.events[0]!.releaseMessage?.();
      for (const outcome of OUTCOMES) counts[outcome] += batch.counts[outcome];
      batches++;
      taken += run.events.length;
      if (!run.full || batches >= COMMIT_BATCHES || taken + batchSize > COMMIT_EVENTS) break;
      const next = await this.following(run.events.at(-1)!.eventId);
      if (!next) break;
      run = next;
    }
    const last = run.events.at(-1)!;
    await sink.commit(observations, { cursor: last.eventId.toString(), state: clock.stateAt(last.eventId) });
    this.committed = last.eventId;
    for (const outcome of OUTCOMES) if (counts[outcome] > 0) metrics.sourceEvents.inc({ source, outcome }, counts[outcome]);
    if (last.eventTime > 0) metrics.sourceLag.set({ source }, Math.max(0, (Date.now() - last.eventTime * 1000) / 1000));
    return { cursor: last.eventId, caughtUp: run.caughtUp };
  }

  /** Sleeps, unless a hook event or the signal ends the wait early. */
  private async idle(ms: number, signal: AbortSignal): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return;
    }
    const controller = new AbortController();
    this.wakeIdle = () => controller.abort();
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await sleep(ms, controller.signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.wakeIdle = undefined;
      this.woken = false;
    }
  }
}
