import { DEFAULT_POLARIS, targetLabel } from '../../config/targets.js';
import { Mirror, UsageError } from '../../engine/mirror.js';
import { commandContext } from '../context.js';
import { rereadFromSources } from '../reread.js';
import { EXIT } from '../exit-codes.js';
import { reportRetry } from './retry-report.js';
import { abortOnSignals, holdLease, LeaseRefused } from '../lease.js';

/**
 * Tables a retry re-reads one by one from their sources first, so that it sends what each source holds
 * now. A retry of more (every table of a catalog Polaris refused: a million) sends their stored state
 * instead: one read per table would take hours there, before anything was sent.
 */
export const REREAD_AT_MOST = 1000;

/**
 * `retry`: makes failed tables due now and re-drives them with a per-table result. When a daemon holds
 * the sender lease, the tables are only marked: the daemon picks them up within seconds.
 */
export async function retryCommand(options: { config: string; table?: string; allFailed?: boolean; source?: string; target?: string }): Promise<number> {
  if (!options.table && !options.allFailed && !options.target) throw new UsageError('say what to retry: --table <name>, --all-failed or --target <polaris>/<catalog>');
  const context = commandContext(options.config);
  const mirror = new Mirror(context);
  try {
    if (options.source) mirror.selectSources([options.source]);
    const target = options.target === undefined ? undefined : parseTargetOption(options.target, mirror.config.sources.flatMap((s) => s.targets));
    const ids = await mirror.ledger.redrive({ source: options.source, table: options.table, allFailed: options.allFailed, target });
    if (ids.length === 0) {
      const where = target ? ` on ${targetLabel(target)}` : '';
      context.print(options.table ? `no table named "${options.table}"${where} needs a retry (not in the ledger, or in sync)` : `no failed tables${where}`);
      return options.table ? EXIT.FAILED : EXIT.OK;
    }
    if (ids.length <= REREAD_AT_MOST) await rereadFromSources(mirror, ids, context.print);
    else {
      context.print(
        `retrying ${ids.length} tables with the state the ledger holds: more than ${REREAD_AT_MOST}, so they are not re-read one by one from their sources first (\`sync\` re-lists the sources in bulk, and retries failed tables too)`,
      );
    }
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
    const notInSync = await reportRetry(mirror.ledger, ids, context.printPaced, options.config);
    return notInSync === 0 ? EXIT.OK : EXIT.FAILED;
  } finally {
    await mirror.close();
  }
}

/** "dr/lake_mirror" (instance/catalog) or "lake_mirror" (on the default instance), among the configured targets. */
export function parseTargetOption(text: string, configured: ReadonlyArray<{ polaris: string; catalog: string }>): { polaris: string; catalog: string } {
  const slash = text.indexOf('/');
  const target = slash < 0 ? { polaris: DEFAULT_POLARIS, catalog: text } : { polaris: text.slice(0, slash), catalog: text.slice(slash + 1) };
  if (!configured.some((t) => t.polaris === target.polaris && t.catalog === target.catalog)) {
    const known = [...new Set(configured.map(targetLabel))].join(', ');
    throw new UsageError(`--target ${text}: no source writes to catalog "${target.catalog}" of Polaris "${target.polaris}"; configured targets: ${known}`);
  }
  return target;
}
