import type { Ledger } from '../../ledger/ledger.js';
import type { MirrorRow } from '../../ledger/rows.js';
import { dottedName } from '../../model/table.js';

/** A retry of at most this many tables prints a line per table; a larger one prints a summary. */
export const RESULT_LINES_AT_MOST = 1000;
/** Above RESULT_LINES_AT_MOST, the tables not in sync printed a line each before the summary. */
export const NOT_IN_SYNC_LISTED = 100;
/**
 * Distinct reasons counted for the summary, so that memory stays bounded however the failures differ;
 * a reason first met after these is counted with the "other reasons". Hints are written per kind of
 * failure, not per table, so a retry's failures rarely have more than a few.
 */
const REASONS_KEPT = 1000;
/** Reasons the summary names, the most frequent first. */
const REASONS_SHOWN = 5;

/** "ok      lake: sales.orders", or the table's status with its error, hint and request id. */
export function resultLine(row: MirrorRow): string {
  const name = `${row.source}: ${dottedName(row.table)}`;
  if (row.status === 'in_sync') return `ok      ${name}`;
  return `${row.status.padEnd(7)} ${name} — ${row.lastError ?? ''}${row.lastHint ? `\n        hint: ${row.lastHint}` : ''}${row.lastRequestId ? `\n        request id: ${row.lastRequestId}` : ''}`;
}

/**
 * Why a table is not in sync, as the summary counts it: its hint (else its error), with a quoted path or
 * URI elided, since a hint that names the table's own location ("add \"s3://…/orders\" to the
 * allowedLocations …") would otherwise make a mass failure a million reasons of one table each.
 */
export function reasonOf(row: MirrorRow): string {
  const text = row.lastHint ? `hint: ${row.lastHint}` : (row.lastError ?? row.status);
  return text.replace(/"[^"\s]*\/[^"\s]*"/g, '"…"');
}

interface Reason {
  readonly text: string;
  tables: number;
  /** The first table that failed for it, with its own error (which may name the table). */
  readonly example: MirrorRow;
}

/**
 * Prints how a retry's tables ended and returns how many are not in sync. Up to RESULT_LINES_AT_MOST
 * tables, a line each. Above (a retry of every table of a catalog Polaris refused: a million lines of
 * the same refusal would hide the answer), the first NOT_IN_SYNC_LISTED tables not in sync, then the
 * counts and the commonest reasons. Lines are paced: stdout's reader sets the speed, nothing is held.
 */
export async function reportRetry(ledger: Pick<Ledger, 'get'>, ids: readonly number[], printPaced: (text: string) => Promise<void>, configPath: string): Promise<number> {
  const each = ids.length <= RESULT_LINES_AT_MOST;
  const counts = { in_sync: 0, pending: 0, failed: 0 };
  const reasons = new Map<string, Reason>();
  let otherReasons = 0;
  for (const id of ids) {
    const row = await ledger.get(id);
    if (row === undefined) continue; // forgotten meanwhile (a rebuild): nothing to report
    counts[row.status] += 1;
    const listed = each || (row.status !== 'in_sync' && counts.pending + counts.failed <= NOT_IN_SYNC_LISTED);
    if (listed) await printPaced(resultLine(row));
    if (each || row.status === 'in_sync') continue;
    const key = reasonOf(row);
    const reason = reasons.get(key);
    if (reason) reason.tables += 1;
    else if (reasons.size < REASONS_KEPT) reasons.set(key, { text: key, tables: 1, example: row });
    else otherReasons += 1;
  }
  const notInSync = counts.pending + counts.failed;
  if (!each) await printSummary(ids.length, counts, [...reasons.values()], otherReasons, printPaced, configPath);
  return notInSync;
}

async function printSummary(
  total: number,
  counts: { in_sync: number; pending: number; failed: number },
  reasons: Reason[],
  otherReasons: number,
  printPaced: (text: string) => Promise<void>,
  configPath: string,
): Promise<void> {
  const notInSync = counts.pending + counts.failed;
  const listed = notInSync > NOT_IN_SYNC_LISTED ? ` (the first ${NOT_IN_SYNC_LISTED} not in sync are listed above)` : '';
  await printPaced(`retried ${total} tables: ${counts.in_sync} in sync, ${counts.failed} failed, ${counts.pending} pending${listed}`);
  if (notInSync === 0) return;
  reasons.sort((a, b) => b.tables - a.tables);
  for (const { text, tables, example } of reasons.slice(0, REASONS_SHOWN)) {
    await printPaced(`  ${tables} × ${text}`);
    await printPaced(`      e.g. ${example.source}: ${dottedName(example.table)} — ${example.lastError ?? example.status}`);
  }
  const rest = reasons.slice(REASONS_SHOWN).reduce((sum, r) => sum + r.tables, 0) + otherReasons;
  if (rest > 0) await printPaced(`  ${rest} more for other reasons`);
  await printPaced(`\`polaris-mirror status --config ${configPath}\` lists the failed tables with their hints`);
}
