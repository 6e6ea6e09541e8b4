import type pg from 'pg';
import { joinNamespace, splitNamespace, type SourceTable } from '../../model/table.js';
import type {
  DueQuery,
  Ledger,
  OperationNote,
  LeaseHolder,
  ObservationBatch,
  PassSeen,
  ObserveResult,
  PassRecord,
  RedriveFilter,
  SourceCounts,
  SourceState,
  TargetCounts,
  WatchLease,
} from '../ledger.js';
import { inRedriveScope } from '../ledger.js';
import type { Outcome } from '../outcome.js';
import type { UnseenCounts, UnseenTable } from '../pass-stamps.js';
import { PASS_STAMP_SQL } from './pg-pass-stamps.js';
import { ROWS_OF_TABLES_SQL, rowsOfTablesParams, rowsPageSql } from './pg-row-reads.js';
import type { RowsPageQuery } from '../row-reads.js';
import { describeCall, OPERATIONS_KEPT_PER_TABLE, toOperationRecord, type OperationRecord } from '../operation-history.js';
import { OUTCOME_EXTRA_SETS, planOutcome } from '../outcome-plan.js';
import { newReplicaId } from '../replica-id.js';
import { toMirrorRow, type MirrorRow, type TableRecord } from '../rows.js';
import { nextCursor, REDRIVE_PAGE, redriveFailedPages, toRedriveCandidate, type FailedRowPages, type RedriveCandidate } from '../redrive-pages.js';
import { matchesTableName, tableNameCandidates } from '../table-ownership.js';
import { toTargetCounts, type TargetCountRecord } from '../target-counts.js';
import { toSourceState, type SourceStateRecord } from '../source-state.js';
import { MARK_REFILL_SQL, REDRIVE_TRANSIENT_SQL, TARGET_COUNTS_SQL, TARGET_ROW_HELD, toTargetPageRow, type TargetPageRow, type TargetPageQuery } from '../target-sql.js';
import { WriteHealth } from '../write-health.js';
import { createPool, redactUrl, type PgLedgerOptions } from './pg-connection.js';
import { isPgConflict, isPgUnavailable, LedgerNotCreatedError, LedgerUnavailableError } from './pg-errors.js';
import { LEASE_SQL, type LeaseRecord } from './pg-leases.js';
import { migrate } from './pg-migrate.js';
import { storeBatch } from './pg-observe.js';
import { SQL, updateByIdSql } from './pg-sql.js';

/**
 * How long a replica's claim on a table lasts: longer than one operation (a Polaris request and its
 * retries); a dead replica's tables are taken over once it passes.
 */
export const CLAIM_TTL_MS = 30_000;
/** Transactions that collide with another replica's (a deadlock, a lost insert race) run again. */
const MAX_CONFLICT_RETRIES = 8;

/**
 * The shared ledger: several replicas against one PostgreSQL database. Same rows and guarantees as
 * the SQLite ledger; tables are claimed per operation (FOR UPDATE SKIP LOCKED, with an expiry), and
 * single watchers run under named leases. Opening is lazy: the first call connects and migrates, and
 * a failed open is tried again by the next call, so a replica started before its database waits.
 */
