import type { Observation } from '../../src/model/observation.js';
import type { ObservationSink } from '../../src/model/source-adapter.js';
import { dottedName, type SourceTable } from '../../src/model/table.js';
import type { TableFilter } from '../../src/normalizer/glob.js';
import type { Logger } from '../../src/telemetry/logger.js';
import type { Metrics } from '../../src/telemetry/metrics.js';
import { messageOf } from '../../src/util/errors.js';
import type { EventClock } from './event-clock.js';
import { interpretEvent, type Interpretation, type TableChange } from './messages/interpret-event.js';
import type { NotificationEvent } from './catalog-records.js';
import type { NotificationLogReader } from './log-reader.js';
import { readTableKind, type TableRead } from './table-reader.js';

export interface BatchDeps {
  readonly source: string;
  readonly client: NotificationLogReader;
  readonly clock: EventClock;
  readonly filter: TableFilter;
  readonly catalogName: string | undefined;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface BatchResult {
  readonly observations: Observation[];
  /** Per sourceEvents outcome. */
  readonly counts: { applied: number; ignored: number; unparseable: number };
}

type At = { readonly order: number; readonly sourceTimeMs: number };

/**
 * The observations a contiguous run of log events produces, in event-id order (the ledger keeps the
 * last one per table, so a table committed five times in a batch costs one notification). Each event
 * is ordered by EventClock and timed by its event time. Never throws for one bad event: an unreadable
 * message is logged with its event id and reason and the table it names is read instead; only a
 * metastore outage throws (the batch is then fetched again). `observations` holds what earlier batches
 * of the same commit produced (a dropped database takes the tables they created): this batch's are
 * added to it.
 */
export async function observeBatch(events: readonly NotificationEvent[], sink: ObservationSink, deps: BatchDeps, observations: Observation[] = []): Promise<BatchResult> {
  const { clock, metrics, source, catalogName, logger } = deps;
  clock.cover(events.at(-1)!.eventId);
  const counts = { applied: 0, ignored: 0, unparseable: 0 };
  for (const event of events) {
    const at: At = { order: clock.orderOfEvent(event.eventId), sourceTimeMs: event.eventTime > 0 ? event.eventTime * 1000 : Date.now() };
    const result = interpretSafely(event, catalogName);
    switch (result.kind) {
      case 'ignored':
        counts.ignored++;
        if (result.reason === 'not-iceberg' || result.reason === 'view') metrics.skipped.inc({ source, reason: result.reason });
        break;
      case 'drop-database': {
        const tables = await tablesOfDatabase(sink, result.db, observations, deps.filter);
        for (const table of tables) observations.push({ table, state: 'absent', order: at.order, sourceTimeMs: at.sourceTimeMs });
        counts[tables.length > 0 ? 'applied' : 'ignored']++;
        break;
      }
      case 'changes':
        counts[(await observeChanges(result.changes, at, observations, deps)) > 0 ? 'applied' : 'ignored']++;
        break;
      case 'unparseable': {
        counts.unparseable++;
        const table = event.dbName && event.tableName ? `${event.dbName}.${event.tableName}` : undefined;
        logger.warn(
          { source, eventId: event.eventId.toString(), eventType: event.eventType, table, messageFormat: event.messageFormat, reason: result.reason },
          `event ${event.eventId} (${event.eventType}${table ? ` ${table}` : ''}) of ${source} cannot be read: ${result.reason}; ${
            result.fallback.length > 0 ? 'the table is read from the metastore instead' : 'skipped (the next full pass covers it)'
          }`,
        );
        await observeChanges(result.fallback, at, observations, deps);
        break;
      }
    }
  }
  return { observations, counts };
}

/** Adds an observation per change in scope; `read` changes read the table now. Returns how many. */
async function observeChanges(changes: readonly TableChange[], at: At, into: Observation[], deps: BatchDeps): Promise<number> {
  let added = 0;
  for (const change of changes) {
    // Out-of-scope tables are left out here, before any metastore read is spent on them.
    if (!deps.filter.acceptsTable(change.table)) continue;
    if (change.kind === 'present') {
      into.push({ table: change.table, state: 'present', metadataLocation: change.metadataLocation, tableUuid: change.tableUuid, order: at.order, sourceTimeMs: at.sourceTimeMs });
    } else if (change.kind === 'absent') {
      // Unconfirmed: the engine re-reads the table right before any DROP.
      into.push({ table: change.table, state: 'absent', order: at.order, sourceTimeMs: at.sourceTimeMs });
    } else {
      // The table as it is now: at least as new as the event, so the event's order fits it.
      const read = await readForEvent(change.table, deps);
      if (!read) continue;
      if (read.kind === 'iceberg') into.push({ table: change.table, state: 'present', metadataLocation: read.metadataLocation, tableUuid: read.tableUuid, order: at.order, sourceTimeMs: at.sourceTimeMs });
      else if (read.kind === 'absent') into.push({ table: change.table, state: 'absent', order: at.order, sourceTimeMs: at.sourceTimeMs });
      else {
        deps.metrics.skipped.inc({ source: deps.source, reason: read.kind === 'skip' ? read.reason : 'no-metadata-location' });
        continue;
      }
    }
    added++;
  }
  return added;
}

/**
 * Reads a table an event names. An error the catalog itself answers about the table (e.g. no
 * permission on it) is logged and skipped, or one table would stall the whole log; an outage
 * throws, and the batch is fetched again later.
 */
async function readForEvent(table: SourceTable, deps: BatchDeps): Promise<TableRead | undefined> {
  try {
    return await readTableKind(deps.client, table);
  } catch (error) {
    if (!deps.client.isTableRefusal(error)) throw error;
    deps.logger.warn({ source: deps.source, table: dottedName(table), err: messageOf(error) }, `could not read ${dottedName(table)} from ${deps.source}: ${messageOf(error)}; the next full pass tries again`);
    return undefined;
  }
}

/** Every table of a dropped database: those the mirror holds, and those created earlier in this batch. */
async function tablesOfDatabase(sink: ObservationSink, db: string, batch: readonly Observation[], filter: TableFilter): Promise<SourceTable[]> {
  const tables = new Map<string, SourceTable>();
  for (const table of await sink.knownTables([db])) if (table.namespace.length === 1) tables.set(table.name, table);
  for (const o of batch) if (o.state === 'present' && o.table.namespace.length === 1 && o.table.namespace[0] === db) tables.set(o.table.name, o.table);
  return [...tables.values()].filter((t) => filter.acceptsTable(t));
}

/** interpretEvent, with any unexpected failure treated like an unreadable message (never a stalled log). */
function interpretSafely(event: NotificationEvent, catalogName: string | undefined): Interpretation {
  try {
    return interpretEvent(event, catalogName);
  } catch (error) {
    return { kind: 'unparseable', reason: messageOf(error), fallback: [] };
  }
}
