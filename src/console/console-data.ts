import type { Mirror } from '../engine/mirror.js';
import type { RefreshRegistry } from '../engine/refresh-registry.js';
import type { RefreshReport } from '../engine/scoped-refresh.js';
import type { OperationRecord } from '../ledger/operation-history.js';
import type { MirrorRow } from '../ledger/rows.js';
import { dottedName } from '../model/table.js';
import { readiness } from '../server/health.js';
import type { MinuteCounts } from '../telemetry/activity-ring.js';
import type { Metrics } from '../telemetry/metrics.js';

/** Problem tables listed on the console's front page at most (the filter narrows them down). */
export const MAX_PROBLEMS_SHOWN = 500;

export interface SourceView {
  readonly name: string;
  readonly type: string;
  readonly health: { readonly ok: boolean; readonly detail: string };
  readonly lagSeconds: number | null;
  readonly cursor: string | null;
  readonly lastPass: { readonly endedAt: number | null; readonly complete: boolean | null; readonly summary: unknown } | null;
  readonly lastError: string | null;
  readonly lastHint: string | null;
  readonly tables: { readonly inSync: number; readonly pending: number; readonly failed: number };
  readonly activity: readonly MinuteCounts[];
}

export interface ProblemFilter {
  readonly source?: string;
  /** failed, retrying, or both when absent. */
  readonly status?: 'failed' | 'retrying';
  /** A piece of the table name, the error or the hint. */
  readonly search?: string;
}

export interface Problem {
  readonly row: MirrorRow;
  readonly kind: 'failed' | 'retrying';
}

export interface Overview {
  readonly sources: readonly SourceView[];
  readonly problems: readonly Problem[];
  readonly problemsTotal: number;
  readonly refreshes: readonly RefreshReport[];
}

/** What the front page shows, read from the ledger, the readiness checks and the daemon's counters. */
export async function overview(mirror: Mirror, metrics: Metrics, refreshes: RefreshRegistry, filter: ProblemFilter, now = Date.now()): Promise<Overview> {
  const checks = (await readiness(mirror, now, 'detail')).checks;
  const counts = new Map((await mirror.tableCounts.read()).map((c) => [c.source, c]));
  const lags = new Map((await metrics.sourceLag.get()).values.map((v) => [String(v.labels.source), v.value]));
  const sources: SourceView[] = [];
  for (const source of mirror.sources.values()) {
    const name = source.config.name;
    const state = await mirror.ledger.sourceState(name);
    const passAge = state?.passComplete && state.passEndedAt ? (now - state.passEndedAt) / 1000 : null;
    const c = counts.get(name);
    sources.push({
      name,
      type: source.adapter.type,
      health: checks[`source:${name}`] ?? { ok: true, detail: 'receives pushed events' },
      // Change capture reports its own lag; for scans and polls it is the age of the last complete pass.
      lagSeconds: source.adapter.watch && lags.has(name) ? lags.get(name)! : passAge,
      cursor: state?.cursor ?? null,
      lastPass: state ? { endedAt: state.passEndedAt, complete: state.passComplete, summary: state.passSummary } : null,
      lastError: state?.lastError ?? null,
      lastHint: state?.lastHint ?? null,
      tables: { inSync: c?.inSync ?? 0, pending: c?.pending ?? 0, failed: c?.failed ?? 0 },
      activity: mirror.activity.lastHour(name, now),
    });
  }
  const all: Problem[] = [];
  for (const name of [...mirror.sources.keys()].filter((n) => filter.source === undefined || n === filter.source)) {
    if (filter.status !== 'retrying') all.push(...(await mirror.ledger.failedRows(name)).map((row) => ({ row, kind: 'failed' as const })));
    if (filter.status !== 'failed') {
      all.push(...(await mirror.ledger.retryingRows(name)).map((row) => ({ row, kind: 'retrying' as const })));
    }
  }
  const needle = filter.search?.toLowerCase();
  const matching = needle ? all.filter(({ row }) => [dottedName(row.table), row.lastError ?? '', row.lastHint ?? ''].some((text) => text.toLowerCase().includes(needle))) : all;
  return { sources, problems: matching.slice(0, MAX_PROBLEMS_SHOWN), problemsTotal: matching.length, refreshes: await refreshes.recent(10) };
}

export interface TableDetail {
  readonly row: MirrorRow;
  readonly history: readonly OperationRecord[];
}

export async function tableDetail(mirror: Mirror, id: number): Promise<TableDetail | undefined> {
  const row = await mirror.ledger.get(id);
  if (!row || !mirror.sources.has(row.source)) return undefined;
  return { row, history: await mirror.ledger.history(id) };
}
