import type { SourceTable } from '../model/table.js';
import type { NormalizedObservation } from '../normalizer/normalize.js';
import type { PolarisCall } from '../polaris/operation-context.js';
import type { OperationRecord } from './operation-history.js';
import type { TargetPageRow, TargetPageQuery } from './target-sql.js';
import type { Outcome } from './outcome.js';
import type { PassStamps } from './pass-stamps.js';
import type { RowReads } from './row-reads.js';
import type { MirrorRow } from './rows.js';
import type { WriteHealth } from './write-health.js';

export type ObserveResult = 'accepted' | 'unchanged' | 'stale' | 'rejected';

export interface SourceCounts {
  readonly source: string;
  readonly inSync: number;
  readonly pending: number;
  readonly failed: number;
  /** Of its tables not in sync, those ready to be sent now (retry time reached, no owner conflict): the backlog. */
  readonly due: number;
}

/** A source's tables on one target (status --json: sources[].targets). */
export interface TargetCounts {
  readonly source: string;
  readonly polaris: string;
  readonly catalog: string;
  readonly total: number;
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

export interface PassRecord {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly complete: boolean;
  readonly summary: unknown;
  readonly error?: string;
  readonly hint?: string;
}

/**
 * Observations with what they advance, stored in one transaction: the source's cursor and adapter state
 * must never be durable without the observations they stand for (nor the other way round).
 */
export interface ObservationBatch {
  readonly observations: readonly NormalizedObservation[];
  /** The source whose cursor and state move (needed when either is given). */
  readonly source?: string;
  readonly cursor?: string;
  readonly state?: Readonly<Record<string, string | null>>;
  /**
   * A pass's listed tables, stamped in the same transaction (after the observations, so the rows of
   * tables seen for the first time exist): one commit per batch of a pass instead of two.
   */
  readonly seen?: PassSeen;
}

export interface PassSeen {
  readonly source: string;
  readonly tables: readonly SourceTable[];
  readonly stamp: number;
}

/** What an attempt did, for the table's history. */
export interface OperationNote {
  readonly action: string;
  readonly calls: readonly PolarisCall[];
}

export interface RedriveFilter {
  readonly source?: string;
  readonly table?: string;
  readonly allFailed?: boolean;
  /** Only the tables of one target (retry --target polaris/catalog). */
  readonly target?: { readonly polaris: string; readonly catalog: string };
}

/** Whether a row is of the filter's source and target (the table and status tests are the ledger's). */
export function inRedriveScope(row: Pick<MirrorRow, 'source' | 'polaris' | 'target'>, filter: RedriveFilter): boolean {
  if (filter.source !== undefined && row.source !== filter.source) return false;
  return filter.target === undefined || (row.polaris === filter.target.polaris && row.target.catalog === filter.target.catalog);
}

/** What the dispatcher asks the ledger for (Ledger.dueRows). */
export interface DueQuery {
  readonly now: number;
  readonly limit: number;
  /** Only these sources' tables; all when undefined. */
  readonly sources?: readonly string[];
  /**
   * Only this instance's tables (each instance fills its own share, so one target never starves
   * another); with `configured` as well, also the tables of instances not in that list (a target
   * removed from the config: they fail at once with a hint, instead of waiting for a lane that no
   * longer exists).
   */
  readonly polaris?: string;
  readonly configured?: readonly string[];
  /** Tables this process is working on already: never returned, so a batch holds only new work. */
  readonly excluding?: readonly number[];
}

/** A named lease: a watcher that must run once runs on the replica holding it. */
export interface WatchLease {
  readonly name: string;
  /** The replica (host:pid:random) holding it. */
  readonly holder: string;
  readonly acquiredAt: number;
  readonly heartbeatAt: number;
  readonly expiresAt: number;
  /** False once it expired: the next replica to ask takes it. */
  readonly live: boolean;
}

/** Which ledger is in use; PostgreSQL lets several replicas share one. */
export type LedgerBackend = 'sqlite' | 'postgres';

/**
 * The durable memory of the mirror: one row per table with desired and applied state, each source's
 * cursor and last pass, VALIDATE results and leases. Two implementations: SQLite (one process,
 * src/ledger/sqlite/) and PostgreSQL (several replicas, src/ledger/postgres/). Every method is
 * asynchronous because a networked database is; a returned promise of a write resolves only once the
 * write is committed — that is what an acknowledgement may rest on.
 */
export interface Ledger extends PassStamps, RowReads {
  readonly backend: LedgerBackend;
  /** This process among the replicas sharing the ledger (see replica-id.ts). */
  readonly replicaId: string;
  /** Where the ledger lives, for messages: a file path, or a database URL without its password. */
  readonly location: string;
  /** The outcome of the latest write: a ledger that cannot store makes /readyz not ready. */
  readonly writeHealth: WriteHealth;
  /** Resolves once the ledger is open and migrated (rejects with why it cannot be). */
  ready(): Promise<void>;
  /** A cheap read: rejects when the ledger cannot be reached (/readyz). */
  ping(): Promise<void>;
  /** Resolves once every write queued so far has committed (or failed). */
  drained(): Promise<void>;
  close(): Promise<void>;

