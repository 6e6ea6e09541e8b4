import type { PassSummary } from '../engine/reconciler.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Redactor } from '../telemetry/redactor.js';
import type { AbsentObservation, ListedItem, Observation, PresentObservation } from './observation.js';
import type { SourceTable } from './table.js';

/**
 * The adapter-state entry in which a source says how it captures changes (a change log, or scans
 * only and why); `status` shows it.
 */
export const CAPTURE_STATE_KEY = 'capture';

/** What an adapter gets from the engine when it is built (adapters/registry.ts). */
export interface AdapterContext {
  readonly logger: Logger;
  /** Source adapters count their API calls, throttles, lag and messages here (src/telemetry/metrics.ts). */
  readonly metrics: Metrics;
  /** Registers secrets that appear at run time (e.g. temporary credentials) so no output shows them. */
  readonly redactor: Redactor;
  /**
   * The sourceVersion stored in the ledger with each table's current observation (undefined where
   * none), in the order asked. Absent where no ledger is open for the source (`plan`, `check`).
   */
  readonly storedVersions?: (tables: readonly SourceTable[]) => Promise<ReadonlyArray<string | undefined>>;
}

/**
 * The one shape every source kind implements (adapters/<kind>/). Adapters only *observe*: mapping to
 * Polaris, ordering, timestamps, retries and drops are the engine's job.
 */
export interface SourceAdapter {
  readonly name: string;
  readonly type: string;
  /**
   * Full listing. Must throw unless it is complete: a reconciliation treats every owned table missing
   * from a finished listing as a drop candidate, so a partial listing must never finish normally.
   * Absent when the source cannot be listed (HTTP ingest): such sources are never reconciled.
   */
  list?(signal: AbortSignal): AsyncIterable<ListedItem>;
  /**
   * Fresh read of one table: present, or absent only on a definite "not found" (permission errors and
   * outages throw). Used right before a DROP and when Polaris holds a newer timestamp.
   * Absent when the source cannot be re-read: its absences are then trusted as they arrive.
   */
  read?(table: SourceTable, signal?: AbortSignal): Promise<PresentObservation | AbsentObservation>;
  /** Optional change capture: runs until the signal aborts, committing observations through the sink. */
  watch?(sink: ObservationSink, signal: AbortSignal): Promise<void>;
  /** Reachability checks for `polaris-mirror check`, plus sample table locations to VALIDATE. */
  check?(signal: AbortSignal): Promise<SourceCheck>;
  /** How often `run` lists this source in full (seconds). */
  readonly listIntervalSeconds?: number;
  /**
   * How often the source completes a pass when it is healthy, if not listIntervalSeconds (a watch that
   * polls with full passes of its own): /readyz wants a complete pass within 3× this.
   */
  readonly passIntervalSeconds?: number;
  /**
   * The watch brings the mirror up to date by itself at start (a change-log source bootstraps with a
   * full pass when it has no cursor, and replays its log otherwise): `run` then skips its own start-up
   * pass, so the source is not listed twice, and reconciles only every reconcileIntervalSeconds.
   */
  readonly watchCatchesUpAtStart?: boolean;
  /**
   * The watch may run on every replica sharing a ledger at once (an SQS queue hands each message to
   * one consumer). Otherwise it runs on one replica at a time, under the source's lease.
   */
  readonly watchIsShared?: boolean;
  /** An HTTP endpoint where the source pushes events (the webhook source, Hive hooks). */
  readonly ingest?: IngestEndpoint;
  close?(): Promise<void>;
}

/**
 * POST /v1/sources/{name}/{path} with `Authorization: Bearer <token>` and a JSON body. The server does
 * the HTTP part (auth in constant time, rate limits, 413/415, JSON parsing, the events-per-body bound,
 * bounded error answers, 202 only once committed); the adapter turns the parsed body into observations
 * — or problems, in which case nothing is stored (400).
 */
