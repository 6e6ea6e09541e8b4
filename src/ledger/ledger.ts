import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { dottedName, joinNamespace, polarisDisplayName, splitNamespace, type PolarisTable, type SourceTable } from '../model/table.js';
import type { NormalizedObservation } from '../normalizer/normalize.js';
import { nextTimestamp } from '../normalizer/timestamp.js';
import { MirrorError } from '../util/errors.js';
import { MIGRATIONS } from './migrations.js';
import { OperationHistory } from './operation-history.js';
import type { Outcome } from './outcome.js';
import type { PolarisCall } from '../polaris/operation-context.js';
import { desiredMatchesApplied, toMirrorRow, type MirrorRow, type TableRecord } from './rows.js';
import { WriteHealth } from './write-health.js';

export type ObserveResult = 'accepted' | 'unchanged' | 'stale' | 'rejected';

export interface SourceCounts {
  readonly source: string;
  readonly inSync: number;
  readonly pending: number;
  readonly failed: number;
}

export interface SourceState {
  readonly name: string;
  readonly cursor: string | null;
  readonly passStartedAt: number | null;
  readonly passEndedAt: number | null;
  readonly passComplete: boolean | null;
  readonly passSummary: unknown;
  readonly lastError: string | null;
  readonly lastHint: string | null;
}

export interface LeaseHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly heartbeatAt: number;
}

export interface LedgerOptions {
  readonly readonly?: boolean;
}

/**
 * The durable memory of the mirror: one row per table with desired and applied state, each source's
 * cursor and last pass, VALIDATE results and the sender lease. SQLite in WAL mode with
 * synchronous=FULL: a commit survives a process kill *and* a power loss, which is what an HTTP 202 or a
 * deleted SQS message promise. Writes are batched by GroupCommit, which relaxes to NORMAL for batches
 * whose loss would only cause a resend (notification outcomes).
 */
export class Ledger {
  readonly db: Database.Database;
  /** The outcome of the latest write: a full disk leaves the ledger readable but unable to store (/readyz). */
  readonly writeHealth = new WriteHealth();
  /** Each table's last operations (the console's table page). */
  readonly history: OperationHistory;
  private readonly statements: ReturnType<typeof prepareStatements>;

  private constructor(db: Database.Database) {
    this.db = db;
    this.statements = prepareStatements(db, this.writeHealth);
    this.history = new OperationHistory(db);
  }

  /**
   * Opens (or creates) the ledger. A writer checks the file's integrity first (PRAGMA quick_check):
   * a damaged ledger must stop the process with a clear error, not send from half-read state.
   */
  static open(path: string, options: LedgerOptions = {}): Ledger {
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
        db.pragma('synchronous = FULL');
        migrate(db);
      }
      return new Ledger(db);
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

  /** Runs fn in a transaction (a savepoint when already inside one). */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return this.db.transaction(fn)();
    // The outermost transaction: its commit is where a full disk shows.
    try {
      const result = this.db.transaction(fn)();
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
    return items.map((item) => this.observeOne(item, now));
  }