export class PostgresLedger implements Ledger {
  readonly backend = 'postgres' as const;
  readonly replicaId = newReplicaId();
  readonly writeHealth = new WriteHealth();
  readonly location: string;
  private readonly pool: pg.Pool;
  private opening: Promise<void> | undefined;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly options: PgLedgerOptions) {
    this.location = redactUrl(options.url);
    this.pool = createPool(options, () => undefined);
  }

  ready(): Promise<void> {
    this.opening ??= this.open().catch((error: unknown) => {
      this.opening = undefined;
      throw this.translate(error);
    });
    return this.opening;
  }

  private async open(): Promise<void> {
    const client = await this.pool.connect();
    try {
      if (!this.options.readonly) await migrate(client, this.options.schema);
      else if ((await client.query<{ meta: string | null }>("SELECT to_regclass('meta') AS meta")).rows[0]?.meta == null) {
        // Never migrated (readers do not create anything): say so, not "relation does not exist".
        throw new LedgerNotCreatedError(this.location);
      }
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.read('SELECT 1', []);
  }

  async drained(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    await this.drained();
    await this.pool.end();
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  /** Unreachable-database errors become LedgerUnavailableError (a storage failure: 503, /readyz). */
  private translate(error: unknown): unknown {
    return isPgUnavailable(error) ? new LedgerUnavailableError(this.location, error) : error;
  }

  private async read<R extends pg.QueryResultRow>(text: string, params: unknown[]): Promise<R[]> {
    await this.ready();
    try {
      return (await this.pool.query<R>(text, params)).rows;
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** A write: its outcome is the write health; it counts for drained() until it settles. */
  private write<T>(run: (client: pg.PoolClient) => Promise<T>, inTransaction: boolean): Promise<T> {
    const done = this.runWrite(run, inTransaction);
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done)).catch(() => undefined);
    return done;
  }

  private async runWrite<T>(run: (client: pg.PoolClient) => Promise<T>, inTransaction: boolean): Promise<T> {
    try {
      await this.ready();
      for (let attempt = 1; ; attempt++) {
        const client = await this.pool.connect();
        let broken = false;
        try {
          if (!inTransaction) return await run(client);
          await client.query('BEGIN');
          const result = await run(client);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          if (inTransaction) await client.query('ROLLBACK').catch(() => (broken = true));
          if (isPgConflict(error) && attempt < MAX_CONFLICT_RETRIES) continue;
          throw error;
        } finally {
          client.release(broken);
        }
      }
    } catch (error) {
      // Success is recorded by the callers (transaction, statement), failures here.
      const translated = this.translate(error);
      this.writeHealth.failed(translated);
      throw translated;
    }
  }

  private async transaction<T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const result = await this.write(run, true);
    this.writeHealth.succeeded();
    return result;
  }

  private async statement(text: string, params: unknown[]): Promise<void> {
    await this.write((client) => client.query(text, params), false);
    this.writeHealth.succeeded();
  }

  // ---- observations, cursors, passes ------------------------------------------------------------

  commit(batch: ObservationBatch, now = Date.now()): Promise<ObserveResult[]> {
    return this.transaction(async (client) => {
      const results = await storeBatch(client, batch, now);
      if (batch.seen && batch.seen.tables.length > 0) await client.query(PASS_STAMP_SQL.markSeen, markSeenParams(batch.seen));
      return results;
    });
  }

  async cursor(source: string): Promise<string | undefined> {
    return (await this.sourceState(source))?.cursor ?? undefined;
  }

  async sourceState(source: string): Promise<SourceState | undefined> {
    const r = (await this.read<SourceStateRecord>(SQL.sourceState, [source]))[0];
    return r ? toSourceState(r) : undefined;
  }

  recordPass(source: string, pass: PassRecord): Promise<void> {
    return this.statement(SQL.recordPass, [
      source,
      pass.startedAt,
      pass.endedAt,
      pass.complete ? 1 : 0,
      JSON.stringify(pass.summary),
      pass.error ?? null,
      pass.hint ?? null,
    ]);
  }

  async adapterState(source: string): Promise<Map<string, string>> {
    const rows = await this.read<{ key: string; value: string }>(SQL.adapterState, [source]);
    return new Map(rows.map((r) => [r.key, r.value]));
  }

  async sourceVersions(source: string, tables: readonly SourceTable[]): Promise<Array<string | undefined>> {
    if (tables.length === 0) return [];
    const namespaces = tables.map((t) => joinNamespace(t.namespace));
    const rows = await this.read<{ src_namespace: string; src_name: string; source_version: string }>(SQL.sourceVersions, [source, namespaces, tables.map((t) => t.name)]);
    const found = new Map(rows.map((r) => [`${r.src_namespace}\u0000${r.src_name}`, r.source_version]));
    return tables.map((t, i) => found.get(`${namespaces[i]}\u0000${t.name}`));
  }

  async liveTables(source: string, namespacePrefix: readonly string[] = []): Promise<SourceTable[]> {
    // Filtered in SQL: a database dropped from a 1,000,000-table source must not load every row.
    const rows = await this.read<{ src_namespace: string; src_name: string }>(
      namespacePrefix.length === 0 ? SQL.liveOfSource : SQL.liveOfSourceUnder,
      namespacePrefix.length === 0 ? [source] : [source, joinNamespace(namespacePrefix)],
    );
    return rows
      .map((r) => ({ namespace: splitNamespace(r.src_namespace), name: r.src_name }))
      .filter((t) => namespacePrefix.every((level, i) => t.namespace[i] === level));
  }

  async markSeen(source: string, tables: readonly SourceTable[], stamp: number): Promise<void> {
    if (tables.length === 0) return;
    await this.transaction((client) => client.query(PASS_STAMP_SQL.markSeen, markSeenParams({ source, tables, stamp })));
  }

  async unseenCounts(source: string, stamp: number): Promise<UnseenCounts> {
    const [row] = await this.read<{ mirrored: string; unseen: string }>(PASS_STAMP_SQL.unseenCounts, [source, stamp]);
    return { mirrored: Number(row?.mirrored ?? 0), unseen: Number(row?.unseen ?? 0) };
  }

  async unseenTables(source: string, stamp: number, afterId: number, limit: number): Promise<UnseenTable[]> {
    const rows = await this.read<{ id: string; src_namespace: string; src_name: string }>(PASS_STAMP_SQL.unseenTables, [source, stamp, afterId, limit]);
    return rows.map((r) => ({ id: Number(r.id), table: { namespace: splitNamespace(r.src_namespace), name: r.src_name } }));
  }

  // ---- work for the dispatcher ------------------------------------------------------------------

  async dueRows(query: DueQuery): Promise<MirrorRow[]> {
    const rows = await this.write(
      async (client) =>
        (
          await client.query<TableRecord>(SQL.claimDue, [
            this.replicaId,
            CLAIM_TTL_MS,
            query.now,
            query.sources ?? null,
            query.limit,
            query.polaris ?? null,
            query.configured ? [...query.configured] : null,
            query.excluding ?? [],
          ])
        ).rows,
      false,
    );
    this.writeHealth.succeeded();
    return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id).map(toMirrorRow);
  }

  async claim(ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.write(async (client) => (await client.query<{ id: number }>(SQL.claimIds, [this.replicaId, CLAIM_TTL_MS, ids])).rows, false);
    this.writeHealth.succeeded();
    const got = new Set(rows.map((r) => r.id));
    return ids.filter((id) => got.has(id));
  }

  async releaseClaims(ids: readonly number[]): Promise<void> {
    if (ids.length > 0) await this.statement(SQL.releaseClaims, [ids, this.replicaId]);
  }

  async renewClaims(ids: readonly number[]): Promise<void> {
    if (ids.length > 0) await this.statement(SQL.renewClaims, [this.replicaId, CLAIM_TTL_MS, ids]);
  }

  async nextAttemptAfter(now: number, sources?: readonly string[]): Promise<number | undefined> {
    return (await this.read<{ at: number | null }>(SQL.nextAttempt, [now, sources ?? null]))[0]?.at ?? undefined;
  }

  async unfinished(sources?: readonly string[]): Promise<{ pending: number; failed: number }> {
    const row = (await this.read<{ pending: number; failed: number }>(SQL.unfinished, [sources ?? null]))[0]!;
    return { pending: row.pending, failed: row.failed };
  }

  async get(id: number): Promise<MirrorRow | undefined> {
    const r = (await this.read<TableRecord>(SQL.byId, [id]))[0];
    return r ? toMirrorRow(r) : undefined;
  }

  async unappliedUpsertOfUuid(catalog: string, uuid: string, exceptId: number, polaris = 'default'): Promise<MirrorRow | undefined> {
    const r = (await this.read<TableRecord>(SQL.unappliedUpsertOfUuid, [catalog, uuid, exceptId, polaris]))[0];
    return r ? toMirrorRow(r) : undefined;
  }

  markSending(id: number, location: string, now = Date.now()): Promise<void> {
    return this.statement(SQL.markSending, [id, location, now]);
  }

  raiseTimestamp(id: number, timestamp: number, now = Date.now()): Promise<void> {
    return this.statement(SQL.raiseTimestamp, [id, timestamp, now]);
  }

  /** Records the outcome and gives back this replica's claim on the table, in one transaction. */
  applyOutcome(outcome: Outcome, now = Date.now(), operation?: OperationNote): Promise<void> {
    return this.transaction(async (client) => {
      const current = (await client.query<TableRecord>(SQL.byIdForUpdate, [outcome.id])).rows[0];
      if (!current) return;
      const plan = planOutcome(outcome, current, now);
      const { text, params } = updateByIdSql('tables', { ...plan.values }, OUTCOME_EXTRA_SETS[plan.kind]);
      await client.query(text, params);
      await client.query(SQL.releaseClaims, [[outcome.id], this.replicaId]);
      if (operation) {
        const detail = outcome.kind === 'retry' || outcome.kind === 'failed' ? outcome.error : outcome.kind === 'deferred' ? outcome.reason : null;
        const calls = JSON.stringify(operation.calls.map(describeCall));
        await client.query(SQL.recordOperation, [outcome.id, now, outcome.requestId ?? null, operation.action, outcome.kind, detail, calls]);
        await client.query(SQL.pruneOperations, [outcome.id, OPERATIONS_KEPT_PER_TABLE]);
      }
    });
  }

  async history(tableId: number): Promise<OperationRecord[]> {
    const rows = await this.read<Record<string, unknown>>(SQL.operationsOf, [tableId, OPERATIONS_KEPT_PER_TABLE]);
    return rows.map(toOperationRecord);
  }

  // ---- reads for reconciliation, status and retry -----------------------------------------------

  async rowsOfSource(source: string): Promise<MirrorRow[]> {
    return (await this.read<TableRecord>(SQL.rowsOfSource, [source])).map(toMirrorRow);
  }

  async rowsPage(query: RowsPageQuery): Promise<MirrorRow[]> {
    const { text, params } = rowsPageSql(query);
    return (await this.read<TableRecord>(text, params)).map(toMirrorRow);
  }

  async rowsOfTables(source: string, tables: readonly SourceTable[]): Promise<MirrorRow[]> {
    if (tables.length === 0) return [];
    return (await this.read<TableRecord>(ROWS_OF_TABLES_SQL, rowsOfTablesParams(source, tables))).map(toMirrorRow);
  }

  async counts(now = Date.now()): Promise<SourceCounts[]> {
    const rows = await this.read<{ source: string; in_sync: number; pending: number; failed: number; due: number }>(SQL.counts, [now]);
    return rows.map((r) => ({ source: r.source, inSync: r.in_sync, pending: r.pending, failed: r.failed, due: r.due }));
  }

  async targetCounts(): Promise<TargetCounts[]> {
    return (await this.read<TargetCountRecord>(TARGET_COUNTS_SQL, [])).map(toTargetCounts);
  }

  async targetNamespaces(target: { polaris: string; catalog: string }, sources: readonly string[]): Promise<string[]> {
    const rows = await this.read<{ namespace: string }>('SELECT DISTINCT namespace FROM tables WHERE polaris = $1 AND catalog = $2 AND source = ANY($3)', [target.polaris, target.catalog, [...sources]]);
    return rows.map((r) => r.namespace);
  }

  async targetPage(q: TargetPageQuery): Promise<TargetPageRow[]> {
    // COLLATE "C": byte order, as SQLite's and the check's (the database's own collation may differ).
    const select = `SELECT id, name, applied_at, ${TARGET_ROW_HELD} AS held FROM tables WHERE catalog = $1 AND namespace = $2 AND polaris = $3 AND source = ANY($4)`;
    const order = 'ORDER BY name COLLATE "C", id';
    const records = q.after
      ? await this.read<Parameters<typeof toTargetPageRow>[0]>(`${select} AND (name COLLATE "C" > $5 COLLATE "C" OR (name = $5 AND id > $6)) ${order} LIMIT $7`, [q.catalog, q.namespace, q.polaris, [...q.sources], q.after.name, q.after.id, q.limit])
      : await this.read<Parameters<typeof toTargetPageRow>[0]>(`${select} ${order} LIMIT $5`, [q.catalog, q.namespace, q.polaris, [...q.sources], q.limit]);
    return records.map(toTargetPageRow);
  }

  markRefill(ids: readonly number[], now = Date.now()): Promise<number[]> {
    return this.transaction(async (client) => {
      const marked: number[] = [];
      for (const id of ids) if (((await client.query(MARK_REFILL_SQL, [id, now])).rowCount ?? 0) > 0) marked.push(id);
      return marked;
    });
  }

  async redriveTransient(polaris: string, now = Date.now()): Promise<number> {
    return this.write(async (client) => (await client.query(REDRIVE_TRANSIENT_SQL, [polaris, now])).rowCount ?? 0, false);
  }

  async failedRows(source: string, limit = 1000): Promise<MirrorRow[]> {
    return (await this.read<TableRecord>(SQL.failedOfSource, [source, limit])).map(toMirrorRow);
  }

  async retryingRows(source: string, limit = 1000): Promise<MirrorRow[]> {
    return (await this.read<TableRecord>(SQL.retryingOfSource, [source, limit])).map(toMirrorRow);
  }

  /** Tables named (`retry --table`) in one transaction; failed tables a page per transaction (redrive-pages.ts). */
  async redrive(filter: RedriveFilter, now = Date.now()): Promise<number[]> {
    const table = filter.table;
    if (table !== undefined) {
      return this.transaction(async (client) => {
        const rows = (await client.query<TableRecord>(SQL.notInSyncNamedAnyForUpdate, [tableNameCandidates(table)])).rows
          .map(toMirrorRow)
          .filter((row) => inRedriveScope(row, filter) && matchesTableName(row, table));
        return this.redriveRows(client, rows, now);
      });
    }
    return redriveFailedPages(this.failedRowPages, filter, now);
  }

  /** The failed rows' pages (redrive-pages.ts): each page is a transaction of its own, its rows locked. */
  private readonly failedRowPages: FailedRowPages = {
    failedSources: async (filter) => (filter.source !== undefined ? [filter.source] : (await this.read<{ source: string }>(SQL.failedSources, [])).map((r) => r.source)),
    failedUntil: async (source) => Number((await this.read<{ until: string | null }>(SQL.failedUntil, [source]))[0]?.until ?? -1),
    redriveFailedPage: (source, filter, after, until, now) =>
      this.transaction(async (client) => {
        const query = { text: SQL.failedPageForUpdate, values: [source, after.updatedAt, after.id, until, REDRIVE_PAGE], rowMode: 'array' as const };
        const rows = (await client.query<unknown[]>(query)).rows.map(toRedriveCandidate);
        return { ids: await this.redriveRows(client, rows.filter((row) => inRedriveScope(row, filter)), now), next: nextCursor(rows, REDRIVE_PAGE) };
      }),
  };

  redriveIds(ids: readonly number[], now = Date.now()): Promise<number[]> {
    return this.transaction(async (client) => {
      const rows = (await client.query<TableRecord>(SQL.notInSyncByIdsForUpdate, [ids])).rows.map(toMirrorRow);
      return this.redriveRows(client, rows, now);
    });
  }

  /** A table another source owns stays failed until that source lets go of it. */
  private async redriveRows(client: pg.PoolClient, rows: readonly RedriveCandidate[], now: number): Promise<number[]> {
    const redriven: number[] = [];
    for (const row of rows) {
      if (row.ownerConflict !== null) {
        const params = [row.target.catalog, joinNamespace(row.target.namespace), row.target.name, row.source, row.polaris];
        if ((await client.query(SQL.ownerOf, params)).rowCount! > 0) continue;
        await client.query(SQL.clearOwner, [row.id, now]);
      }
      redriven.push(row.id);
    }
    if (redriven.length > 0) await client.query(SQL.redrive, [redriven, now]);
    return redriven;
  }


  async rowsNamed(name: string, source?: string): Promise<MirrorRow[]> {
    const names = tableNameCandidates(name);
    const records = source === undefined ? await this.read<TableRecord>(SQL.rowsNamedAny, [names]) : await this.read<TableRecord>(SQL.rowsOfSourceNamedAny, [names, source]);
    return records.map(toMirrorRow).filter((row) => matchesTableName(row, name));
  }

  resetOrder(id: number, order: number, now = Date.now()): Promise<void> {
    return this.statement(SQL.resetOrder, [id, order, now]);
  }

  // ---- VALIDATE cache ---------------------------------------------------------------------------

  async isValidated(catalog: string, location: string): Promise<boolean> {
    return (await this.read(SQL.validated, [catalog, location])).length > 0;
  }

  markValidated(catalog: string, location: string, now = Date.now()): Promise<void> {
    return this.statement(SQL.markValidated, [catalog, location, now]);
  }

  // ---- sender lease: every replica sends (tables are claimed one at a time) ----------------------

  async acquireLease(): Promise<LeaseHolder | undefined> {
    await this.ready();
    return undefined;
  }

  async leaseHolder(): Promise<LeaseHolder | undefined> {
    return undefined;
  }

  async heartbeat(): Promise<void> {}

  async releaseLease(): Promise<void> {}

  // ---- watch leases -----------------------------------------------------------------------------

  async takeWatchLease(name: string, ttlMs: number): Promise<boolean> {
    const rows = await this.write(async (client) => (await client.query(LEASE_SQL.take, [name, this.replicaId, ttlMs])).rows, false);
    this.writeHealth.succeeded();
    return rows.length > 0;
  }

  dropWatchLease(name: string): Promise<void> {
    return this.statement(LEASE_SQL.drop, [name, this.replicaId]);
  }

  async watchLeases(): Promise<WatchLease[]> {
    const rows = await this.read<LeaseRecord>(LEASE_SQL.list, []);
    return rows.map((r) => ({ name: r.name, holder: r.holder, acquiredAt: r.acquired_at, heartbeatAt: r.heartbeat_at, expiresAt: r.expires_at, live: r.live }));
  }
}

function markSeenParams(seen: PassSeen): unknown[] {
  return [seen.source, seen.stamp, seen.tables.map((t) => joinNamespace(t.namespace)), seen.tables.map((t) => t.name)];
}
