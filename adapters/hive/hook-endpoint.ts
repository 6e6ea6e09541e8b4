import { formatPath } from '../../src/config/config-error.js';
import type { Observation } from '../../src/model/observation.js';
import { ProblemList } from '../../src/model/problem-list.js';
import type { IngestEndpoint, IngestParseResult, ObservationSink } from '../../src/model/source-adapter.js';
import type { Metrics } from '../../src/telemetry/metrics.js';
import { messageOf } from '../../src/util/errors.js';
import { WorkSlicer } from '../../src/util/work-slicer.js';
import { MAX_EVENT_ID_LEAD, type EventClock } from '../hive-log/event-clock.js';
import { hookEventId, hookEventSchema, type HookEvent } from './hook-events.js';
import { InflateBudget, InflateBudgetExceeded } from '../hive-log/messages/decode-message.js';
import { interpretEvent, type Interpretation } from '../hive-log/messages/interpret-event.js';

/** With `uris`: the notification log is the truth and hook events only speed it up. */
export interface HookLog {
  /** The cursor committed last; hook events at or below it were already applied from the log. */
  committed(): bigint | undefined;
  /** The highest event id the log has shown (undefined before it was read): hook ids are checked against it. */
  head(): bigint | undefined;
  /** Poll the log now. */
  wake(): void;
  readonly clock: EventClock;
}

export interface HookEndpointOptions {
  readonly source: string;
  readonly token: string;
  /** The same optional hardening as the webhook source: an HMAC-SHA256 body signature, a request rate limit. */
  readonly signature?: IngestEndpoint['signature'];
  readonly rateLimit?: IngestEndpoint['rateLimit'];
  readonly catalogName: string | undefined;
  readonly metrics: Metrics;
  /** Undefined: hook-only, the events are trusted. */
  readonly log: HookLog | undefined;
  /** The engine's sink once the source runs (DROP_DATABASE needs the tables the mirror holds). */
  sink(): ObservationSink | undefined;
}

type Item = { path: string; observation: Observation };

/**
 * What the gzip messages of one request may inflate to in all. Real messages are kilobytes and a
 * listener sends a few hundred per request; a body of small gzip bombs would otherwise cost seconds.
 */
export const HOOK_INFLATE_BYTES_PER_REQUEST = 16 * 1024 * 1024;

/**
 * POST /v1/sources/{name}/hive-events: events exactly as DbNotificationListener records them, parsed
 * like the log's. Hook-only (no uris): trusted like the webhook ingest — drops need no confirmation —
 * and ordered per table by event id, or by event time when no id is sent. With uris: triggers — the
 * log is polled at once, present states are taken from the message (ordered among the log's events
 * by their id), and every absence is confirmed by reading the table right before a DROP.
 */
export class HiveHookEndpoint implements IngestEndpoint {
  readonly path = 'hive-events';
  readonly token: string;
  readonly signature: IngestEndpoint['signature'];
  readonly rateLimit: IngestEndpoint['rateLimit'];

  constructor(private readonly options: HookEndpointOptions) {
    this.token = options.token;
    this.signature = options.signature;
    this.rateLimit = options.rateLimit;
  }

  countEvents(body: unknown): number {
    return Array.isArray(body) ? body.length : 1;
  }

