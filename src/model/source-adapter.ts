import type { AbsentObservation, ListedItem, Observation, PresentObservation } from './observation.js';
import type { SourceTable } from './table.js';

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
  close?(): Promise<void>;
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
  /** Stores the observations and, in the same transaction, the adapter's new cursor. */
  commit(observations: readonly Observation[], cursor?: string): Promise<CommitResult>;
  /** The cursor committed last (undefined on first start). */
  cursor(): string | undefined;
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
