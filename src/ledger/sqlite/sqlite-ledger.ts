import type { SourceTable } from '../../model/table.js';
import type { DueQuery, Ledger, LeaseHolder, ObservationBatch, ObserveResult, OperationNote, PassRecord, RedriveFilter, SourceCounts, SourceState, TargetCounts, WatchLease } from '../ledger.js';
import type { TargetPageRow, TargetPageQuery } from '../target-sql.js';
import type { OperationRecord } from '../operation-history.js';
import { newReplicaId } from '../replica-id.js';
import type { Outcome } from '../outcome.js';
import type { UnseenCounts, UnseenTable } from '../pass-stamps.js';
import { SqlitePassStamps } from './sqlite-pass-stamps.js';
import { SqliteRowReads } from './sqlite-row-reads.js';
import type { RowsPageQuery } from '../row-reads.js';
import type { MirrorRow } from '../rows.js';
import { redriveFailedPages } from '../redrive-pages.js';
import type { WriteHealth } from '../write-health.js';
import { GroupCommit } from './group-commit.js';
import { addUpCounts, SqliteStore, type LedgerOptions } from './sqlite-store.js';


/** Rows per read of a walk over the whole table (about 25 ms each). */
const ROWID_SPAN = 50_000;
const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The embedded ledger for one process: the Ledger interface over SqliteStore. Observations and outcomes
 * go through GroupCommit (one transaction per event-loop turn); the rest are single statements, answered
 * at once. Only one process sends for a file (the sender lease).
 */
export class SqliteLedger implements Ledger {
  readonly backend = 'sqlite' as const;
  readonly replicaId = newReplicaId();
  private readonly group: GroupCommit;
  private stamps: SqlitePassStamps | undefined;
  private reads: SqliteRowReads | undefined;

  constructor(
    readonly store: SqliteStore,
    readonly location: string,
  ) {
    this.group = new GroupCommit(store);
  }

  static open(path: string, options: LedgerOptions = {}): SqliteLedger {
    return new SqliteLedger(SqliteStore.open(path, options), path);
  }

  get writeHealth(): WriteHealth {
    return this.store.writeHealth;
  }

  async ready(): Promise<void> {}

  async ping(): Promise<void> {
    this.store.db.prepare('SELECT 1').get();
  }

  drained(): Promise<void> {
    return this.group.drained();
  }

  async close(): Promise<void> {
    await this.group.drained();
    this.store.close();
  }

  commit(batch: ObservationBatch, now = Date.now()): Promise<ObserveResult[]> {
    return this.group.write(() => {
      const results = this.store.observe(batch.observations, now);
      if (batch.source !== undefined && batch.cursor !== undefined) this.store.setCursor(batch.source, batch.cursor, now);
      if (batch.source !== undefined && batch.state !== undefined) this.store.setAdapterState(batch.source, batch.state);
      if (batch.seen) this.passStamps().markSeen(batch.seen.source, batch.seen.tables, batch.seen.stamp);
      return results;
      // A pass's batch acknowledges nothing to anyone (no cursor, no message deleted): losing it to a
      // power cut costs only the next pass listing it again, so it is not fsynced (a crash keeps it).
      // It is committed this turn (promptly) rather than after the relaxed writes' wait for company:
      // its hundreds of rows are company enough, the pass waits on it, and an event's durable write
      // that arrived in that wait would have shared the batch's transaction and waited for its rows.
    }, isPassBatch(batch) ? 'relaxed' : 'durable', isPassBatch(batch));
  }

  async cursor(source: string): Promise<string | undefined> {
    return this.store.cursor(source);
  }

  async sourceState(source: string): Promise<SourceState | undefined> {
    return this.store.sourceState(source);
  }

  async recordPass(source: string, pass: PassRecord): Promise<void> {
    this.store.recordPass(source, pass);
  }

  async adapterState(source: string): Promise<Map<string, string>> {
    return this.store.adapterState(source);
  }

  async sourceVersions(source: string, tables: readonly SourceTable[]): Promise<Array<string | undefined>> {
    return this.store.sourceVersions(source, tables);
  }

