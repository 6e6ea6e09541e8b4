import { Mirror, UsageError } from '../../engine/mirror.js';
import { dottedName } from '../../model/table.js';
import { commandContext } from '../context.js';
import { rereadFromSources } from '../reread.js';
import { EXIT } from '../exit-codes.js';
import { abortOnSignals, holdLease, LeaseRefused } from '../lease.js';

/**
 * `retry`: makes failed tables due now and re-drives them with a per-table result. When a daemon holds
 * the sender lease, the tables are only marked: the daemon picks them up within seconds.
 */
export async function retryCommand(options: { config: string; table?: string; allFailed?: boolean; source?: string }): Promise<number> {
  if (!options.table && !options.allFailed) throw new UsageError('say what to retry: --table <name> or --all-failed');
  const context = commandContext(options.config);
  const mirror = new Mirror(context);
  try {
    if (options.source) mirror.selectSources([options.source]);
    const ids = await mirror.ledger.redrive({ source: options.source, table: options.table, allFailed: options.allFailed });
    if (ids.length === 0) {
      context.print(options.table ? `no table named "${options.table}" needs a retry (not in the ledger, or in sync)` : 'no failed tables');
      return options.table ? EXIT.FAILED : EXIT.OK;
    }
    await rereadFromSources(mirror, ids, context.print);
    let release: () => Promise<void>;
    try {
      release = await holdLease(mirror.ledger, 'retry');
    } catch (error) {
      if (!(error instanceof LeaseRefused)) throw error;
      context.print(`marked ${ids.length} table(s) for retry; the running ${error.holder.command} (pid ${error.holder.pid}) re-drives them`);
      return EXIT.OK;
    }
    const { signal, dispose } = abortOnSignals();
    try {
      const dispatcher = mirror.createDispatcher({ onlyIds: new Set(ids) });
      signal.addEventListener('abort', () => void dispatcher.stop(), { once: true });
      await dispatcher.runUntilSettled(signal);
    } finally {
      dispose();
      await release();
    }
    let failed = 0;
    for (const id of ids) {
      const row = (await mirror.ledger.get(id))!;
      const name = `${row.source}: ${dottedName(row.table)}`;
      if (row.status === 'in_sync') context.print(`ok      ${name}`);
      else {
        failed++;
        context.print(`${row.status.padEnd(7)} ${name} — ${row.lastError ?? ''}${row.lastHint ? `\n        hint: ${row.lastHint}` : ''}${row.lastRequestId ? `\n        request id: ${row.lastRequestId}` : ''}`);
      }
    }
    return failed === 0 ? EXIT.OK : EXIT.FAILED;
  } finally {
    await mirror.close();
  }
}
