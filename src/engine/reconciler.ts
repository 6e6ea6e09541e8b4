import type { Ledger } from '../ledger/ledger.js';
import { newPassStamp } from '../ledger/pass-stamps.js';
import type { AbsentObservation, PresentObservation, SkipReason } from '../model/observation.js';
import type { CommitResult, SourceAdapter } from '../model/source-adapter.js';
import type { SourceTable } from '../model/table.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Redactor } from '../telemetry/redactor.js';
import { excerpt } from '../telemetry/safe-text.js';
import { messageOf, MirrorError } from '../util/errors.js';
import { brake, MASS_DROP_HINT } from './drop-brake.js';
import { PassPacing } from './pass-pacing.js';
import type { SourceSink } from './source-sink.js';

export interface PassSummary {
  readonly source: string;
  readonly complete: boolean;
  readonly listed: number;
  readonly observed: CommitResult;
  readonly skipped: Partial<Record<SkipReason, number>>;
  readonly dropCandidates: number;
  readonly dropsRefused: number;
  readonly error?: string;
  readonly hint?: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** Observations are stored in batches of this size while a listing streams in. */
const BATCH = 500;

/**
 * One full pass over a source: every listed table becomes an observation; once the listing is known to
 * be complete, owned tables it did not return become (unconfirmed) absences, unless the mass-drop brake
 * holds. A listing that fails half-way records what it saw and drops nothing.
 */
export class Reconciler {
  /** The passes running now, per source (pass id → start time): /readyz reports one that does not end. */
  private readonly running = new Map<string, Map<number, number>>();
  private passIds = 0;

  constructor(
    private readonly ledger: Ledger,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly redactor: Redactor,
  ) {}

  /** When the longest-running pass over this source started, if one is running. */
  runningSince(source: string): number | undefined {
    const starts = this.running.get(source);
    return starts && starts.size > 0 ? Math.min(...starts.values()) : undefined;
  }

  async pass(
    source: { adapter: SourceAdapter; sink: SourceSink; maxDropFraction: number },
    options: { allowMassDrop?: boolean; signal?: AbortSignal; onProgress?: (listed: number) => void } = {},
  ): Promise<PassSummary | undefined> {
    if (!source.adapter.list) return undefined;
    const startedAt = Date.now();
    const id = ++this.passIds;
    const starts = this.running.get(source.adapter.name) ?? new Map<number, number>();
    this.running.set(source.adapter.name, starts.set(id, startedAt));
    try {
      return await this.runPass(source, options, startedAt);
    } finally {
      starts.delete(id);
    }
  }

