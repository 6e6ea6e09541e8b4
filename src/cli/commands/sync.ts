import type { PassSummary } from '../../engine/reconciler.js';
import { Mirror, UsageError } from '../../engine/mirror.js';
import { checkTarget, targetsOf, type TargetCheck } from '../../engine/target-refill.js';
import type { RunStats } from '../../engine/run-stats.js';
import type { MirrorRow } from '../../ledger/rows.js';
import { dottedName } from '../../model/table.js';
import { commandContext, type CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { existsSync } from 'node:fs';
import { moveLedgerAside } from '../../ledger/sqlite/move-aside.js';
import { SqliteLedger } from '../../ledger/sqlite/sqlite-ledger.js';
import { permanentTokenRefusal } from '../../polaris/token-provider.js';
import { abortOnSignals, holdLease, LeaseRefused } from '../lease.js';
import { BacklogCount } from '../backlog-count.js';
import { startProgress } from '../progress.js';
import { plural } from '../table-format.js';

export interface SyncOptions {
  readonly config: string;
  readonly source?: string[];
  readonly allowMassDrop?: boolean;
  readonly json?: boolean;
  readonly progress?: boolean;
  /** Seconds between progress lines when stderr is not a terminal. */
  readonly progressInterval?: string;
  /** Move the ledger aside and re-derive it from the sources and Polaris. */
  readonly rebuild?: boolean;
}

export interface SyncSummary {
  readonly converged: boolean;
  readonly created: number;
  readonly updated: number;
  readonly dropped: number;
  /** Already in Polaris after a rebuild: recorded as applied, not sent again. */
  readonly recovered: number;
  readonly unchanged: number;
  readonly retries: number;
  readonly listed: number;
  readonly skipped: Record<string, number>;
  readonly failed: Array<{ source: string; table: string; message: string | null; hint: string | null; requestId: string | null }>;
  readonly pending: number;
  readonly passes: Array<{ source: string; complete: boolean; error?: string; hint?: string; dropsRefused: number }>;
  readonly seconds: number;
  /** Each target's check: tables it had lost and were sent again (refilled), tables only it holds (orphans). */
  readonly targets: TargetCheck[];
}

/** `sync`: one reconciliation pass per source, then dispatch until every table is applied or failed. */
export async function syncCommand(options: SyncOptions): Promise<number> {
  const interval = Number(options.progressInterval ?? '5');
  if (!Number.isFinite(interval) || interval <= 0) throw new UsageError(`--progress-interval must be a positive number of seconds, not "${options.progressInterval}"`);
  const context = commandContext(options.config);
  if (options.rebuild) await prepareRebuild(context);
  const mirror = new Mirror({ ...context, rebuilding: options.rebuild ?? false });
  try {
    // No table can be sent without a token: say so once (exit 1) instead of failing every table with it.
    const refusal = await permanentTokenRefusal(mirror.tokens);
    if (refusal) throw refusal;
    const summary = await runSync(mirror, options);
    printSummary(context, summary, options.json ?? false);
    return summary.converged ? EXIT.OK : EXIT.FAILED;
  } finally {
    await mirror.close();
  }
}

export async function runSync(
  mirror: Mirror,
  options: Pick<SyncOptions, 'source' | 'allowMassDrop' | 'progress' | 'progressInterval'>,
): Promise<SyncSummary> {
  const sources = mirror.selectSources(options.source);
  const names = sources.map((s) => s.config.name);
  const release = await holdLease(mirror.ledger, 'sync');
  const { signal, dispose } = abortOnSignals();
  const dispatcher = mirror.createDispatcher({ sources: names });
  const passes: PassSummary[] = [];
  const checks: TargetCheck[] = [];
  let listedSoFar = 0;
  // Progress lines are drawn synchronously: they show the backlog as last read, refreshed as they go.
  const backlog = new BacklogCount(async () => (await mirror.ledger.unfinished(names)).pending);
  const stopProgress =
    options.progress === false
      ? () => undefined
      : startProgress(
          () => ({
            listed: listedSoFar,
            sent: dispatcher.stats.sent,
            failed: dispatcher.stats.failed,
            pending: backlog.current(),
          }),
          { intervalMs: options.progressInterval === undefined ? undefined : Number(options.progressInterval) * 1000 },
        );
  try {
    // A one-shot sync attempts every table that is not in sync, failed ones included: a target that
    // was down when it last ran gets its tables now, not after the failed-table delay.
    for (const name of names) await mirror.ledger.redrive({ source: name });
    // Sending starts while the listings are still running: the ledger is the hand-over point.
    const dispatching = dispatcher.run(signal);
    signal.addEventListener('abort', () => void dispatcher.stop(), { once: true });
    for (const source of sources) {
      if (signal.aborted) break;
      const base = listedSoFar;
      const summary = await mirror.reconciler.pass(
        { adapter: source.adapter, sink: source.sink, maxDropFraction: source.config.maxDropFraction },
        { allowMassDrop: options.allowMassDrop, signal, onProgress: (n) => (listedSoFar = base + n) },
      );
      if (summary) passes.push(summary);
    }
    // A target that lost its state (a restore, a rebuild, a table dropped by hand) is refilled now.
    for (const target of targetsOf(sources.map((s) => s.config))) {
      if (signal.aborted) break;
      checks.push(await checkTarget(mirror, target, signal));
    }
    dispatcher.finishWhenSettled();
    await dispatching;
  } finally {
    stopProgress();
    dispose();
    await release();
  }
  return summarize(mirror, names, passes, dispatcher.stats, signal.aborted, checks);
}

async function summarize(mirror: Mirror, names: string[], passes: PassSummary[], stats: RunStats, interrupted: boolean, checks: TargetCheck[]): Promise<SyncSummary> {
  const skipped: Record<string, number> = {};
  for (const pass of passes) {
    for (const [reason, count] of Object.entries(pass.skipped)) skipped[reason] = (skipped[reason] ?? 0) + (count ?? 0);
  }
  const failedRows: Array<MirrorRow> = [];
  for (const name of names) failedRows.push(...(await mirror.ledger.failedRows(name)));
  const pending = (await mirror.ledger.unfinished(names)).pending;
  const passProblems = passes.some((p) => !p.complete || p.dropsRefused > 0);
  return {
    converged: !interrupted && failedRows.length === 0 && pending === 0 && !passProblems,
    created: stats.created,
    updated: stats.updated,
    dropped: stats.dropped,
    recovered: stats.recovered,
    unchanged: passes.reduce((n, p) => n + p.observed.unchanged, 0),
    retries: stats.retried,
    listed: passes.reduce((n, p) => n + p.listed, 0),
    skipped,
    failed: failedRows.map((row) => ({ source: row.source, table: dottedName(row.table), message: row.lastError, hint: row.lastHint, requestId: row.lastRequestId })),
    pending,
    passes: passes.map((p) => ({ source: p.source, complete: p.complete, error: p.error, hint: p.hint, dropsRefused: p.dropsRefused })),
    seconds: Math.round((Date.now() - stats.startedAt) / 100) / 10,
    targets: checks,
  };
}

function printSummary(context: CommandContext, s: SyncSummary, json: boolean): void {
  if (json) return context.print(JSON.stringify(s, null, 2));
  const skippedDetail = Object.entries(s.skipped)
    .map(([reason, n]) => `${reason}: ${n}`)
    .join(', ');
  const skippedTotal = Object.values(s.skipped).reduce((a, b) => a + b, 0);
  const lines = [
    `sync: ${plural(s.listed, 'table')} listed in ${s.seconds} s`,
    `  created    ${s.created}`,
    `  updated    ${s.updated}`,
    `  dropped    ${s.dropped}`,
    ...(s.recovered > 0 ? [`  recovered  ${s.recovered}  (already in Polaris: recorded, not sent again)`] : []),
    `  unchanged  ${s.unchanged}`,
    `  skipped    ${skippedTotal}${skippedDetail ? `  (${skippedDetail})` : ''}`,
    `  failed     ${s.failed.length}`,
  ];
  if (s.retries > 0) lines.push(`  retries    ${s.retries}`);
  if (s.pending > 0) lines.push(`  pending    ${s.pending}  (interrupted before they converged)`);
  for (const f of s.failed) {
    lines.push(`    ${f.source}: ${f.table} — ${f.message ?? 'failed'}`);
    if (f.hint) lines.push(`      hint: ${f.hint}`);
    if (f.requestId) lines.push(`      request id: ${f.requestId}`);
  }
  for (const p of s.passes) {
    if (p.error) {
      lines.push(`  ${p.source}: ${p.error}`);
      if (p.hint) lines.push(`    hint: ${p.hint}`);
    }
  }
  for (const t of s.targets) {
    const label = `${t.polaris}/${t.catalog}`;
    if (!t.complete) lines.push(`  ${label}: not checked for lost tables (${t.reason ?? 'listing incomplete'})`);
    if (t.refilledCount > 0) lines.push(`  ${label}: refilled ${plural(t.refilledCount, 'table')} it had lost: ${t.refilled.slice(0, 20).join(', ')}${t.refilledCount > 20 ? ', …' : ''}`);
    if (t.orphanCount > 0) lines.push(`  ${label}: ${plural(t.orphanCount, 'orphan table')} no source has (left alone): ${t.orphans.slice(0, 20).join(', ')}${t.orphanCount > 20 ? ', …' : ''}`);
  }
  lines.push(s.converged ? 'result: every table converged' : 'result: not converged (see above); exit code 1');
  context.print(lines.join('\n'));
}

/**
 * `sync --rebuild`: the ledger is damaged or lost. Move it aside (kept for inspection) and start a new
 * one; the sync then re-derives the desired state from the sources and, before the first upsert of each
 * table, reads it back from Polaris so what Polaris already holds is recorded rather than sent again.
 * Tables Polaris holds that no source lists any more are left alone: a rebuilt ledger cannot prove they
 * were this connector's, and dropping them could delete another writer's table.
 */
async function prepareRebuild(context: CommandContext): Promise<void> {
  const path = context.loaded.config.state.path;
  if (path === undefined) {
    throw new UsageError(
      '--rebuild re-derives a SQLite ledger file; a PostgreSQL ledger is restored from the database\'s own backups (or, to start afresh, drop its tables and run `sync`)',
    );
  }
  if (existsSync(path)) {
    try {
      const old = SqliteLedger.open(path, { readonly: true });
      try {
        const holder = await old.leaseHolder();
        if (holder) throw new LeaseRefused(holder);
      } finally {
        await old.close();
      }
    } catch (error) {
      if (error instanceof LeaseRefused) throw error; // never pull the ledger from under a running daemon
    }
  }
  const moved = moveLedgerAside(path, 'before-rebuild');
  process.stderr.write(moved ? `rebuild: moved the previous ledger to ${moved}\n` : `rebuild: no ledger at ${path}; starting a new one\n`);
}
