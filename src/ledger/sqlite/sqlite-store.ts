import Database from 'better-sqlite3';
import { closeSync, fsync, mkdirSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { joinNamespace, splitNamespace, type PolarisTable, type SourceTable } from '../../model/table.js';
import { DEFAULT_POLARIS } from '../../config/targets.js';
import { perTarget, type NormalizedObservation } from '../../normalizer/normalize.js';
import { combineResults, perItem } from '../fan-out.js';
import type { TargetObservation } from '../observe-plan.js';
import { inRedriveScope, type RedriveFilter, type DueQuery, type LeaseHolder, type ObserveResult, type OperationNote, type SourceCounts, type SourceState, type TargetCounts } from '../ledger.js';
import { toTargetCounts, type TargetCountRecord } from '../target-counts.js';
import { toSourceState, type SourceStateRecord } from '../source-state.js';
import { OperationHistory } from '../operation-history.js';
import { LedgerDamagedError } from '../ledger-damaged.js';
import type { Outcome } from '../outcome.js';
import { leaseIsLive } from '../process-lease.js';
import { toMirrorRow, type MirrorRow, type TableRecord } from '../rows.js';
import { nextCursor, REDRIVE_PAGE, redriveFailedPages, toRedriveCandidate, type FailedRowPages, type RedriveCandidate, type RedriveCursor, type RedrivePage } from '../redrive-pages.js';
import { toTargetPageRow, type TargetPageRow, type TargetPageQuery } from '../target-sql.js';
import { ownerCheckNeeded, planObservation } from '../observe-plan.js';
import { OUTCOME_COLUMNS, planOutcome } from '../outcome-plan.js';
import { matchesTableName, tableNameCandidates } from '../table-ownership.js';
import { WriteHealth } from '../write-health.js';
import { BackgroundCheckpoint } from './background-checkpoint.js';
import { migrate } from './migrate.js';
import { prepareStatements, type Statements } from './statements.js';
import { SqliteObserver, writePlan } from './sqlite-observe.js';
import { dueRowsSql } from './due-rows-sql.js';
import { rawRecords } from './raw-records.js';
import { outcomeUpdateParams } from './outcome-sql.js';

export interface LedgerOptions {
  readonly readonly?: boolean;
}

/**
 * The SQLite ledger's synchronous core (SqliteLedger puts the Ledger interface over it): one row per
 * table with desired and applied state, each source's cursor and last pass, VALIDATE results and the
 * sender lease. SQLite in WAL mode with
 * synchronous=FULL: a commit survives a process kill *and* a power loss, which is what an HTTP 202 or a
 * deleted SQS message promise. Writes are batched by GroupCommit, which commits with NORMAL and, for
 * batches with writes that must survive a power loss, syncs the log off the event loop (syncLog)
 * before acknowledging them.
 */
export class SqliteStore implements FailedRowPages {
  readonly db: Database.Database;
  /** The outcome of the latest write: a full disk leaves the ledger readable but unable to store (/readyz). */
  readonly writeHealth = new WriteHealth();
  /** Each table's last operations (the console's table page). */
  readonly history: OperationHistory;
  private readonly statements: Statements;
  private batchObserver: SqliteObserver | undefined;
  /** The due-rows statements by filter combination (a handful: see dueRowsSql). */
  private readonly dueStatements = new Map<string, (...params: unknown[]) => TableRecord[]>();

  /** The writer's checkpoints, run off the event loop (none for a read-only connection). */
  private readonly checkpoints: BackgroundCheckpoint | undefined;

  /** The write-ahead log, opened at the first syncLog(): what an fsync off the event loop flushes. */
  private logFd: number | undefined;

  private constructor(
    db: Database.Database,
    private readonly path: string,
    checkpoints?: BackgroundCheckpoint,
  ) {
    this.db = db;
    this.checkpoints = checkpoints;
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
    this.statements = prepareStatements(db, this.writeHealth);
    this.history = new OperationHistory(db);
  }

  /**
   * Opens (or creates) the ledger. A writer checks the file's integrity first (PRAGMA quick_check):
   * a damaged ledger must stop the process with a clear error, not send from half-read state.
   */
  static open(path: string, options: LedgerOptions = {}): SqliteStore {
    if (!options.readonly) mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
      db.pragma('busy_timeout = 5000');
      // Reading the schema fails at once on a file that is not a database (a readonly open stops here).
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      if (!options.readonly) {
        const check = db.pragma('quick_check', { simple: true });
        if (check !== 'ok') throw new LedgerDamagedError(path, String(check));
        db.pragma('journal_mode = WAL');
        // A checkpoint copies every page changed since the last one into the file and fsyncs it. They
        // run on a worker thread (BackgroundCheckpoint); the writer's own, on the event loop, is the
        // backstop: at SQLite's default (1,000 pages, 4 MB) a stream of log batches would checkpoint
        // every other commit, 10,000 pages (a WAL of up to 40 MB) does it a tenth as often.
        db.pragma('wal_autocheckpoint = 10000');
        db.pragma('synchronous = FULL');
        migrate(db);
        return new SqliteStore(db, path, BackgroundCheckpoint.start(path));
      }
      return new SqliteStore(db, path);
    } catch (error) {
      db?.close();
      if (error instanceof LedgerDamagedError) throw error;
      const code = (error as { code?: string }).code;
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code?.startsWith('SQLITE_CORRUPT')) {
        throw new LedgerDamagedError(path, (error as Error).message);
      }
      throw error;
    }
  }

  close(): void {
    // The worker's connection first: the writer's close must be the last, which removes the WAL.
    this.checkpoints?.close();
    if (this.logFd !== undefined) closeSync(this.logFd);
    this.logFd = undefined;
    if (this.db.open) this.db.close();
  }

  private synchronous: 'FULL' | 'NORMAL' = 'FULL';

  /**
   * FULL (fsync on commit) or NORMAL (durable across a process crash only) for the next commits; see
   * GroupCommit. Writes that must survive a power loss on their own set FULL first.
   */
  setSynchronous(level: 'FULL' | 'NORMAL'): void {
    if (level === this.synchronous) return;
    this.db.pragma(`synchronous = ${level}`);
    this.synchronous = level;
  }

  /**
   * Makes every commit so far survive a power loss: an fsync of the write-ahead log on libuv's thread
   * pool, while the event loop goes on (GroupCommit commits with synchronous=NORMAL, which writes the
   * log without syncing it, and acknowledges its durable writes once this resolves). An fsync flushes
   * the file, whichever descriptor wrote it; SQLite keeps the same log file while the ledger is open.
   */
  syncLog(): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        this.logFd ??= openSync(`${this.path}-wal`, 'r');
      } catch (error) {
        reject(error);
        return;
      }
      fsync(this.logFd, (error) => (error ? reject(error) : resolve()));
    });
  }

  /**
   * One transaction wrapper for every call: better-sqlite3's db.transaction(fn) builds four wrapped
   * functions and their properties each time, which cost more than the savepoint it runs (a group
   * commit opens one per write).
   */
  private readonly inTransaction: (fn: () => unknown) => unknown;

  /** Runs fn in a transaction (a savepoint when already inside one). */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.inTransaction(fn) as T;
    // The outermost transaction: its commit is where a full disk shows.
    try {
      const result = this.inTransaction(fn) as T;
      this.writeHealth.succeeded();
      return result;
    } catch (error) {
      this.writeHealth.failed(error);
      throw error;
    }
  }

  // ---- observations -------------------------------------------------------------------------------

  /**
   * Stores observations as the tables' desired state. An observation older (by `order`) than the
   * stored one is ignored; a changed state gets the table's next timestamp. Call inside a transaction
   * together with the cursor it advances.
   */
  observe(items: readonly NormalizedObservation[], now = Date.now()): ObserveResult[] {
    // Each target has its own row: applied state, timestamps and attempts are kept per target.
    const expanded = items.map(perTarget);
    const rows = expanded.flat();
    if (!SqliteObserver.fits(rows)) return perItem(items, perTarget, (item) => this.observeOne(item, now));
    const stored = this.observer().store(rows, now);
    let next = 0;
    return expanded.map((targets) => combineResults(targets.map(() => stored[next++]!)));
  }

  /** Prepared on first use: a read-only open of an older ledger must not need statements it cannot prepare. */
  private observer(): SqliteObserver {
    this.batchObserver ??= new SqliteObserver(this.db, this.statements);
    return this.batchObserver;
  }

  private observeOne(item: TargetObservation, now: number): ObserveResult {
    const s = this.statements;
    const { source, target, polaris, observation: obs } = item;
    const existing = s.byKey.get(source, joinNamespace(obs.table.namespace), obs.table.name, polaris, target.catalog) as TableRecord | undefined;
    const owner = ownerCheckNeeded(existing, item) ? this.ownerOf(target, source, polaris) : undefined;
    const plan = planObservation(item, existing, owner, now);
    return writePlan(s, plan, owner, now, (values) => s.changeDesired.run(values));
  }

  /** Another source whose row mirrors (or is about to mirror) this Polaris table on this instance. */
  private ownerOf(target: PolarisTable, source: string, polaris: string): string | undefined {
    const row = this.statements.ownerOf.get(target.catalog, joinNamespace(target.namespace), target.name, source, polaris) as
      | { source: string }
      | undefined;
    return row?.source;
  }

  // ---- cursors and passes -------------------------------------------------------------------------

  cursor(source: string): string | undefined {
    const row = this.statements.sourceState.get(source) as { cursor: string | null } | undefined;
    return row?.cursor ?? undefined;
  }

  setCursor(source: string, cursor: string, now = Date.now()): void {
    this.statements.upsertSource.run({ name: source, updated_at: now });
    this.statements.setCursor.run({ name: source, cursor, updated_at: now });
  }

  sourceState(source: string): SourceState | undefined {
    const r = this.statements.sourceState.get(source) as SourceStateRecord | undefined;
    return r ? toSourceState(r) : undefined;
  }

  recordPass(
    source: string,
    pass: { startedAt: number; endedAt: number; complete: boolean; summary: unknown; error?: string; hint?: string },
  ): void {
    this.setSynchronous('FULL');
    this.statements.upsertSource.run({ name: source, updated_at: pass.endedAt });
    this.statements.recordPass.run({
      name: source,
      pass_started_at: pass.startedAt,
      pass_ended_at: pass.endedAt,
      pass_complete: pass.complete ? 1 : 0,
      pass_summary: JSON.stringify(pass.summary),
      last_error: pass.error ?? null,
      last_hint: pass.hint ?? null,
      updated_at: pass.endedAt,
    });
  }

  /** An adapter's key/value state (see ObservationSink.state). */
  adapterState(source: string): Map<string, string> {
    const rows = this.statements.adapterState.all(source) as Array<{ key: string; value: string }>;
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  /** Sets (or, with null, deletes) adapter state entries; call inside the observations' transaction. */
  setAdapterState(source: string, entries: Readonly<Record<string, string | null>>): void {
    for (const [key, value] of Object.entries(entries)) {
      if (value === null) this.statements.deleteAdapterState.run(source, key);
      else this.statements.setAdapterState.run(source, key, value);
    }
  }

  /** See Ledger.sourceVersions: one indexed lookup per table (the source asks a page at a time). */
  sourceVersions(source: string, tables: readonly SourceTable[]): Array<string | undefined> {
    const statement = this.statements.sourceVersion;
    return tables.map((t) => (statement.get(source, joinNamespace(t.namespace), t.name) as { source_version: string } | undefined)?.source_version);
  }

  /** Tables of a source the mirror holds or is about to, optionally under a namespace prefix. */
  liveTables(source: string, namespacePrefix: readonly string[] = []): SourceTable[] {
    // Filtered in SQL: a database dropped from a 1,000,000-table source must not load every row.
    const rows = (
      namespacePrefix.length === 0 ? this.statements.liveOfSource.all(source) : this.statements.liveOfSourceUnder.all({ source, prefix: joinNamespace(namespacePrefix) })
    ) as Array<{ src_namespace: string; src_name: string }>;
    return rows
      .map((r) => ({ namespace: splitNamespace(r.src_namespace), name: r.src_name }))
      .filter((t) => namespacePrefix.every((level, i) => t.namespace[i] === level));
  }

  // ---- work for the dispatcher --------------------------------------------------------------------

  /** Tables that need work now, oldest first (see Ledger.dueRows). Rows owned by another source are never due. */
  dueRows(query: DueQuery): MirrorRow[] {
    const { sql, params } = dueRowsSql(query);
    let read = this.dueStatements.get(sql);
    if (!read) {
      read = rawRecords<TableRecord>(this.db.prepare(sql));
      this.dueStatements.set(sql, read);
    }
    return read(...params).map(toMirrorRow);
  }

  /** dueRows without the dispatcher's filters. */
  due(now: number, limit: number, sources?: readonly string[]): MirrorRow[] {
    return this.dueRows({ now, limit, sources });
  }

  /** The earliest attempt after `now` among unfinished tables, or undefined when none is scheduled. */
  nextAttemptAfter(now: number, sources?: readonly string[]): number | undefined {
    const row = (sources ? this.statements.nextAttemptForSources.get(now, JSON.stringify(sources)) : this.statements.nextAttempt.get(now)) as
      | { at: number | null }
      | undefined;
    return row?.at ?? undefined;
  }

  /** Unfinished tables (pending, or failed but still scheduled), for `sync`'s exit condition. */
  unfinished(sources?: readonly string[]): { pending: number; failed: number } {
    const row = (sources ? this.statements.unfinishedForSources.get(JSON.stringify(sources)) : this.statements.unfinished.get()) as {
      pending: number | null;
      failed: number | null;
    };
    return { pending: row.pending ?? 0, failed: row.failed ?? 0 };
  }

  get(id: number): MirrorRow | undefined {
    const r = this.statements.byId.get(id) as TableRecord | undefined;
    return r ? toMirrorRow(r) : undefined;
  }

  /**
   * A rename's CREATE not yet applied (another row of the same Iceberg UUID wanted present): its
   * DROP(old) waits so the table never disappears in between. Pending blockers come first.
   */
  unappliedUpsertOfUuid(catalog: string, uuid: string, exceptId: number, polaris = DEFAULT_POLARIS): MirrorRow | undefined {
    const r = this.statements.unappliedUpsertOfUuid.get(catalog, uuid, exceptId, polaris) as TableRecord | undefined;
    return r ? toMirrorRow(r) : undefined;
  }

  /**
   * Records that a CREATE of this location is about to be sent (see MirrorRow.sentLocation). Written at
   * once, without fsync: it must survive a process crash (WAL gives that), and losing it to a power
   * failure only costs the rare orphan this record exists to prevent.
   */
  markSending(id: number, location: string, now = Date.now()): void {
    // Inside a group commit, the batch has chosen the level already.
    if (!this.db.inTransaction) this.setSynchronous('NORMAL');
    this.statements.markSending.run(location, now, id);
  }

  /** Persists a higher timestamp before it is sent, so timestamps never go back across restarts. */
  raiseTimestamp(id: number, timestamp: number, now = Date.now()): void {
    this.setSynchronous('FULL');
    this.statements.raiseTimestamp.run({ id, timestamp, updated_at: now });
  }

  /**
   * Records how an operation ended and, when the operation is described (action and calls), adds it to
   * the table's history in the same transaction.
   */
  applyOutcome(outcome: Outcome, now = Date.now(), operation?: OperationNote): void {
    // Inside a transaction (GroupCommit's) the statements run as they are: a savepoint per outcome cost
    // about as much as the outcome's UPDATE.
    if (this.db.inTransaction) this.writeOutcome(outcome, now, operation);
    else this.transaction(() => this.writeOutcome(outcome, now, operation));
  }

  private writeOutcome(outcome: Outcome, now: number, operation: OperationNote | undefined): void {
    const current = this.statements.outcomeOf.get(outcome.id) as Pick<TableRecord, (typeof OUTCOME_COLUMNS)[number]> | undefined;
    if (!current) return;
    const plan = planOutcome(outcome, current, now);
    this.statements[plan.kind].run(...outcomeUpdateParams(plan));
    if (operation) this.history.record(outcome, operation.action, operation.calls, now);
  }

  // ---- reads for reconciliation, status and retry -------------------------------------------------

  /** Every row of a source (plan, scoped refresh; reconciliation and the target check read pages instead). */
  rowsOfSource(source: string): MirrorRow[] {
    return (this.statements.rowsOfSource.all(source) as TableRecord[]).map(toMirrorRow);
  }

  /** The highest row id: where a walk over rowid spans ends. */
  maxId(): number {
    return this.statements.maxId.pluck().get() as number;
  }

  /** Each source's counts over the rows with afterId < id <= untilId (SqliteLedger.counts adds the spans up). */
  countsInSpan(afterId: number, untilId: number, now: number): SourceCounts[] {
    const records = this.statements.countsInSpan.all({ after: afterId, until: untilId, now }) as Array<{ source: string; in_sync: number; pending: number; failed: number; due: number }>;
    return records.map((r) => ({ source: r.source, inSync: r.in_sync, pending: r.pending, failed: r.failed, due: r.due }));
  }

  /** Every source's counts in one statement (a caller that may hold the loop: tests, one-shot commands). */
  counts(now = Date.now()): SourceCounts[] {
    return addUpCounts(this.countsInSpan(0, Number.MAX_SAFE_INTEGER, now));
  }

  targetCounts(): TargetCounts[] {
    return (this.statements.targetCounts.all() as TargetCountRecord[]).map(toTargetCounts);
  }

  redriveTransient(polaris: string, now = Date.now()): number {
    return this.statements.redriveTransient.run({ polaris, now }).changes;
  }

  targetNamespaces(target: { polaris: string; catalog: string }, sources: readonly string[]): string[] {
    const sourceList = JSON.stringify(sources);
    const namespaces: string[] = [];
    for (let after: string | undefined; ; ) {
      const next = (after === undefined ? this.statements.firstTargetNamespace.pluck().get(target.catalog) : this.statements.nextTargetNamespace.pluck().get(target.catalog, after)) as string | null;
      if (next === null) return namespaces;
      if (this.statements.targetNamespaceHeld.pluck().get(target.catalog, next, target.polaris, sourceList) === 1) namespaces.push(next);
      after = next;
    }
  }

  targetPage(q: TargetPageQuery): TargetPageRow[] {
    const sources = JSON.stringify(q.sources);
    const records = q.after
      ? this.statements.targetRowsAfter.all(q.catalog, q.namespace, q.after.name, q.polaris, sources, q.after.name, q.after.id, q.limit)
      : this.statements.targetRowsFirst.all(q.catalog, q.namespace, q.polaris, sources, q.limit);
    return (records as Parameters<typeof toTargetPageRow>[0][]).map(toTargetPageRow);
  }

  markRefill(ids: readonly number[], now = Date.now()): number[] {
    return this.transaction(() => ids.filter((id) => this.statements.markRefill.run({ id, now }).changes > 0));
  }

  failedRows(source: string, limit = 1000): MirrorRow[] {
    return (this.statements.failedOfSource.all(source, limit) as TableRecord[]).map(toMirrorRow);
  }

  retryingRows(source: string, limit = 1000): MirrorRow[] {
    return (this.statements.retryingOfSource.all(source, limit) as TableRecord[]).map(toMirrorRow);
  }

  /**
   * Makes failed tables (all, or those of one source / one dotted name) due now; returns their ids. The
   * failed rows of a source are read and redriven a page at a time (redrive-pages.ts; SqliteLedger gives
   * its loop back between pages).
   */
  redrive(filter: RedriveFilter, now = Date.now()): Promise<number[]> {
    if (filter.table !== undefined) return Promise.resolve(this.redriveNamed(filter as RedriveFilter & { table: string }, now));
    return redriveFailedPages(this, filter, now);
  }

  /** The sources a redrive of failed tables covers: the filter's, or every one with a failed table. */
  failedSources(filter: RedriveFilter): string[] {
    if (filter.source !== undefined) return [filter.source];
    return (this.statements.failedSources.raw().all() as Array<[string]>).map(([source]) => source);
  }

  /** The newest failure of the source: a redrive stops there, so tables failing again meanwhile do not keep it going. */
  failedUntil(source: string): number {
    return (this.statements.failedUntil.pluck().get(source) as number | null) ?? -1;
  }

  /** One page of the source's failed rows after the cursor (up to `until`), redriven in one transaction. */
  redriveFailedPage(source: string, filter: RedriveFilter, after: RedriveCursor, until: number, now = Date.now()): RedrivePage {
    return this.transaction(() => {
      const records = this.statements.failedPageSameTime.raw().all(source, after.updatedAt, after.id, REDRIVE_PAGE) as unknown[][];
      if (records.length < REDRIVE_PAGE) records.push(...(this.statements.failedPageLater.raw().all(source, after.updatedAt, until, REDRIVE_PAGE - records.length) as unknown[][]));
      const rows = records.map(toRedriveCandidate);
      return { ids: this.redriveRows(rows.filter((row) => inRedriveScope(row, filter)), now), next: nextCursor(rows, REDRIVE_PAGE) };
    });
  }

  /** Tables named by `retry --table` (failed or pending: a few rows, read by name). */
  redriveNamed(filter: RedriveFilter & { table: string }, now = Date.now()): number[] {
    return this.transaction(() => {
      const records = this.statements.notInSyncNamedAny.all({ names: JSON.stringify(tableNameCandidates(filter.table)) }) as TableRecord[];
      const rows = records
        .map(toMirrorRow)
        .filter((row) => inRedriveScope(row, filter))
        .filter((row) => matchesTableName(row, filter.table));
      return this.redriveRows(rows, now);
    });
  }

  /** Makes these tables (failed or pending) due now, like `retry`; returns the ids made due. */
  redriveIds(ids: readonly number[], now = Date.now()): number[] {
    return this.transaction(() => {
      const rows = ids.map((id) => this.get(id)).filter((row): row is MirrorRow => row !== undefined && row.status !== 'in_sync');
      return this.redriveRows(rows, now);
    });
  }

  private redriveRows(rows: readonly RedriveCandidate[], now: number): number[] {
    const redriven: number[] = [];
    for (const row of rows) {
      // A table another source owns stays failed until that source lets go of it.
      if (row.ownerConflict !== null && this.ownerOf(row.target, row.source, row.polaris)) continue;
      if (row.ownerConflict !== null) this.statements.clearOwner.run({ id: row.id, updated_at: now });
      redriven.push(row.id);
    }
    if (redriven.length > 0) this.statements.redrive.run({ ids: JSON.stringify(redriven), updated_at: now });
    return redriven;
  }

  /** Rows named "namespace.table" (the source's dotted name) or "catalog.namespace.table", optionally of one source. */
  rowsNamed(name: string, source?: string): MirrorRow[] {
    const names = JSON.stringify(tableNameCandidates(name));
    const records = (source === undefined ? this.statements.rowsNamedAny.all({ names }) : this.statements.rowsOfSourceNamedAny.all({ names, source })) as TableRecord[];
    return records.map(toMirrorRow).filter((row) => matchesTableName(row, name));
  }

  /**
   * Sets a table's stored order (see Observation.order) back to `order`, so that observations from now
   * on are not "stale" against one from a source clock far in the future. Timestamps are left alone:
   * they only rise, as Polaris requires of the table it holds.
   */
  resetOrder(id: number, order: number, now = Date.now()): void {
    this.setSynchronous('FULL');
    this.statements.resetOrder.run({ id, order, updated_at: now });
  }

  // ---- VALIDATE cache -----------------------------------------------------------------------------

  isValidated(catalog: string, location: string): boolean {
    return this.statements.validated.get(catalog, location) !== undefined;
  }

  markValidated(catalog: string, location: string, now = Date.now()): void {
    this.statements.markValidated.run(catalog, location, now);
  }

  // ---- sender lease -------------------------------------------------------------------------------

  /**
   * Takes the right to send for this process, unless a live process holds it. A holder is dead when its
   * pid is gone on this host, or its heartbeat is older than staleMs (another host, or a hung process).
   */
  acquireLease(command: string, now = Date.now(), staleMs = 60_000): LeaseHolder | undefined {
    return this.db
      .transaction(() => {
        const holder = this.statements.lease.get() as { pid: number; host: string; command: string; heartbeat_at: number } | undefined;
        if (holder && !(holder.pid === process.pid && holder.host === hostname()) && leaseIsLive(holder, now, staleMs)) {
          return { pid: holder.pid, host: holder.host, command: holder.command, heartbeatAt: holder.heartbeat_at };
        }
        this.statements.takeLease.run({ pid: process.pid, host: hostname(), command, heartbeat_at: now });
        return undefined;
      })
      .immediate();
  }

  /** The live holder of the sender lease, if any (read-only check, e.g. before a rebuild). */
  leaseHolder(now = Date.now(), staleMs = 60_000): LeaseHolder | undefined {
    const holder = this.statements.lease.get() as { pid: number; host: string; command: string; heartbeat_at: number } | undefined;
    if (!holder || !leaseIsLive(holder, now, staleMs)) return undefined;
    return { pid: holder.pid, host: holder.host, command: holder.command, heartbeatAt: holder.heartbeat_at };
  }

  heartbeat(now = Date.now()): void {
    this.statements.heartbeat.run({ pid: process.pid, host: hostname(), heartbeat_at: now });
  }

  releaseLease(): void {
    this.statements.releaseLease.run({ pid: process.pid, host: hostname() });
  }
}

/** Adds up per-span counts by source, in source order (as one GROUP BY over the whole table gives them). */
export function addUpCounts(spans: readonly SourceCounts[]): SourceCounts[] {
  const bySource = new Map<string, SourceCounts>();
  for (const c of spans) {
    const sum = bySource.get(c.source);
    bySource.set(c.source, sum ? { source: c.source, inSync: sum.inSync + c.inSync, pending: sum.pending + c.pending, failed: sum.failed + c.failed, due: sum.due + c.due } : c);
  }
  return [...bySource.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}