  async liveTables(source: string, namespacePrefix?: readonly string[]): Promise<SourceTable[]> {
    return this.store.liveTables(source, namespacePrefix);
  }

  /** Losing stamps costs nothing but the pass they belong to, which a crash ends anyway. */
  markSeen(source: string, tables: readonly SourceTable[], stamp: number): Promise<void> {
    return this.group.write(() => this.passStamps().markSeen(source, tables, stamp), 'relaxed');
  }

  /**
   * Read a span of rowids at a time, with the event loop given back in between: one statement over
   * 1,000,000 rows holds the loop for about half a second, which a running daemon's events would wait out.
   */
  async unseenCounts(source: string, stamp: number): Promise<UnseenCounts> {
    const stamps = this.passStamps();
    const last = this.store.maxId();
    const total = { mirrored: 0, unseen: 0 };
    for (let after = 0; after < last; after += ROWID_SPAN) {
      if (after > 0) await yieldToEvents();
      const span = stamps.unseenCounts(source, stamp, after, after + ROWID_SPAN);
      total.mirrored += span.mirrored;
      total.unseen += span.unseen;
    }
    return total;
  }

  async unseenTables(source: string, stamp: number, afterId: number, limit: number): Promise<UnseenTable[]> {
    const stamps = this.passStamps();
    const last = this.store.maxId();
    const found: UnseenTable[] = [];
    for (let after = afterId; found.length < limit && after < last; after += ROWID_SPAN) {
      if (after > afterId) await yieldToEvents();
      found.push(...stamps.unseenTables(source, stamp, after, after + ROWID_SPAN, limit - found.length));
    }
    return found;
  }

  /** Prepared on first use: a read-only open of an older ledger must not need the newer column. */
  private passStamps(): SqlitePassStamps {
    this.stamps ??= new SqlitePassStamps(this.store.db);
    return this.stamps;
  }

  async dueRows(query: DueQuery): Promise<MirrorRow[]> {
    return this.store.dueRows(query);
  }

  /** One process sends per file (the sender lease): every table is this process's to work on. */
  async claim(ids: readonly number[]): Promise<number[]> {
    return [...ids];
  }

  /** One process sends per file (the sender lease): there are no claims to give back. */
  async releaseClaims(): Promise<void> {}

  /** One process owns a SQLite ledger: there is no claim to keep. */
  async renewClaims(): Promise<void> {}

  async nextAttemptAfter(now: number, sources?: readonly string[]): Promise<number | undefined> {
    return this.store.nextAttemptAfter(now, sources);
  }

  async unfinished(sources?: readonly string[]): Promise<{ pending: number; failed: number }> {
    return this.store.unfinished(sources);
  }

  async get(id: number): Promise<MirrorRow | undefined> {
    return this.store.get(id);
  }

  async unappliedUpsertOfUuid(catalog: string, uuid: string, exceptId: number, polaris?: string): Promise<MirrorRow | undefined> {
    return this.store.unappliedUpsertOfUuid(catalog, uuid, exceptId, polaris);
  }

  /** Committed with the other writes of this turn (tables starting together, outcomes): the CREATE waits for it. */
  markSending(id: number, location: string, now?: number): Promise<void> {
    return this.group.write(() => this.store.markSending(id, location, now), 'relaxed', true);
  }

  async raiseTimestamp(id: number, timestamp: number, now?: number): Promise<void> {
    this.store.raiseTimestamp(id, timestamp, now);
  }

  applyOutcome(outcome: Outcome, now?: number, operation?: OperationNote): Promise<void> {
    return this.group.write(() => this.store.applyOutcome(outcome, now, operation), 'relaxed');
  }

  async history(tableId: number): Promise<OperationRecord[]> {
    return this.store.history.of(tableId);
  }

  async redriveIds(ids: readonly number[], now?: number): Promise<number[]> {
    return this.store.redriveIds(ids, now);
  }

  async rowsOfSource(source: string): Promise<MirrorRow[]> {
    return this.store.rowsOfSource(source);
  }