  // ---- observations, cursors, passes ------------------------------------------------------------
  /**
   * Stores observations as the tables' desired state, with the cursor and adapter state they advance,
   * durably and in one transaction. An observation older (by `order`) than the stored one is 'stale';
   * a changed state gets the table's next timestamp.
   */
  commit(batch: ObservationBatch, now?: number): Promise<ObserveResult[]>;
  cursor(source: string): Promise<string | undefined>;
  sourceState(source: string): Promise<SourceState | undefined>;
  recordPass(source: string, pass: PassRecord): Promise<void>;
  /** An adapter's key/value state (see ObservationSink.state). */
  adapterState(source: string): Promise<Map<string, string>>;
  /**
   * The sourceVersion stored with each table's current observation (undefined where none), in the
   * order asked: a source reads a page's worth at a time instead of keeping them all in memory.
   */
  sourceVersions(source: string, tables: readonly SourceTable[]): Promise<Array<string | undefined>>;
  /** Tables of a source the mirror holds or is about to, optionally under a namespace prefix. */
  liveTables(source: string, namespacePrefix?: readonly string[]): Promise<SourceTable[]>;

  // ---- work for the dispatcher ------------------------------------------------------------------
  /**
   * Tables that need work now, oldest first, whole: the dispatcher converges them as read, so one
   * query serves a batch instead of ids and then a read per table. A shared ledger claims them for
   * this replica until their outcome is recorded (or the claim expires), so no other replica works on
   * the same table meanwhile. See DueQuery for the filters.
   */
  dueRows(query: DueQuery): Promise<MirrorRow[]>;
  /**
   * Claims these tables for this replica (retry --table works on named tables, not on what is due);
   * returns those it got: a table another replica is working on is left to it.
   */
  claim(ids: readonly number[]): Promise<number[]>;
  /** Gives back claims taken by dueRows or claim that will not be worked on (the row was not due after all). */
  releaseClaims(ids: readonly number[]): Promise<void>;
  /**
   * Extends this replica's claims on tables it is still working on (an operation retried against a slow
   * Polaris can outlast a claim); a claim another replica took meanwhile stays with it.
   */
  renewClaims(ids: readonly number[]): Promise<void>;
  /** The earliest attempt after `now` among unfinished tables, or undefined when none is scheduled. */
  nextAttemptAfter(now: number, sources?: readonly string[]): Promise<number | undefined>;
  /** Unfinished tables (pending, or failed but still scheduled), for `sync`'s exit condition. */
  unfinished(sources?: readonly string[]): Promise<{ pending: number; failed: number }>;
  get(id: number): Promise<MirrorRow | undefined>;
  /** A rename's CREATE not yet applied (another row of the same Iceberg UUID wanted present) on one Polaris instance (default: "default"). */
  unappliedUpsertOfUuid(catalog: string, uuid: string, exceptId: number, polaris?: string): Promise<MirrorRow | undefined>;
  /** Records that a CREATE of this location is about to be sent (see MirrorRow.sentLocation). */
  markSending(id: number, location: string, now?: number): Promise<void>;
  /** Persists a higher timestamp before it is sent, so timestamps never go back. */
  raiseTimestamp(id: number, timestamp: number, now?: number): Promise<void>;
  /**
   * Records how an attempt ended (and gives back the table's claim); with the operation described
   * (action and Polaris calls), adds it to the table's history in the same transaction. Losing it
   * costs a resend.
   */
  applyOutcome(outcome: Outcome, now?: number, operation?: OperationNote): Promise<void>;
  /** The table's last operations, newest first (the console's table page). */
  history(tableId: number): Promise<OperationRecord[]>;

