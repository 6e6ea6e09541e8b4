import type { Ledger, ObserveResult } from '../ledger/ledger.js';
import type { Observation } from '../model/observation.js';
import type { CommitOptions, CommitResult, ObservationSink } from '../model/source-adapter.js';
import { dottedName, type SourceTable } from '../model/table.js';
import type { NormalizedObservation, Normalizer } from '../normalizer/normalize.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { EventPriority } from './event-priority.js';
import type { PassSummary } from './reconciler.js';

/**
 * The way into the ledger for one source: normalizes observations and stores them (with the source's
 * cursor and adapter state) in one durable transaction, then wakes the dispatcher. Watchers, the HTTP
 * ingest, listings and the engine's own re-reads all commit through here.
 */
export class SourceSink implements ObservationSink {
  /** Set by the Mirror: runs the engine's reconciliation pass over this source. */
  runPass: ((signal?: AbortSignal) => Promise<PassSummary | undefined>) | undefined;
  /** Events of this source's watch being applied: its passes give way to them. */
  readonly events = new EventPriority();

  constructor(
    readonly normalizer: Normalizer,
    private readonly ledger: Ledger,
    private readonly metrics: Metrics,
    private readonly onCommitted: () => void,
    private readonly logger?: Logger,
  ) {}

  get source(): string {
    return this.normalizer.sourceName;
  }

  async commit(observations: readonly Observation[], options: CommitOptions = {}): Promise<CommitResult> {
    const accepted: NormalizedObservation[] = [];
    let rejected = 0;
    for (const observation of observations) {
      const result = this.normalizer.normalize(observation);
      if (result.ok) accepted.push(result.value);
      else {
        rejected++;
        this.metrics.skipped.inc({ source: this.source, reason: result.skipped.reason });
        // What a source sent but must not be believed is worth a line; scope filters are not.
        if (result.skipped.reason === 'future-source-time' || result.skipped.reason === 'location-not-allowed') {
          this.logger?.warn({ source: this.source, table: dottedName(observation.table), reason: result.skipped.reason }, `source ${this.source}: ${dottedName(observation.table)} refused: ${result.skipped.detail}`);
        }
      }
    }
    const seen = options.seen && { source: this.source, ...options.seen };
    const results = await this.ledger.commit({ observations: accepted, source: this.source, cursor: options.cursor, state: options.state, seen });
    const summary = tally(results, rejected);
    for (const [result, count] of Object.entries(summary)) {
      if (count > 0) this.metrics.observations.inc({ source: this.source, result }, count);
    }
    if (summary.accepted > 0 || summary.rejected > 0) this.onCommitted();
    return summary;
  }

  cursor(): Promise<string | undefined> {
    return this.ledger.cursor(this.source);
  }

  state(): Promise<ReadonlyMap<string, string>> {
    return this.ledger.adapterState(this.source);
  }

  knownTables(namespacePrefix?: readonly string[]): Promise<SourceTable[]> {
    return this.ledger.liveTables(this.source, namespacePrefix);
  }

  eventStarted(): () => void {
    return this.events.started();
  }

  reconcile(signal?: AbortSignal): Promise<PassSummary | undefined> {
    if (!this.runPass) throw new Error(`source ${this.source} is not attached to a mirror`);
    return this.runPass(signal);
  }
}

function tally(results: readonly ObserveResult[], rejectedBefore: number): CommitResult {
  const counts = { accepted: 0, unchanged: 0, stale: 0, rejected: rejectedBefore };
  for (const result of results) counts[result]++;
  return counts;
}