export interface IngestEndpoint {
  readonly path: string;
  readonly token: string;
  /** Optional HMAC-SHA256 signature of "<timestamp>.<body>" (see src/server/signature.ts). */
  readonly signature?: { readonly secret: string; readonly toleranceSeconds: number };
  /** Optional request rate limit for this endpoint (429 beyond it), applied to authenticated requests. */
  readonly rateLimit?: { readonly requestsPerSecond: number; readonly burst?: number };
  /** How many events the parsed body holds: above server.maxEventsPerRequest it is refused (413) unread. */
  countEvents(body: unknown): number;
  /**
   * The body's observations and problems. Slices its work (src/util/work-slicer.ts) so that one large
   * body never holds the event loop: /healthz and other requests are answered meanwhile.
   */
  parse(body: unknown, receivedAt: number): Promise<IngestParseResult>;
}

export interface IngestParseResult {
  /** Each valid event's observation, with the body path it came from (named in a 400 if Polaris cannot represent it). */
  readonly items: ReadonlyArray<{ readonly path: string; readonly observation: Observation }>;
  /** The problems found (the first MAX_PROBLEMS_KEPT); any problem means a 400 and nothing stored. */
  readonly problems: ReadonlyArray<{ readonly path: string; readonly message: string }>;
  /** How many problems there were in all, when more than `problems` holds. */
  readonly problemCount?: number;
  /** Events accepted, including those that produce no observation (e.g. events on other objects). */
  readonly accepted: number;
  /** The 400's message when the body as a whole is wrong (not one event). */
  readonly message?: string;
  /** The body is acceptable but too much work for one request (e.g. its messages inflate too far): 413, send less. */
  readonly tooLarge?: string;
}

export interface SourceCheck {
  readonly ok: boolean;
  readonly detail: string;
  readonly hint?: string;
  /** Metadata locations (or their table directories) worth a VALIDATE against the target catalog. */
  readonly sampleLocations?: readonly string[];
}

/** Where watchers deliver observations. `commit` resolves only once they are durable in the ledger. */
export interface ObservationSink {
  /**
   * Stores the observations and, in the same transaction, the adapter's new cursor and state entries
   * (a null value deletes the key). Acknowledge to the source (delete a message, move a log position)
   * only after this resolves.
   */
  commit(observations: readonly Observation[], options?: CommitOptions): Promise<CommitResult>;
  /** The cursor committed last (undefined on first start). */
  cursor(): Promise<string | undefined>;
  /** The adapter's own key/value state as last committed (e.g. ETags per table). */
  state(): Promise<ReadonlyMap<string, string>>;
  /**
   * Tables of this source the mirror holds or is about to (desired or applied present), optionally only
   * those under a namespace prefix — e.g. every table of a database the source dropped.
   */
  knownTables(namespacePrefix?: readonly string[]): Promise<SourceTable[]>;
  /** A full reconciliation pass now (list, observe, drops with the mass-drop brake), e.g. after a gap. */
  reconcile(signal?: AbortSignal): Promise<PassSummary | undefined>;
  /**
   * A watch marks each event from its arrival until its commit, so that a full pass over the source
   * gives way to it (see src/engine/event-priority.ts); call the result once the event is committed.
   */
  eventStarted?(): () => void;
}

export interface CommitOptions {
  readonly cursor?: string;
  readonly state?: Readonly<Record<string, string | null>>;
  /** The engine's pass only: these listed tables are stamped with the pass in the same transaction. */
  readonly seen?: { readonly tables: readonly SourceTable[]; readonly stamp: number };
}

export interface CommitResult {
  /** Observations that changed a table's desired state. */
  readonly accepted: number;
  /** Same state as already stored (a duplicate delivery, an unchanged table). */
  readonly unchanged: number;
  /** Older than the stored observation of that table: ignored so a late event never wins. */
  readonly stale: number;
  /** Not mirrored (filters, identifiers Polaris cannot represent, another source owns the table). */
  readonly rejected: number;
}
