import type { GroupCommit } from '../ledger/group-commit.js';
import type { Ledger, ObserveResult } from '../ledger/ledger.js';
import type { Observation } from '../model/observation.js';
import type { CommitResult, ObservationSink } from '../model/source-adapter.js';
import type { NormalizedObservation, Normalizer } from '../normalizer/normalize.js';
import type { Metrics } from '../telemetry/metrics.js';

/**
 * The way into the ledger for one source: normalizes observations and stores them (with the source's
 * cursor) in one durable transaction, then wakes the dispatcher. Watchers, the HTTP ingest, listings
 * and the engine's own re-reads all commit through here.
 */
export class SourceSink implements ObservationSink {
  constructor(
    readonly normalizer: Normalizer,
    private readonly ledger: Ledger,
    private readonly groupCommit: GroupCommit,
    private readonly metrics: Metrics,
    private readonly onCommitted: () => void,
  ) {}

  get source(): string {
    return this.normalizer.sourceName;
  }

  async commit(observations: readonly Observation[], cursor?: string): Promise<CommitResult> {
    const accepted: NormalizedObservation[] = [];
    let rejected = 0;
    for (const observation of observations) {
      const result = this.normalizer.normalize(observation);
      if (result.ok) accepted.push(result.value);
      else {
        rejected++;
        this.metrics.skipped.inc({ source: this.source, reason: result.skipped.reason });
      }
    }
    const results = await this.groupCommit.write(() => {
      const stored = this.ledger.observe(accepted);
      if (cursor !== undefined) this.ledger.setCursor(this.source, cursor);
      return stored;
    });
    const summary = tally(results, rejected);
    for (const [result, count] of Object.entries(summary)) {
      if (count > 0) this.metrics.observations.inc({ source: this.source, result }, count);
    }
    if (summary.accepted > 0 || summary.rejected > 0) this.onCommitted();
    return summary;
  }

  cursor(): string | undefined {
    return this.ledger.cursor(this.source);
  }
}

function tally(results: readonly ObserveResult[], rejectedBefore: number): CommitResult {
  const counts = { accepted: 0, unchanged: 0, stale: 0, rejected: rejectedBefore };
  for (const result of results) counts[result]++;
  return counts;
}