  async rowsPage(query: RowsPageQuery): Promise<MirrorRow[]> {
    return this.rowReads().rowsPage(query);
  }

  async rowsOfTables(source: string, tables: readonly SourceTable[]): Promise<MirrorRow[]> {
    return this.rowReads().rowsOfTables(source, tables);
  }

  private rowReads(): SqliteRowReads {
    this.reads ??= new SqliteRowReads(this.store.db);
    return this.reads;
  }

  /**
   * A span of rowids at a time, like unseenCounts: /metrics reads this at every scrape. The due count
   * comes from the same walk: counted apart, through the due index, it was one statement over the whole
   * backlog (about 200 ms at 1,000,000 pending tables, the loop held throughout).
   */
  async counts(now = Date.now()): Promise<SourceCounts[]> {
    const last = this.store.maxId();
    const spans: SourceCounts[] = [];
    for (let after = 0; after < last; after += ROWID_SPAN) {
      if (after > 0) await yieldToEvents();
      spans.push(...this.store.countsInSpan(after, after + ROWID_SPAN, now));
    }
    return addUpCounts(spans);
  }

  async targetCounts(): Promise<TargetCounts[]> {
    return this.store.targetCounts();
  }

  async targetNamespaces(target: { polaris: string; catalog: string }, sources: readonly string[]): Promise<string[]> {
    return this.store.targetNamespaces(target, sources);
  }

  async targetPage(query: TargetPageQuery): Promise<TargetPageRow[]> {
    return this.store.targetPage(query);
  }

  async markRefill(ids: readonly number[], now?: number): Promise<number[]> {
    return this.group.write(() => this.store.markRefill(ids, now), 'durable');
  }

  async redriveTransient(polaris: string, now?: number): Promise<number> {
    return this.group.write(() => this.store.redriveTransient(polaris, now), 'durable');
  }

  async failedRows(source: string, limit?: number): Promise<MirrorRow[]> {
    return this.store.failedRows(source, limit);
  }

  async retryingRows(source: string, limit?: number): Promise<MirrorRow[]> {
    return this.store.retryingRows(source, limit);
  }

  /** As the store's, but the loop is given back between pages: a daemon's events go on during a retry of a million failed tables. */
  async redrive(filter: RedriveFilter, now = Date.now()): Promise<number[]> {
    if (filter.table !== undefined) return this.store.redriveNamed(filter as RedriveFilter & { table: string }, now);
    return redriveFailedPages(this.store, filter, now, yieldToEvents);
  }

  async rowsNamed(name: string, source?: string): Promise<MirrorRow[]> {
    return this.store.rowsNamed(name, source);
  }

  async resetOrder(id: number, order: number, now?: number): Promise<void> {
    this.store.resetOrder(id, order, now);
  }

  async isValidated(catalog: string, location: string): Promise<boolean> {
    return this.store.isValidated(catalog, location);
  }

  markValidated(catalog: string, location: string, now?: number): Promise<void> {
    return this.group.write(() => this.store.markValidated(catalog, location, now), 'relaxed');
  }

  async acquireLease(command: string, now?: number, staleMs?: number): Promise<LeaseHolder | undefined> {
    return this.store.acquireLease(command, now, staleMs);
  }

  async leaseHolder(now?: number, staleMs?: number): Promise<LeaseHolder | undefined> {
    return this.store.leaseHolder(now, staleMs);
  }

  async heartbeat(now?: number): Promise<void> {
    this.store.heartbeat(now);
  }

  async releaseLease(): Promise<void> {
    this.store.releaseLease();
  }

  /** One process sends for a SQLite ledger (the sender lease): every watcher runs here. */
  async takeWatchLease(): Promise<boolean> {
    return true;
  }

  async dropWatchLease(): Promise<void> {}

  async watchLeases(): Promise<WatchLease[]> {
    return [];
  }
}

/** A batch of a pass only: no cursor or adapter state rides on it. */
function isPassBatch(batch: ObservationBatch): boolean {
  return batch.seen !== undefined && batch.cursor === undefined && batch.state === undefined;
}
