import type { CommonSourceConfig, ResolvedTarget } from '../config/source-schema.js';
import { DEFAULT_POLARIS, resolveTargets } from '../config/targets.js';
import type { Observation, SkippedTable } from '../model/observation.js';
import { dottedName, type PolarisTable, type SourceTable } from '../model/table.js';
import { AllowedLocations } from './allowed-locations.js';
import { TableFilter } from './glob.js';
import { unrepresentableReason } from './identifier.js';
import { futureSourceTimeReason } from './timestamp.js';

/** An observation made Polaris-shaped: it now knows which Polaris table it is about. */
export interface NormalizedObservation {
  readonly source: string;
  /** The table on the source's first target (on the default Polaris instance unless `polaris` says). */
  readonly target: PolarisTable;
  /** The Polaris instance of `target`; "default" when unset. */
  readonly polaris?: string;
  /**
   * Every target of the source; the ledger stores the observation on each one's row.
   * Unset: `target` on `polaris` only.
   */
  readonly targets?: readonly TargetedTable[];
  readonly observation: Observation;
}

/** A table on one target: which Polaris instance, and the table's name there. */
export interface TargetedTable {
  readonly polaris: string;
  readonly table: PolarisTable;
}

/** One observation per target, each naming its own instance and table (what the ledger stores). */
export function perTarget(item: NormalizedObservation): Array<NormalizedObservation & { readonly polaris: string }> {
  const targets = item.targets ?? [{ polaris: item.polaris ?? DEFAULT_POLARIS, table: item.target }];
  return targets.map((t) => ({ source: item.source, target: t.table, polaris: t.polaris, observation: item.observation }));
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
  readonly targets: readonly ResolvedTarget[];

  constructor(private readonly source: CommonSourceConfig) {
    this.filter = new TableFilter(source.include, source.exclude);
    this.locations = new AllowedLocations(source.allowedLocations);
    this.targets = source.targets ?? resolveTargets(source);
  }

  get sourceName(): string {
    return this.source.name;
  }

  /** Whether the table is in scope (filters and identifiers); listings use it to find skipped tables. */
  check(table: SourceTable): SkippedTable | undefined {
    if (!this.filter.acceptsTable(table)) return { table, reason: 'filtered', detail: `"${dottedName(table)}" is not matched by the include/exclude globs` };
    for (const target of this.targets) {
      const unrepresentable = unrepresentableReason(table, target.namespacePrefix);
      if (unrepresentable) return { table, reason: 'invalid-identifier', detail: unrepresentable };
    }
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

  /** The table on the source's first target. */
  target(table: SourceTable): PolarisTable {
    return this.targetedTables(table)[0]!.table;
  }

  /** The table on every target of the source. */
  targetedTables(table: SourceTable): TargetedTable[] {
    return this.targets.map((t) => ({
      polaris: t.polaris,
      // Without a prefix the source's levels are the target's (both read-only): no copy per observation.
      table: { catalog: t.catalog, namespace: t.namespacePrefix.length === 0 ? table.namespace : [...t.namespacePrefix, ...table.namespace], name: table.name },
    }));
  }

  normalize(observation: Observation): NormalizeResult {
    const skipped = this.admit(observation);
    if (skipped) return { ok: false, skipped };
    const targets = this.targetedTables(observation.table);
    return { ok: true, value: { source: this.source.name, target: targets[0]!.table, polaris: targets[0]!.polaris, targets, observation } };
  }
}