  // ---- reads for reconciliation, status and retry -----------------------------------------------
  /**
   * Every row of a source at once. Only for tests inspecting a small ledger: the connector pages
   * (RowReads.rowsPage) or reads by key (rowsOfTables), so no command holds a whole source.
   */
  rowsOfSource(source: string): Promise<MirrorRow[]>;
  /**
   * Each source's tables by status, and how many are due at `now`. /metrics reads it at every scrape, so
   * the SQLite ledger reads it a span of rows at a time, giving the loop back between spans.
   */
  counts(now?: number): Promise<SourceCounts[]>;
  /** Each source's tables per target (instance and catalog). */
  targetCounts(): Promise<TargetCounts[]>;
  /**
   * The instance answers again: its tables that failed only because it was unreachable or failing,
   * and those waiting out a retry delay, are due now. Returns how many.
   */
  redriveTransient(polaris: string, now?: number): Promise<number>;
  /** The namespaces (joined) the given sources' rows have on a target: at most one per Polaris namespace. */
  targetNamespaces(target: { polaris: string; catalog: string }, sources: readonly string[]): Promise<string[]>;
  /** One page of a target namespace's rows, ordered by name bytewise then id (the target check's merge). */
  targetPage(query: TargetPageQuery): Promise<TargetPageRow[]>;
  /** Tables the target lost (see target-refill.ts): sent again, timestamps still rising; returns the ids marked. */
  markRefill(ids: readonly number[], now?: number): Promise<number[]>;
  failedRows(source: string, limit?: number): Promise<MirrorRow[]>;
  /**
   * A source's pending tables whose last attempt failed and that wait for their retry time (status's and
   * the console's "retrying"), the soonest first. Read through their own index: picked out of every pending
   * row, they came after the whole backlog, so during a large first sync a limit of 1,000 never reached them.
   */
  retryingRows(source: string, limit?: number): Promise<MirrorRow[]>;
  /** Makes failed tables (all, or those of one source / one dotted name) due now; returns their ids. */
  redrive(filter: RedriveFilter, now?: number): Promise<number[]>;
  /** Makes these tables (failed or pending) due now, like `retry`; returns the ids made due. */
  redriveIds(ids: readonly number[], now?: number): Promise<number[]>;
  /** Rows named "namespace.table" (the source's dotted name) or "catalog.namespace.table". */
  rowsNamed(name: string, source?: string): Promise<MirrorRow[]>;
  /** Sets a table's stored order back (see `reset-order`); timestamps are left alone. */
  resetOrder(id: number, order: number, now?: number): Promise<void>;

  // ---- VALIDATE cache ---------------------------------------------------------------------------
  isValidated(catalog: string, location: string): Promise<boolean>;
  markValidated(catalog: string, location: string, now?: number): Promise<void>;

  // ---- sender lease -----------------------------------------------------------------------------
  /**
   * Takes the right to send for this process, unless a live process holds it (undefined: taken). A
   * shared ledger lets every replica send (tables are claimed one by one) and always grants it.
   */
  acquireLease(command: string, now?: number, staleMs?: number): Promise<LeaseHolder | undefined>;
  /** The live holder of the sender lease, if any (read-only check, e.g. before a rebuild). */
  leaseHolder(now?: number, staleMs?: number): Promise<LeaseHolder | undefined>;
  heartbeat(now?: number): Promise<void>;
  releaseLease(): Promise<void>;

  // ---- watch leases (replicas) ------------------------------------------------------------------
  /**
   * Takes or renews the named lease for ttlMs; true while this replica holds it. A single process
   * (SQLite) always holds every lease.
   */
  takeWatchLease(name: string, ttlMs: number): Promise<boolean>;
  /** Lets go of a lease this replica holds (a clean stop), so another takes it at once. */
  dropWatchLease(name: string): Promise<void>;
  /** Every watch lease recorded (status --json). */
  watchLeases(): Promise<WatchLease[]>;
}