  private observeOne({ source, target, observation: obs }: NormalizedObservation, now: number): ObserveResult {
    const s = this.statements;
    const srcNamespace = joinNamespace(obs.table.namespace);
    const existing = s.byKey.get(source, srcNamespace, obs.table.name) as TableRecord | undefined;
    const location = obs.state === 'present' ? obs.metadataLocation : null;
    const uuid = obs.state === 'present' ? (obs.tableUuid ?? null) : null;
    const confirmed = obs.state === 'absent' && obs.confirmed === true ? 1 : 0;

    if (!existing) {
      const owner = obs.state === 'present' ? this.ownerOf(target, source) : undefined;
      const timestamp = nextTimestamp(obs.sourceTimeMs, undefined);
      s.insert.run({
        source,
        src_namespace: srcNamespace,
        src_name: obs.table.name,
        catalog: target.catalog,
        namespace: joinNamespace(target.namespace),
        name: target.name,
        desired_state: obs.state,
        desired_location: location,
        desired_uuid: uuid,
        desired_order: obs.order,
        desired_source_time: Math.trunc(obs.sourceTimeMs),
        desired_timestamp: timestamp,
        desired_confirmed: confirmed,
        // A rejected observation was never ours to send: it must not make a later absence a DROP.
        last_present_location: owner ? null : location,
        last_timestamp: timestamp,
        // A first sighting of an absent table is a tombstone: nothing to send, but its order stops a
        // late, older "present" from resurrecting it.
        status: owner ? 'failed' : obs.state === 'absent' ? 'in_sync' : 'pending',
        last_error: owner ? ownedMessage(owner) : null,
        last_hint: owner ? ownedHint(owner) : null,
        owner_conflict: owner ?? null,
        updated_at: now,
      });
      return owner ? 'rejected' : 'accepted';
    }

    if (obs.order < existing.desired_order) return 'stale';

    const sameState =
      existing.desired_state === obs.state && (obs.state === 'absent' || existing.desired_location === location);
    if (sameState) {
      s.touchDesired.run({
        id: existing.id,
        desired_order: obs.order,
        desired_uuid: uuid ?? existing.desired_uuid,
        desired_confirmed: Math.max(confirmed, existing.desired_confirmed),
        updated_at: now,
      });
      if (existing.owner_conflict !== null && obs.state === 'present') return this.recheckOwner(existing, target, now);
      return 'unchanged';
    }

    const owner = obs.state === 'present' ? this.ownerOf(target, source) : undefined;
    const timestamp = nextTimestamp(obs.sourceTimeMs, existing.last_timestamp);
    const lastPresentLocation = owner ? existing.last_present_location : (location ?? existing.last_present_location);
    const matchesApplied = desiredMatchesApplied({
      desired: { state: obs.state, metadataLocation: location },
      applied: { state: existing.applied_state, metadataLocation: existing.applied_location },
      lastPresentLocation,
    });
    s.changeDesired.run({
      id: existing.id,
      desired_state: obs.state,
      desired_location: location,
      desired_uuid: obs.state === 'present' ? uuid : existing.desired_uuid,
      desired_order: obs.order,
      desired_source_time: Math.trunc(obs.sourceTimeMs),
      desired_timestamp: timestamp,
      desired_confirmed: confirmed,
      last_present_location: lastPresentLocation,
      last_timestamp: timestamp,
      status: owner ? 'failed' : matchesApplied ? 'in_sync' : 'pending',
      last_error: owner ? ownedMessage(owner) : null,
      last_hint: owner ? ownedHint(owner) : null,
      owner_conflict: owner ?? null,
      updated_at: now,
    });
    return owner ? 'rejected' : 'accepted';
  }

  /** Another source whose row mirrors (or is about to mirror) this Polaris table. */
  private ownerOf(target: PolarisTable, source: string): string | undefined {
    const row = this.statements.ownerOf.get(target.catalog, joinNamespace(target.namespace), target.name, source) as
      | { source: string }
      | undefined;
    return row?.source;
  }

  private recheckOwner(existing: TableRecord, target: PolarisTable, now: number): ObserveResult {
    const owner = this.ownerOf(target, existing.source);
    if (owner) return 'rejected';
    this.statements.clearOwner.run({ id: existing.id, updated_at: now });
    return 'accepted';
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
    const r = this.statements.sourceState.get(source) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      name: r.name as string,
      cursor: r.cursor as string | null,
      passStartedAt: r.pass_started_at as number | null,
      passEndedAt: r.pass_ended_at as number | null,
      passComplete: r.pass_complete === null ? null : r.pass_complete === 1,
      passSummary: r.pass_summary ? JSON.parse(r.pass_summary as string) : null,
      lastError: r.last_error as string | null,
      lastHint: r.last_hint as string | null,
    };
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

  /** Tables of a source the mirror holds or is about to, optionally under a namespace prefix. */
  liveTables(source: string, namespacePrefix: readonly string[] = []): SourceTable[] {
    const rows = this.statements.liveOfSource.all(source) as Array<{ src_namespace: string; src_name: string }>;
    return rows
      .map((r) => ({ namespace: splitNamespace(r.src_namespace), name: r.src_name }))
      .filter((t) => namespacePrefix.every((level, i) => t.namespace[i] === level));
  }

  // ---- work for the dispatcher --------------------------------------------------------------------

  /** Tables that need work now, oldest first. Rows owned by another source are never due. */
  due(now: number, limit: number, sources?: readonly string[]): MirrorRow[] {
    const records = (sources ? this.statements.dueForSources.all(now, JSON.stringify(sources), limit) : this.statements.due.all(now, limit)) as TableRecord[];
    return records.map(toMirrorRow);
  }