  async parse(body: unknown, receivedAt: number): Promise<IngestParseResult> {
    const batch = Array.isArray(body);
    const raws: unknown[] = batch ? body : [body];
    if ((batch && raws.length === 0) || (!batch && (body === null || typeof body !== 'object'))) {
      return { items: [], problems: [{ path: '', message: 'expected an event object or a non-empty array of them' }], accepted: 0, message: 'the body must be a notification event {eventType, dbName, tableName, message, messageFormat, …} or an array of them' };
    }
    const items: Item[] = [];
    const problems = new ProblemList();
    const counts = { applied: 0, ignored: 0, unparseable: 0 };
    const budget = new InflateBudget(HOOK_INFLATE_BYTES_PER_REQUEST);
    // One event may inflate and parse megabytes: yield to the event loop after each.
    const slicer = new WorkSlicer(1);
    for (const [index, raw] of raws.entries()) {
      const at = batch ? [index] : [];
      const parsed = hookEventSchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.push({ path: formatPath([...at, ...issue.path]) || 'event', message: issue.message });
      } else {
        const outcome = await this.event(parsed.data, at, receivedAt, items, problems, budget);
        if (outcome === 'too-large') {
          return {
            items: [],
            problems: [],
            accepted: 0,
            tooLarge: `the gzip messages of this request inflate to more than ${HOOK_INFLATE_BYTES_PER_REQUEST} bytes in all (at ${formatPath([...at, 'message']) || 'message'}); send fewer events per request`,
          };
        }
        counts[outcome]++;
      }
      await slicer.spend();
    }
    for (const [outcome, count] of Object.entries(counts)) if (count > 0) this.options.metrics.sourceEvents.inc({ source: this.options.source, outcome }, count);
    this.options.log?.wake();
    return { items, problems: problems.kept, problemCount: problems.total, accepted: raws.length };
  }

  /** One event's observations (or problems); returns how it counts. */
  private async event(
    event: HookEvent,
    at: number[],
    receivedAt: number,
    items: Item[],
    problems: ProblemList,
    budget: InflateBudget,
  ): Promise<'applied' | 'ignored' | 'unparseable' | 'too-large'> {
    const { log } = this.options;
    const result = this.interpret(event, budget);
    if (result === 'too-large') return 'too-large';
    if (result.kind === 'ignored') return 'ignored';
    if (result.kind === 'unparseable') {
      problems.push({ path: formatPath([...at, 'message']), message: `the message cannot be read: ${result.reason}` });
      return 'unparseable';
    }
    const order = this.order(event, receivedAt);
    if (order === undefined) return 'ignored'; // a trigger only: the log brings this event
    const base = { order, sourceTimeMs: typeof event.eventTime === 'number' ? event.eventTime * 1000 : receivedAt };
    // Hook-only drops are trusted as sent; with a log to compare, the table is re-read before a DROP.
    const confirmed = log === undefined;
    const before = items.length;
    if (result.kind === 'drop-database') {
      const sink = this.options.sink();
      if (!sink) {
        problems.push({ path: formatPath([...at, 'dbName']), message: 'the source is not running yet, so the tables of this database are unknown; send the event again' });
        return 'ignored';
      }
      for (const table of await sink.knownTables([result.db])) {
        if (table.namespace.length === 1) items.push({ path: formatPath([...at, 'dbName']), observation: { table, state: 'absent', confirmed, ...base } });
      }
      return items.length > before ? 'applied' : 'ignored';
    }
    for (const change of result.changes) {
      const path = formatPath([...at, 'tableName']);
      if (change.kind === 'present') {
        items.push({ path, observation: { table: change.table, state: 'present', metadataLocation: change.metadataLocation, tableUuid: change.tableUuid, ...base } });
      } else if (change.kind === 'absent') {
        items.push({ path, observation: { table: change.table, state: 'absent', confirmed, ...base } });
      } else if (!log) {
        problems.push({
          path: formatPath([...at, 'message']),
          message: 'the message has no metadata_location and a hook-only source cannot read the table: configure uris, or stop excluding metadata_location (hive.metastore.notification.parameters.exclude.patterns)',
        });
        return 'unparseable';
      }
      // With a log: the log's copy of this event reads the table.
    }
    return items.length > before ? 'applied' : 'ignored';
  }

  /**
   * Hook-only: the event id (any two events of a table are ordered by it), else the event time, else
   * the time received. With a log: an order among the log's events (EventClock), or undefined when the
   * event needs no observation here (no id to place it, an id the log cannot vouch for, or one the
   * log already applied).
   */
  private order(event: HookEvent, receivedAt: number): number | undefined {
    const id = hookEventId(event);
    const { log } = this.options;
    if (!log) {
      if (id !== undefined) return Number(id);
      return typeof event.eventTime === 'number' ? event.eventTime * 1000 : receivedAt;
    }
    if (id === undefined) return undefined;
    const committed = log.committed();
    if (committed !== undefined && id <= committed) return undefined;
    // An id the log cannot vouch for (not read yet, or implausibly far ahead of it) is only a trigger:
    // placed among the log's events it could freeze their order (see MAX_EVENT_ID_LEAD).
    const head = log.head();
    if (head === undefined || id > head + MAX_EVENT_ID_LEAD) return undefined;
    // Events before this one (not read from the log yet) must order below it, whatever they become.
    if (id > 0n) log.clock.cover(id - 1n);
    return log.clock.orderOfEvent(id);
  }

  private interpret(event: HookEvent, budget: InflateBudget): Interpretation | 'too-large' {
    try {
      return interpretEvent(
        { eventType: event.eventType, dbName: event.dbName ?? undefined, tableName: event.tableName ?? undefined, message: event.message, messageFormat: event.messageFormat ?? undefined, catName: event.catName ?? undefined },
        this.options.catalogName,
        budget,
      );
    } catch (error) {
      if (error instanceof InflateBudgetExceeded) return 'too-large';
      return { kind: 'unparseable', reason: messageOf(error), fallback: [] };
    }
  }
}
