import { randomUUID } from 'node:crypto';
import type { MirrorRow } from '../ledger/rows.js';
import type { Observation, PresentObservation } from '../model/observation.js';
import { dottedName } from '../model/table.js';
import { excerpt } from '../telemetry/safe-text.js';
import { messageOf, MirrorError } from '../util/errors.js';
import { timeText } from '../util/time-text.js';
import type { Mirror, SourceRuntime } from './mirror.js';
import { checkScope, describeScope, inScope, rowsInScope, type RefreshScope } from './refresh-scope.js';

/** Tables a report lists one by one; the counts cover the rest. */
export const MAX_RESULTS_LISTED = 1000;
/** Tables of a namespace scope the listing did not return that are read one by one to confirm they are gone. */
const MAX_SINGLE_READS = 1000;
const BATCH = 500;

export type RefreshState = 'reading' | 'converging' | 'done' | 'failed';

export interface RefreshTableResult {
  readonly table: string;
  readonly status: MirrorRow['status'];
  /** present or absent: what the source holds now. */
  readonly desired: 'present' | 'absent';
  readonly metadataLocation: string | null;
  readonly message: string | null;
  readonly hint: string | null;
  readonly attempts: number;
  readonly requestId: string | null;
}

/** GET /v1/refresh/{id} and `refresh --json`: a contract once shipped (extend, never rename). */
export interface RefreshReport {
  readonly id: string;
  readonly scope: { readonly source: string; readonly namespace: readonly string[] | null; readonly table: string | null };
  readonly state: RefreshState;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** What the re-read found: tables listed or read, and how the observations compared with the ledger. */
  readonly read: { readonly tables: number; readonly changed: number; readonly unchanged: number; readonly notMirrored: number };
  readonly tables: { readonly total: number; readonly inSync: number; readonly pending: number; readonly failed: number };
  readonly results: readonly RefreshTableResult[];
  /** More tables than results lists (see MAX_RESULTS_LISTED). */
  readonly resultsTruncated: boolean;
  readonly error: string | null;
  readonly hint: string | null;
}

/** Brings the given ledger rows to their desired state (the daemon's dispatcher, or one of the command's own). */
export type Converge = (ids: readonly number[], signal: AbortSignal) => Promise<void>;

/**
 * One scoped refresh: re-reads the scope from its source now (a full pass for a whole source, a listing
 * filtered to a namespace plus single reads of the tables it no longer returns, a single read for a
 * table), makes its failed tables due now, converges them, and reports per table. The scope is checked
 * when the refresh is made, so a bad one never gets an id.
 */
export class ScopedRefresh {
  readonly id = randomUUID();
  private state: RefreshState = 'reading';
  private readonly startedAt = Date.now();
  private endedAt: number | undefined;
  private readonly read = { tables: 0, changed: 0, unchanged: 0, notMirrored: 0 };
  private ids: number[] = [];
  private error: { message: string; hint: string } | undefined;
  private readonly source: SourceRuntime;

  constructor(
    private readonly mirror: Mirror,
    readonly scope: RefreshScope,
  ) {
    this.source = checkScope(mirror, scope);
  }

  describe(): string {
    return describeScope(this.scope);
  }

  get finished(): boolean {
    return this.state === 'done' || this.state === 'failed';
  }

  async run(converge: Converge, signal: AbortSignal): Promise<RefreshReport> {
    try {
      await this.reread(signal);
      const ids: number[] = [];
      for await (const rows of rowsInScope(this.mirror, this.scope)) {
        for (const row of rows) ids.push(row.id);
        // Failed tables of the scope are tried again now, with what the source just said.
        const failed = rows.filter((row) => row.status === 'failed').map((row) => row.id);
        if (failed.length > 0) await this.mirror.ledger.redriveIds(failed);
      }
      this.ids = ids;
      this.state = 'converging';
      await converge(this.ids, signal);
      this.state = 'done';
    } catch (error) {
      const hint = error instanceof MirrorError && error.hint ? error.hint : 'check that the source is reachable, then refresh again';
      this.error = { message: excerpt(this.mirror.deps.redactor.scrub(`the refresh of ${this.scope.source} failed: ${messageOf(error)}`)), hint: excerpt(this.mirror.deps.redactor.scrub(hint)) };
      this.state = 'failed';
    } finally {
      this.endedAt = Date.now();
    }
    return this.report();
  }