  /** The ids of due(): the dispatcher re-reads each row when it starts on it, so it needs no more. */
  dueIds(now: number, limit: number, sources?: readonly string[]): number[] {
    const statement = sources ? this.statements.dueIdsForSources : this.statements.dueIds;
    const args = sources ? [now, JSON.stringify(sources), limit] : [now, limit];
    return statement.pluck().all(...args) as number[];
  }

  /** Tables ready to be sent now (the backlog behind the dispatcher). */
  dueCount(now: number): number {
    return (this.statements.dueCount.get(now) as { n: number }).n;
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
  unappliedUpsertOfUuid(catalog: string, uuid: string, exceptId: number): MirrorRow | undefined {
    const r = this.statements.unappliedUpsertOfUuid.get(catalog, uuid, exceptId) as TableRecord | undefined;
    return r ? toMirrorRow(r) : undefined;
  }

  /**
   * Records that a CREATE of this location is about to be sent (see MirrorRow.sentLocation). Written at
   * once, without fsync: it must survive a process crash (WAL gives that), and losing it to a power
   * failure only costs the rare orphan this record exists to prevent.
   */
  markSending(id: number, location: string, now = Date.now()): void {
    this.setSynchronous('NORMAL');
    this.statements.markSending.run({ id, sent_location: location, updated_at: now });
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
  applyOutcome(outcome: Outcome, now = Date.now(), operation?: { action: string; calls: readonly PolarisCall[] }): void {
    this.transaction(() => {
      this.applyOutcomeRow(outcome, now);
      if (operation && this.statements.byId.get(outcome.id)) this.history.record(outcome, operation.action, operation.calls, now);
    });
  }

  private applyOutcomeRow(outcome: Outcome, now: number): void {
    const s = this.statements;
    const current = s.byId.get(outcome.id) as TableRecord | undefined;
    if (!current) return;
    const requestId = outcome.requestId ?? null;
    const changedMeanwhile = 'rev' in outcome && outcome.rev !== current.rev;
    switch (outcome.kind) {
      case 'applied': {
        const a = outcome.applied;
        const nowInSync =
          !changedMeanwhile &&
          desiredMatchesApplied({
            desired: { state: current.desired_state, metadataLocation: current.desired_location },
            applied: { state: a.state, metadataLocation: a.metadataLocation },
            lastPresentLocation: current.last_present_location,
          });
        s.applied.run({
          id: outcome.id,
          applied_state: a.state,
          applied_location: a.metadataLocation,
          applied_uuid: a.tableUuid,
          applied_timestamp: a.timestamp,
          applied_at: now,
          status: nowInSync ? 'in_sync' : 'pending',
          last_request_id: requestId,
          updated_at: now,
        });
        return;
      }
      case 'retry': {
        s.attemptFailed.run({
          id: outcome.id,
          attempts: changedMeanwhile ? 0 : current.attempts + 1,
          status: 'pending',
          next_attempt_at: changedMeanwhile ? 0 : now + outcome.delayMs,
          last_error: outcome.error,
          last_hint: outcome.hint ?? null,
          last_request_id: requestId,
          updated_at: now,
        });
        return;
      }
      case 'failed':
        s.attemptFailed.run({
          id: outcome.id,
          attempts: changedMeanwhile ? 0 : current.attempts + 1,
          status: changedMeanwhile ? 'pending' : 'failed',
          next_attempt_at: changedMeanwhile ? 0 : now + outcome.delayMs,
          last_error: outcome.error,
          last_hint: outcome.hint ?? null,
          last_request_id: requestId,
          updated_at: now,
        });
        return;
      case 'deferred':
        s.defer.run({ id: outcome.id, next_attempt_at: now + outcome.delayMs, last_error: outcome.reason, last_request_id: requestId, updated_at: now });
        return;
    }
  }

  // ---- reads for reconciliation, status and retry -------------------------------------------------

  /** Every row of a source (reconciliation compares them with a complete listing). */
  rowsOfSource(source: string): MirrorRow[] {
    return (this.statements.rowsOfSource.all(source) as TableRecord[]).map(toMirrorRow);
  }

  counts(): SourceCounts[] {
    return (this.statements.counts.all() as Array<{ source: string; in_sync: number; pending: number; failed: number }>).map((r) => ({
      source: r.source,
      inSync: r.in_sync,
      pending: r.pending,
      failed: r.failed,
    }));
  }

  failedRows(source: string, limit = 1000): MirrorRow[] {
    return (this.statements.failedOfSource.all(source, limit) as TableRecord[]).map(toMirrorRow);
  }

  pendingRows(source: string, limit = 1000): MirrorRow[] {
    return (this.statements.pendingOfSource.all(source, limit) as TableRecord[]).map(toMirrorRow);
  }

  /** Makes failed tables (all, or those of one source / one dotted name) due now; returns their ids. */
  redrive(filter: { source?: string; table?: string; allFailed?: boolean }, now = Date.now()): number[] {
    return this.transaction(() => {
      const rows = (this.statements.notInSync.all() as TableRecord[])
        .map(toMirrorRow)
        .filter((row) => filter.source === undefined || row.source === filter.source)
        .filter((row) => (filter.table === undefined ? row.status === 'failed' : matchesTableName(row, filter.table)));
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

  private redriveRows(rows: readonly MirrorRow[], now: number): number[] {
    const redriven: number[] = [];
    for (const row of rows) {
      // A table another source owns stays failed until that source lets go of it.
      if (row.ownerConflict !== null && this.ownerOf(row.target, row.source)) continue;
      if (row.ownerConflict !== null) this.statements.clearOwner.run({ id: row.id, updated_at: now });
      this.statements.redrive.run({ id: row.id, updated_at: now });
      redriven.push(row.id);
    }
    return redriven;
  }

  /** Rows named "namespace.table" (the source's dotted name) or "catalog.namespace.table", optionally of one source. */
  rowsNamed(name: string, source?: string): MirrorRow[] {
    const records = (source === undefined ? this.statements.allRows.all() : this.statements.rowsOfSource.all(source)) as TableRecord[];
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

/** The ledger file is not a readable SQLite database, or fails its integrity check. */
export class LedgerDamagedError extends MirrorError {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`the ledger ${path} is damaged (${detail})`, {
      retryable: false,
      hint: 'run `polaris-mirror sync --rebuild`: it moves the damaged file aside and re-derives the ledger from the sources and Polaris (see "Recovering the ledger" in the README)',
    });
    this.name = 'LedgerDamagedError';
  }
}

function leaseIsLive(holder: { pid: number; host: string; heartbeat_at: number }, now: number, staleMs: number): boolean {
  if (now - holder.heartbeat_at > staleMs) return false;
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ownedMessage(owner: string): string {
  return `owned by source ${owner}: it already mirrors this Polaris table`;
}

function ownedHint(owner: string): string {
  return `two sources must not write the same Polaris table; give one a different target.catalog or namespacePrefix, or exclude the table from one of them (source ${owner} keeps it)`;
}

/** `retry --table` accepts the source's dotted name ("sales.orders") or the Polaris one ("catalog.sales.orders"). */
function matchesTableName(row: MirrorRow, name: string): boolean {
  return dottedName(row.table) === name || polarisDisplayName(row.target) === name;
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  const version = row ? Number(row.value) : 0;
  if (version > MIGRATIONS.length) {
    throw new Error(
      `the ledger was written by a newer polaris-mirror (schema ${version}, this version knows ${MIGRATIONS.length}); upgrade polaris-mirror or point state.path elsewhere`,
    );
  }
  db.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v]!);
      db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(v + 1));
    }
  })();
}

