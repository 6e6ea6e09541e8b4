import type { CommonSourceConfig } from '../config/source-schema.js';
import type { Observation, SkippedTable } from '../model/observation.js';
import { dottedName, type PolarisTable, type SourceTable } from '../model/table.js';
import { AllowedLocations } from './allowed-locations.js';
import { TableFilter } from './glob.js';
import { unrepresentableReason } from './identifier.js';
import { futureSourceTimeReason } from './timestamp.js';

/** An observation made Polaris-shaped: it now knows which Polaris table it is about. */
export interface NormalizedObservation {
  readonly source: string;
  readonly target: PolarisTable;
  readonly observation: Observation;
}

export type NormalizeResult =
  | { readonly ok: true; readonly value: NormalizedObservation }
  | { readonly ok: false; readonly skipped: SkippedTable };

/**
 * Maps one source's tables to Polaris and applies its filters. Pure: the timestamp is assigned by the
 * ledger in the same transaction that stores the observation (it needs the stored last value).
 */
export class Normalizer {
  private readonly filter: TableFilter;
  private readonly locations: AllowedLocations;

  constructor(private readonly source: CommonSourceConfig) {
    this.filter = new TableFilter(source.include, source.exclude);
    this.locations = new AllowedLocations(source.allowedLocations);
  }

  get sourceName(): string {
    return this.source.name;
  }

  /** Whether the table is in scope (filters and identifiers); listings use it to find skipped tables. */
  check(table: SourceTable): SkippedTable | undefined {
    const name = dottedName(table);
    if (!this.filter.accepts(name)) return { table, reason: 'filtered', detail: `"${name}" is not matched by the include/exclude globs` };
    const unrepresentable = unrepresentableReason(table, this.source.target.namespacePrefix);
    if (unrepresentable) return { table, reason: 'invalid-identifier', detail: unrepresentable };
    return undefined;
  }

  /**
   * Whether an observation may be stored: its table is in scope (check), its source time is not
   * implausibly far ahead, and a present table's metadata location is within allowedLocations.
   * Every way in (listings, watchers, the HTTP ingest) applies it; the ingest answers the reason.
   */
  admit(observation: Observation, nowMs = Date.now()): SkippedTable | undefined {
    const table = observation.table;
    const outOfScope = this.check(table);
    if (outOfScope) return outOfScope;
    const future = futureSourceTimeReason(observation.sourceTimeMs, nowMs);
    if (future) return { table, reason: 'future-source-time', detail: future };
    if (observation.state === 'present') {
      const refused = this.locations.refusal(observation.metadataLocation);
      if (refused) return { table, reason: 'location-not-allowed', detail: refused };
    }
    return undefined;
  }

  target(table: SourceTable): PolarisTable {
    return {
      catalog: this.source.target.catalog,
      namespace: [...this.source.target.namespacePrefix, ...table.namespace],
      name: table.name,
    };
  }

  normalize(observation: Observation): NormalizeResult {
    const skipped = this.admit(observation);
    if (skipped) return { ok: false, skipped };
    return { ok: true, value: { source: this.source.name, target: this.target(observation.table), observation } };
  }
}
