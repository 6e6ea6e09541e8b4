import { Mirror, UsageError } from '../../engine/mirror.js';
import { dottedName } from '../../model/table.js';
import { commandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { rereadFromSources } from '../reread.js';

/**
 * `reset-order`: the operator's way out when a table is pinned by an order from the future — an event
 * that carried a source time years ahead (before such times were refused) makes every later change of
 * that table "stale". The stored order goes back to now, so the next observation wins; then the table
 * is re-read from its source (where it can be) so the mirror takes its current state at once.
 * Timestamps are not touched: they keep rising above the last one sent, as Polaris requires.
 */
export async function resetOrderCommand(options: { config: string; table?: string; source?: string }): Promise<number> {
  if (!options.table) throw new UsageError('say which table: --table <namespace.table> (or catalog.namespace.table)');
  const context = commandContext(options.config);
  const mirror = new Mirror(context);
  try {
    if (options.source) mirror.selectSources([options.source]);
    const rows = await mirror.ledger.rowsNamed(options.table, options.source);
    if (rows.length === 0) {
      context.print(`no table named "${options.table}" in the ledger${options.source ? ` of source ${options.source}` : ''}`);
      return EXIT.FAILED;
    }
    const now = Date.now();
    for (const row of rows) {
      await mirror.ledger.resetOrder(row.id, now, now);
      context.print(`reset   ${row.source}: ${dottedName(row.table)} — order ${describeOrder(row.desired.order)} → ${new Date(now).toISOString()}`);
    }
    await rereadFromSources(mirror, rows.map((row) => row.id), context.print);
    for (const row of rows) {
      const after = (await mirror.ledger.get(row.id))!;
      const state = after.desired.state === 'present' ? `present at ${after.desired.metadataLocation}` : 'absent';
      context.print(`        ${after.source}: ${dottedName(after.table)} is now ${state} (${after.status}); the next observation of it is taken`);
    }
    return EXIT.OK;
  } finally {
    await mirror.close();
  }
}

/** An order as a time when it looks like one (most are ms since the epoch), else as the number. */
function describeOrder(order: number): string {
  const date = new Date(order);
  return Number.isNaN(date.getTime()) ? String(order) : date.toISOString();
}