/**
 * The ledger's statements, prepared on first use: a read-only connection to a ledger written by an
 * older version (before its migrations ran) must still open and answer what it can.
 */
function prepareStatements(db: Database.Database, health: WriteHealth) {
  const sql = statementSql();
  const prepared = new Map<string, Database.Statement>();
  return new Proxy({} as { [K in keyof typeof sql]: Database.Statement }, {
    get: (_, name: string) => {
      let statement = prepared.get(name);
      if (!statement) {
        statement = watchWrites(db.prepare(sql[name as keyof typeof sql]), db, health);
        prepared.set(name, statement);
      }
      return statement;
    },
  });
}

/**
 * A write outside a transaction commits on its own (a lease heartbeat, a VALIDATE mark): its outcome
 * is the ledger's write health. Inside a transaction, the outermost commit reports it (Ledger.transaction).
 */
function watchWrites(statement: Database.Statement, db: Database.Database, health: WriteHealth): Database.Statement {
  if (statement.reader) return statement;
  const run = statement.run.bind(statement);
  statement.run = ((...params: unknown[]) => {
    if (db.inTransaction) return run(...params);
    try {
      const result = run(...params);
      health.succeeded();
      return result;
    } catch (error) {
      health.failed(error);
      throw error;
    }
  }) as typeof statement.run;
  return statement;
}

