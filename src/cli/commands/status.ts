import type { Ledger, WatchLease } from '../../ledger/ledger.js';
import { sourceLeaseName } from '../watch-lease.js';
import { describeLedger, openLedgerForReading } from '../../ledger/open-ledger.js';
import type { MirrorRow } from '../../ledger/rows.js';
import { dottedName } from '../../model/table.js';
import { timeText } from '../../util/time-text.js';
import { commandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { CAPTURE_STATE_KEY } from '../../model/source-adapter.js';
import { formatTable } from '../table-format.js';
import { targetLabel } from '../../config/targets.js';
import { targetCheckKey, type TargetCheck } from '../../engine/target-refill.js';

/**
 * The `status --json` shape is a contract: {"sources":[{"name","tables":{"total","inSync","pending",
 * "failed"},"failed":[{"table","status","message","hint"}]}]}. Fields may be added, never renamed.
 * Added since: each problem's "requestId" (the X-Request-ID of its last operation, as Polaris logged it);
 * each source's "targets" (its tables per Polaris instance and catalog) and each problem's "target"
 * ("<polaris>/<catalog>", the form `retry --target` takes). With several targets a source's "tables"
 * count (table, target) pairs.
 */
export interface StatusReport {
  sources: Array<{
    name: string;
    type: string;
    tables: { total: number; inSync: number; pending: number; failed: number };
    /** The source's tables on each of its targets (one entry per configured target). */
    targets: Array<{
      polaris: string;
      catalog: string;
      tables: { total: number; inSync: number; pending: number; failed: number };
      /** The last look at the target's listing (sync, or periodically by run): refilled tables and orphans. */
      check: TargetCheck | null;
    }>;
    failed: TableProblem[];
    /** Pending tables whose last attempt failed transiently (they are being retried). */
    retrying: TableProblem[];
    cursor: string | null;
    lastPass: { startedAt: string | null; endedAt: string | null; complete: boolean | null; summary: unknown } | null;
    lastError: string | null;
    lastHint: string | null;
    /**
     * On a shared (PostgreSQL) ledger: the replica running this source's single watcher and its
     * reconciliation, and until when its lease lasts; null when none holds it (or on SQLite).
     */
    lease: { holder: string; acquiredAt: string; heartbeatAt: string; expiresAt: string; live: boolean } | null;
    /** How the source captures changes when it says (e.g. "scans only: …" for a hiveserver2 source without a readable change log). */
    capture: string | null;
  }>;
}

interface TableProblem {
  table: string;
  status: string;
  message: string | null;
  hint: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  /** The X-Request-ID of the table's last operation: search Polaris's logs for it. */
  requestId: string | null;
  /** Where the table goes: "<polaris>/<catalog>" (retry --target takes this form). */
  target: string;
}

/** `status`: read-only; works while `run` is going (SQLite WAL lets readers in). */
export async function statusCommand(options: { config: string; json?: boolean }): Promise<number> {
  const context = commandContext(options.config);
  const { config } = context.loaded;
  const ledger = await openLedgerForReading(config.state);
  try {
    const report = await buildStatus(ledger, config.sources);
    context.print(options.json ? JSON.stringify(report, null, 2) : renderStatus(report, ledger === undefined ? describeLedger(undefined, config.state) : undefined));
    return EXIT.OK;
  } finally {
    await ledger?.close();
  }
}

export async function buildStatus(
  ledger: Ledger | undefined,
  sources: ReadonlyArray<{ name: string; type: string; targets?: ReadonlyArray<{ polaris: string; catalog: string }> }>,
): Promise<StatusReport> {
  const counts = new Map(((await ledger?.counts()) ?? []).map((c) => [c.source, c]));
  const perTarget = (await ledger?.targetCounts()) ?? [];
  const leases = new Map(((await ledger?.watchLeases()) ?? []).map((l) => [l.name, l]));
  const reports: StatusReport['sources'] = [];
  for (const source of sources) {
    const c = counts.get(source.name);
    const state = await ledger?.sourceState(source.name);
    const inSync = c?.inSync ?? 0;
    const pending = c?.pending ?? 0;
    const failed = c?.failed ?? 0;
    reports.push({
      name: source.name,
      type: source.type,
      tables: { total: inSync + pending + failed, inSync, pending, failed },
      targets: await Promise.all(
        (source.targets ?? []).map(async (t) => {
          const n = perTarget.find((c) => c.source === source.name && c.polaris === t.polaris && c.catalog === t.catalog);
          const stored = (await ledger?.adapterState(targetCheckKey(t)))?.get('check');
          return {
            polaris: t.polaris,
            catalog: t.catalog,
            tables: { total: n?.total ?? 0, inSync: n?.inSync ?? 0, pending: n?.pending ?? 0, failed: n?.failed ?? 0 },
            check: stored === undefined ? null : (JSON.parse(stored) as TargetCheck),
          };
        }),
      ),
      failed: ((await ledger?.failedRows(source.name)) ?? []).map(problem),
      retrying: ((await ledger?.retryingRows(source.name)) ?? []).map(problem),
      cursor: state?.cursor ?? null,
      lastPass: state
        ? {
            startedAt: isoOrNull(state.passStartedAt),
            endedAt: isoOrNull(state.passEndedAt),
            complete: state.passComplete,
            summary: state.passSummary,
          }
        : null,
      lastError: state?.lastError ?? null,
      lastHint: state?.lastHint ?? null,
      capture: (await ledger?.adapterState(source.name))?.get(CAPTURE_STATE_KEY) ?? null,
      lease: leaseOf(leases.get(sourceLeaseName(source.name))),
    });
  }
  return { sources: reports };
}

function problem(row: MirrorRow): TableProblem {
  return {
    table: dottedName(row.table),
    status: row.status,
    message: row.lastError,
    hint: row.lastHint,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt > 0 ? timeText(row.nextAttemptAt) : null,
    requestId: row.lastRequestId,
    target: targetLabel({ polaris: row.polaris, catalog: row.target.catalog }),
  };
}

function leaseOf(lease: WatchLease | undefined): StatusReport['sources'][number]['lease'] {
  if (!lease) return null;
  return {
    holder: lease.holder,
    acquiredAt: timeText(lease.acquiredAt),
    heartbeatAt: timeText(lease.heartbeatAt),
    expiresAt: timeText(lease.expiresAt),
    live: lease.live,
  };
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : timeText(ms);
}

function renderStatus(report: StatusReport, missingLedger: string | undefined): string {
  const lines: string[] = [];
  if (missingLedger) lines.push(`no ledger yet at ${missingLedger}: nothing has been mirrored (run \`polaris-mirror sync\`)`, '');
  lines.push(
    formatTable(
      ['SOURCE', 'TYPE', 'TOTAL', 'IN SYNC', 'PENDING', 'FAILED', 'LAST PASS'],
      report.sources.map((s) => [
        s.name,
        s.type,
        String(s.tables.total),
        String(s.tables.inSync),
        String(s.tables.pending),
        String(s.tables.failed),
        s.lastPass?.endedAt ? `${s.lastPass.endedAt}${s.lastPass.complete ? '' : ' (incomplete)'}` : '-',
      ]),
    ),
  );
  const multi = report.sources.filter((s) => s.targets.length > 1);
  if (multi.length > 0) {
    lines.push(
      '',
      formatTable(
        ['SOURCE', 'TARGET', 'TOTAL', 'IN SYNC', 'PENDING', 'FAILED'],
        multi.flatMap((s) =>
          s.targets.map((t) => [s.name, targetLabel(t), String(t.tables.total), String(t.tables.inSync), String(t.tables.pending), String(t.tables.failed)]),
        ),
      ),
    );
  }
  for (const s of report.sources) {
    const on = (p: TableProblem) => (s.targets.length > 1 ? ` on ${p.target}` : '');
    if (s.capture) lines.push('', `${s.name}: ${s.capture}`);
    for (const t of s.targets) {
      if (t.check && t.check.orphanCount > 0) lines.push('', `${targetLabel(t)}: ${t.check.orphanCount} orphan table(s) no source has (left alone): ${t.check.orphans.slice(0, 20).join(', ')}`);
      if (t.check && t.check.refilled.length > 0) lines.push('', `${targetLabel(t)}: refilled at ${timeText(t.check.at)}: ${t.check.refilled.slice(0, 20).join(', ')}`);
    }
    if (s.lastError) lines.push('', `${s.name}: ${s.lastError}`, ...(s.lastHint ? [`  hint: ${s.lastHint}`] : []));
    for (const f of s.failed) {
      lines.push('', `${s.name}: ${f.table}${on(f)} failed (attempt ${f.attempts}, next try ${f.nextAttemptAt ?? 'now'})`, `  ${f.message ?? ''}`);
      if (f.hint) lines.push(`  hint: ${f.hint}`);
      if (f.requestId) lines.push(`  request id: ${f.requestId}`);
    }
    for (const r of s.retrying) lines.push('', `${s.name}: ${r.table}${on(r)} retrying (attempt ${r.attempts}): ${r.message ?? ''}${r.requestId ? ` (request id ${r.requestId})` : ''}`);
    if (s.lease) lines.push('', `${s.name}: watched by replica ${s.lease.holder} (lease ${s.lease.live ? `until ${s.lease.expiresAt}` : `expired at ${s.lease.expiresAt}`})`);
  }
  return lines.join('\n');
}