  private async runPass(
    source: { adapter: SourceAdapter; sink: SourceSink; maxDropFraction: number },
    options: { allowMassDrop?: boolean; signal?: AbortSignal; onProgress?: (listed: number) => void },
    startedAt: number,
  ): Promise<PassSummary | undefined> {
    const { adapter, sink } = source;
    if (!adapter.list) return undefined;
    const stamp = newPassStamp(startedAt);
    let listed = 0;
    const skipped: Partial<Record<SkipReason, number>> = {};
    const observed = { accepted: 0, unchanged: 0, stale: 0, rejected: 0 };
    // What is held between flushes: at most BATCH tables, whatever the size of the source.
    let batch: PresentObservation[] = [];
    let seen: SourceTable[] = [];
    // Events of the source's watch go first: the pass waits for them and, while they flow, pauses.
    const pacing = new PassPacing(sink.events);
    const flush = async () => {
      await pacing.beforeBatch();
      // The observations and the stamps of the listed tables in one transaction.
      if (batch.length > 0 || seen.length > 0) add(observed, await sink.commit(batch, { seen: { tables: seen, stamp } }));
      batch = [];
      seen = [];
      await pacing.afterBatch();
    };
    const skip = (reason: SkipReason) => {
      skipped[reason] = (skipped[reason] ?? 0) + 1;
      this.metrics.skipped.inc({ source: adapter.name, reason });
    };

    try {
      for await (const item of adapter.list(options.signal ?? new AbortController().signal)) {
        listed++;
        // Listed but not mirrored is not "gone": a table that stops being Iceberg, or leaves the
        // filters, is stamped as seen and so never becomes a drop candidate.
        if (item.kind === 'skipped') {
          seen.push(item.skipped.table);
          skip(item.skipped.reason);
        } else {
          seen.push(item.observation.table);
          const outOfScope = sink.normalizer.admit(item.observation);
          if (outOfScope) skip(outOfScope.reason);
          else batch.push(item.observation);
        }
        if (seen.length >= BATCH) {
          await flush();
          options.onProgress?.(listed);
        }
      }
      await flush();
    } catch (error) {
      await flush().catch(() => undefined);
      const summary: PassSummary = {
        source: adapter.name,
        complete: false,
        listed,
        observed,
        skipped,
        dropCandidates: 0,
        dropsRefused: 0,
        error: excerpt(`the listing of source ${adapter.name} failed, so nothing was dropped: ${messageOf(error)}`),
        hint: error instanceof MirrorError && error.hint ? excerpt(error.hint) : 'check that the source is reachable; the next pass tries again',
        startedAt,
        endedAt: Date.now(),
      };
      await this.record(summary, 'failed');
      return summary;
    }
    options.onProgress?.(listed);

    // The listing is complete: the live rows it did not stamp are the tables it did not return.
    const counts = await this.ledger.unseenCounts(adapter.name, stamp);
    const decision = brake(counts.unseen, counts.mirrored, source.maxDropFraction, options.allowMassDrop ?? false);
    if (!decision.refused && counts.unseen > 0) {
      const result = await this.commitAbsences(adapter.name, sink, stamp, startedAt);
      observed.accepted += result.accepted;
      observed.stale += result.stale;
    }
    const summary: PassSummary = {
      source: adapter.name,
      complete: true,
      listed,
      observed,
      skipped,
      dropCandidates: counts.unseen,
      dropsRefused: decision.refused ? counts.unseen : 0,
      error: decision.reason,
      hint: decision.refused ? MASS_DROP_HINT : undefined,
      startedAt,
      endedAt: Date.now(),
    };
    await this.record(summary, decision.refused ? 'drops_refused' : 'complete');
    return summary;
  }

  /**
   * Unconfirmed absences for the rows the pass did not see, page by page: the dispatcher re-reads each
   * table right before its DROP. Ordered at the pass's start, so a table an event re-created since wins.
   */
  private async commitAbsences(source: string, sink: SourceSink, stamp: number, startedAt: number): Promise<CommitResult> {
    const total = { accepted: 0, unchanged: 0, stale: 0, rejected: 0 };
    for (let after = 0; ; ) {
      const page = await this.ledger.unseenTables(source, stamp, after, BATCH);
      if (page.length === 0) return total;
      after = page[page.length - 1]!.id;
      const absences: AbsentObservation[] = page.map(({ table }) => ({ table, state: 'absent', order: startedAt, sourceTimeMs: startedAt }));
      add(total, await sink.commit(absences));
    }
  }

  private async record(summary: PassSummary, outcome: 'complete' | 'failed' | 'drops_refused'): Promise<void> {
    this.metrics.passes.inc({ source: summary.source, outcome });
    const { error, hint, ...rest } = summary;
    await this.ledger.recordPass(summary.source, {
      startedAt: summary.startedAt,
      endedAt: summary.endedAt,
      complete: summary.complete,
      summary: rest,
      error: error === undefined ? undefined : excerpt(this.redactor.scrub(error)),
      hint: hint === undefined ? undefined : excerpt(this.redactor.scrub(hint)),
    });
    if (error) this.logger.warn({ source: summary.source, hint }, error);
    else this.logger.info({ source: summary.source, listed: summary.listed, observed: summary.observed, skipped: summary.skipped }, `pass over ${summary.source} complete`);
  }
}

function add(total: { accepted: number; unchanged: number; stale: number; rejected: number }, result: CommitResult): void {
  total.accepted += result.accepted;
  total.unchanged += result.unchanged;
  total.stale += result.stale;
  total.rejected += result.rejected;
}