function statementSql() {
  const notInSyncFilter = `status <> 'in_sync' AND owner_conflict IS NULL`;
  // The unary + keeps SQLite from choosing the (source, …) index for this filter: the due and
  // next-attempt queries must walk tables_due, or a sync of one large source turns quadratic.
  const inSources = `+source IN (SELECT value FROM json_each(?))`;
  return {
    byKey: 'SELECT * FROM tables WHERE source = ? AND src_namespace = ? AND src_name = ?',
    byId: 'SELECT * FROM tables WHERE id = ?',
    insert: `INSERT INTO tables (source, src_namespace, src_name, catalog, namespace, name, desired_state, desired_location,
        desired_uuid, desired_order, desired_source_time, desired_timestamp, desired_confirmed, last_present_location, last_timestamp,
        status, last_error, last_hint, owner_conflict, updated_at)
      VALUES (@source, @src_namespace, @src_name, @catalog, @namespace, @name, @desired_state, @desired_location, @desired_uuid,
        @desired_order, @desired_source_time, @desired_timestamp, @desired_confirmed, @last_present_location, @last_timestamp, @status,
        @last_error, @last_hint, @owner_conflict, @updated_at)`,
    touchDesired: `UPDATE tables SET desired_order = MAX(desired_order, @desired_order), desired_uuid = @desired_uuid,
        desired_confirmed = @desired_confirmed, updated_at = @updated_at WHERE id = @id`,
    changeDesired: `UPDATE tables SET desired_state = @desired_state, desired_location = @desired_location,
        desired_uuid = @desired_uuid, desired_order = @desired_order, desired_source_time = @desired_source_time,
        desired_timestamp = @desired_timestamp, desired_confirmed = @desired_confirmed,
        last_present_location = @last_present_location, last_timestamp = @last_timestamp, rev = rev + 1, status = @status, attempts = 0, next_attempt_at = 0, last_error = @last_error, last_hint = @last_hint,
        owner_conflict = @owner_conflict, updated_at = @updated_at WHERE id = @id`,
    ownerOf: `SELECT source FROM tables WHERE catalog = ? AND namespace = ? AND name = ? AND source <> ?
        AND owner_conflict IS NULL AND (desired_state = 'present' OR applied_state = 'present') LIMIT 1`,
    clearOwner: `UPDATE tables SET owner_conflict = NULL, status = 'pending', next_attempt_at = 0, attempts = 0,
        last_error = NULL, last_hint = NULL, last_present_location = COALESCE(desired_location, last_present_location),
        updated_at = @updated_at WHERE id = @id`,
    sourceState: 'SELECT * FROM sources WHERE name = ?',
    upsertSource: 'INSERT INTO sources (name, updated_at) VALUES (@name, @updated_at) ON CONFLICT (name) DO NOTHING',
    setCursor: 'UPDATE sources SET cursor = @cursor, updated_at = @updated_at WHERE name = @name',
    recordPass: `UPDATE sources SET pass_started_at = @pass_started_at, pass_ended_at = @pass_ended_at,
        pass_complete = @pass_complete, pass_summary = @pass_summary, last_error = @last_error, last_hint = @last_hint,
        updated_at = @updated_at WHERE name = @name`,
    due: `SELECT * FROM tables WHERE ${notInSyncFilter} AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
    dueForSources: `SELECT * FROM tables WHERE ${notInSyncFilter} AND next_attempt_at <= ? AND ${inSources} ORDER BY next_attempt_at, id LIMIT ?`,
    dueIds: `SELECT id FROM tables WHERE ${notInSyncFilter} AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
    dueIdsForSources: `SELECT id FROM tables WHERE ${notInSyncFilter} AND next_attempt_at <= ? AND ${inSources} ORDER BY next_attempt_at, id LIMIT ?`,
    dueCount: `SELECT COUNT(*) AS n FROM tables WHERE ${notInSyncFilter} AND next_attempt_at <= ?`,
    nextAttempt: `SELECT MIN(next_attempt_at) AS at FROM tables WHERE ${notInSyncFilter} AND next_attempt_at > ?`,
    nextAttemptForSources: `SELECT MIN(next_attempt_at) AS at FROM tables WHERE ${notInSyncFilter} AND next_attempt_at > ? AND ${inSources}`,
    unfinished: `SELECT SUM(status = 'pending') AS pending, SUM(status = 'failed') AS failed FROM tables WHERE ${notInSyncFilter}`,
    unfinishedForSources: `SELECT SUM(status = 'pending') AS pending, SUM(status = 'failed') AS failed FROM tables WHERE ${notInSyncFilter} AND ${inSources}`,
    unappliedUpsertOfUuid: `SELECT * FROM tables WHERE catalog = ? AND desired_uuid = ? AND id <> ?
        AND desired_state = 'present' AND status <> 'in_sync' AND owner_conflict IS NULL
        ORDER BY status = 'failed' LIMIT 1`,
    raiseTimestamp: `UPDATE tables SET desired_timestamp = MAX(desired_timestamp, @timestamp),
        last_timestamp = MAX(last_timestamp, @timestamp), updated_at = @updated_at WHERE id = @id`,
    markSending: `UPDATE tables SET sent_location = @sent_location, updated_at = @updated_at WHERE id = @id`,
    applied: `UPDATE tables SET applied_state = @applied_state, applied_location = @applied_location, sent_location = NULL,
        applied_uuid = @applied_uuid, applied_timestamp = @applied_timestamp, applied_at = @applied_at, status = @status,
        attempts = 0, next_attempt_at = 0, last_error = NULL, last_hint = NULL, last_request_id = COALESCE(@last_request_id, last_request_id),
        updated_at = @updated_at WHERE id = @id`,
    attemptFailed: `UPDATE tables SET attempts = @attempts, status = @status, next_attempt_at = @next_attempt_at,
        last_error = @last_error, last_hint = @last_hint, last_request_id = COALESCE(@last_request_id, last_request_id),
        updated_at = @updated_at WHERE id = @id`,
    defer: `UPDATE tables SET next_attempt_at = @next_attempt_at, last_error = @last_error, last_hint = NULL,
        last_request_id = COALESCE(@last_request_id, last_request_id), updated_at = @updated_at WHERE id = @id`,
    rowsOfSource: 'SELECT * FROM tables WHERE source = ?',
    allRows: 'SELECT * FROM tables',
    resetOrder: 'UPDATE tables SET desired_order = @order, updated_at = @updated_at WHERE id = @id',
    counts: `SELECT source,
        SUM(status = 'in_sync' AND desired_state = 'present') AS in_sync,
        SUM(status = 'pending') AS pending,
        SUM(status = 'failed') AS failed
      FROM tables GROUP BY source`,
    failedOfSource: `SELECT * FROM tables WHERE source = ? AND status = 'failed' ORDER BY updated_at DESC LIMIT ?`,
    pendingOfSource: `SELECT * FROM tables WHERE source = ? AND status = 'pending' ORDER BY next_attempt_at, id LIMIT ?`,
    notInSync: `SELECT * FROM tables WHERE status <> 'in_sync'`,
    redrive: `UPDATE tables SET status = 'pending', attempts = 0, next_attempt_at = 0, updated_at = @updated_at WHERE id = @id`,
    validated: 'SELECT 1 FROM validations WHERE catalog = ? AND location = ?',
    markValidated: `INSERT INTO validations (catalog, location, validated_at) VALUES (?, ?, ?)
        ON CONFLICT (catalog, location) DO UPDATE SET validated_at = excluded.validated_at`,
    adapterState: 'SELECT key, value FROM adapter_state WHERE source = ?',
    setAdapterState: `INSERT INTO adapter_state (source, key, value) VALUES (?, ?, ?)
        ON CONFLICT (source, key) DO UPDATE SET value = excluded.value`,
    deleteAdapterState: 'DELETE FROM adapter_state WHERE source = ? AND key = ?',
    liveOfSource: `SELECT src_namespace, src_name FROM tables WHERE source = ? AND owner_conflict IS NULL
        AND (desired_state = 'present' OR applied_state = 'present')`,
    lease: 'SELECT * FROM lease WHERE id = 1',
    takeLease: `INSERT INTO lease (id, pid, host, command, heartbeat_at) VALUES (1, @pid, @host, @command, @heartbeat_at)
        ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, command = excluded.command,
        heartbeat_at = excluded.heartbeat_at`,
    heartbeat: 'UPDATE lease SET heartbeat_at = @heartbeat_at WHERE id = 1 AND pid = @pid AND host = @host',
    releaseLease: 'DELETE FROM lease WHERE id = 1 AND pid = @pid AND host = @host',
  };
}