  async report(): Promise<RefreshReport> {
    // Counted as read, one row at a time: a refresh of a whole source of 1,000,000 tables keeps its ids
    // and the rows it lists, never every row.
    const tables = { total: 0, inSync: 0, pending: 0, failed: 0 };
    const results: RefreshTableResult[] = [];
    for (const id of this.ids) {
      const row = await this.mirror.ledger.get(id);
      if (row === undefined) continue;
      tables.total++;
      if (row.status === 'in_sync' && row.desired.state !== 'absent') tables.inSync++;
      else if (row.status === 'pending') tables.pending++;
      else if (row.status === 'failed') tables.failed++;
      if (results.length < MAX_RESULTS_LISTED) results.push(resultOf(row));
    }
    return {
      id: this.id,
      scope: { source: this.scope.source, namespace: this.scope.namespace?.length ? [...this.scope.namespace] : null, table: this.scope.table ?? null },
      state: this.state,
      startedAt: timeText(this.startedAt),
      endedAt: this.endedAt === undefined ? null : timeText(this.endedAt),
      read: { ...this.read },
      tables,
      results,
      resultsTruncated: tables.total > MAX_RESULTS_LISTED,
      error: this.error?.message ?? null,
      hint: this.error?.hint ?? null,
    };
  }

  private async reread(signal: AbortSignal): Promise<void> {
    const { adapter } = this.source;
    const levels = this.scope.namespace ?? [];
    if (this.scope.table !== undefined && adapter.read) {
      await this.commit([await adapter.read({ namespace: levels, name: this.scope.table }, signal)]);
      return;
    }
    if (levels.length === 0 && adapter.list) {
      // The whole source: a full pass, with its drop decisions and the mass-drop brake.
      const pass = await this.mirror.reconciler.pass({ adapter, sink: this.source.sink, maxDropFraction: this.source.config.maxDropFraction }, { signal });
      if (pass && !pass.complete) throw new MirrorError(pass.error ?? 'the listing did not complete', { retryable: true, hint: pass.hint });
      if (pass) Object.assign(this.read, { tables: pass.listed, changed: pass.observed.accepted, unchanged: pass.observed.unchanged, notMirrored: pass.observed.rejected });
      return;
    }
    const listed = new Set<string>();
    if (adapter.list) {
      let batch: PresentObservation[] = [];
      for await (const item of adapter.list(signal)) {
        const table = item.kind === 'skipped' ? item.skipped.table : item.observation.table;
        if (!inScope(this.scope, table)) continue;
        listed.add(dottedName(table));
        if (item.kind === 'skipped') continue;
        batch.push(item.observation);
        if (batch.length >= BATCH) await this.commit(batch.splice(0));
      }
      await this.commit(batch);
      batch = [];
    }
    // Tables of the scope the mirror holds but the listing did not return (or every one, for a source
    // that cannot be listed): read one by one, so an absence is confirmed before anything is dropped.
    if (!adapter.read) return;
    const missing = (await this.source.sink.knownTables(levels)).filter((table) => inScope(this.scope, table) && !listed.has(dottedName(table)));
    for (const table of missing.slice(0, MAX_SINGLE_READS)) {
      signal.throwIfAborted();
      const fresh = await adapter.read(table, signal);
      await this.commit([fresh]);
    }
  }

  private async commit(observations: readonly Observation[]): Promise<void> {
    if (observations.length === 0) return;
    const result = await this.source.sink.commit(observations);
    this.read.tables += observations.length;
    this.read.changed += result.accepted;
    this.read.unchanged += result.unchanged + result.stale;
    this.read.notMirrored += result.rejected;
  }
}

function resultOf(row: MirrorRow): RefreshTableResult {
  return {
    table: dottedName(row.table),
    status: row.status,
    desired: row.desired.state,
    metadataLocation: row.desired.metadataLocation,
    message: row.lastError,
    hint: row.lastHint,
    attempts: row.attempts,
    requestId: row.lastRequestId,
  };
}
