import type { SourceTable } from './table.js';

/**
 * What a source adapter saw: table T of source S is now present (with its metadata location) or absent.
 *
 * Observations are level-triggered: they describe a state, not a change, so replaying one twice or
 * receiving them late is harmless — the ledger keeps only the newest per table (by `order`).
 */
export type Observation = PresentObservation | AbsentObservation;

interface ObservationBase {
  readonly table: SourceTable;
  /**
   * Rises with the source's truth about this table. The ledger ignores an observation whose order is
   * below the stored one, so a late, older observation never wins. Each adapter picks what fits:
   * the HTTP ingest uses the event's sourceTimestampMs, listings use the time the read started,
   * the Hive notification log its event id.
   */
  readonly order: number;
  /** When the source says the change happened (ms since epoch); the basis of Polaris's timestamp. */
  readonly sourceTimeMs: number;
}

export interface PresentObservation extends ObservationBase {
  readonly state: 'present';
  readonly metadataLocation: string;
  /** The Iceberg table UUID when the source knows it. */
  readonly tableUuid?: string;
  /**
   * What the source needs to read this table conditionally next time (an Iceberg REST ETag with what
   * it stands for). The ledger stores it in the table's row with this observation, in the same
   * transaction, and hands it back through AdapterContext.storedVersions.
   */
  readonly sourceVersion?: string;
}

/**
 * Whether a table seen at the metadata location stored for it is another table: re-created in place
 * (dropped, then created again under the same name, writing the same file names: Hadoop-style
 * `vN.metadata.json`). Told only by the Iceberg table UUID, so only when both sightings carry one.
 */
export function recreatedInPlace(storedUuid: string | null | undefined, seenUuid: string | null | undefined): boolean {
  return !!storedUuid && !!seenUuid && storedUuid !== seenUuid;
}

export interface AbsentObservation extends ObservationBase {
  readonly state: 'absent';
  /**
   * True when the absence needs no confirmation: the source cannot be re-read (HTTP ingest), or the
   * adapter has just confirmed it. False (the default) makes the dispatcher re-read the source right
   * before sending DROP, so that a stale absence never deletes a re-created table.
   */
  readonly confirmed?: boolean;
}

/** Why a listed table is not mirrored. Counted and shown in `sync` output and `status`. */
export interface SkippedTable {
  readonly table: SourceTable;
  readonly reason: SkipReason;
  readonly detail?: string;
}

/**
 * Reasons are a closed vocabulary so they can be metric labels. Source adapters add their own kinds
 * (Glue resource links, federated tables, ...) here when they land.
 */
export type SkipReason =
  | 'not-iceberg'
  | 'no-metadata-location'
  | 'invalid-metadata'
  | 'view'
  | 'resource-link'
  | 'federated'
  | 'filtered'
  | 'invalid-identifier'
  /** Listed, but the source would not load it this time (an Iceberg REST 5xx / 403 on one table). */
  | 'load-failed'
  /** Its metadata file is larger than the source's limit (on disk or inflated). */
  | 'metadata-too-large'
  /** Files source: reached through a symlink, or a FIFO, device or socket where a file should be. */
  | 'not-a-regular-file'
  /** Files source: a directory branch whose path exceeds the system's PATH_MAX. */
  | 'path-too-long'
  /** A namespace nested deeper than MAX_NAMESPACE_DEPTH levels (its branch is not listed). */
  | 'too-deep'
  /** The source time is implausibly far ahead of the connector's clock (MAX_SOURCE_TIME_AHEAD_MS). */
  | 'future-source-time'
  /** The metadata location is outside the source's allowedLocations. */
  | 'location-not-allowed';

/** One item of a listing: a table to mirror, or one that is deliberately left out. */
export type ListedItem =
  | { readonly kind: 'observation'; readonly observation: PresentObservation }
  | { readonly kind: 'skipped'; readonly skipped: SkippedTable };
