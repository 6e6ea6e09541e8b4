import { Mirror, type SourceRuntime } from '../../engine/mirror.js';
import { MirrorServer } from '../../server/mirror-server.js';
import type { Logger } from '../../telemetry/logger.js';
import { runProbes } from '../../engine/probe-polaris.js';
import { checkTarget, targetsOf } from '../../engine/target-refill.js';
import { messageOf } from '../../util/errors.js';
import { settledWithin } from '../../util/settled-within.js';
import { sleep } from '../../util/sleep.js';
import { commandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { abortOnSignals, holdLease } from '../lease.js';
import { runUnderLease, sourceLeaseName } from '../watch-lease.js';
import { waitForLedger } from '../wait-for-ledger.js';

/**
 * How long a stop waits for the sources' loops after the operations in flight are recorded. A loop
 * stuck in a call that ignores the abort (a hung file system) must not keep the process from exiting.
 */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * `run`: the daemon. Watchers of every source, periodic reconciliation, the dispatcher and the HTTP
 * server. SIGTERM/SIGINT: stop taking work, finish the operations in flight, record them, exit 0.
 */
export async function runCommand(options: { config: string }): Promise<number> {
  const context = commandContext(options.config, { daemon: true });
  const { logger } = context;
  const mirror = new Mirror(context);
  const { signal, dispose } = abortOnSignals((name) => logger.info(`received ${name}: finishing the operations in flight`));
  let release: (() => Promise<void>) | undefined;
  try {
    // A shared ledger may be unreachable at start (a database restarting): wait for it, do not exit.
    if (await waitForLedger(mirror.ledger, logger, signal)) {
      release = await holdLease(mirror.ledger, 'run', (error) => logger.error({ err: error }, `the ledger cannot be written: ${messageOf(error)}`));
    }
  } finally {
    if (!release) {
      dispose();
      await mirror.close();
    }
  }
  if (!release) return EXIT.OK;
  const dispatcher = mirror.createDispatcher();
  const server = mirror.config.server ? new MirrorServer(mirror.config.server, mirror, context.metrics, logger) : undefined;
  let stuck = false;
  try {
    if (server) {
      const address = await server.listen();
      logger.info(address, `listening on ${address.scheme}://${address.host}:${address.port}`);
    }
    const loops = [
      dispatcher.run(signal),
      ...runProbes(mirror, signal),
      ...targetsOf(mirror.config.sources).map((target) => refillLoop(mirror, target, logger, signal)),
      ...[...mirror.sources.values()].flatMap((source) => sourceLoops(mirror, source, logger, signal)),
    ];
    logger.info({ sources: [...mirror.sources.keys()] }, 'polaris-mirror running');
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await dispatcher.stop();
    stuck = !(await settledWithin(loops, SHUTDOWN_GRACE_MS));
    if (stuck) logger.warn(`a source did not stop within ${SHUTDOWN_GRACE_MS / 1000} s of the signal; exiting without waiting for it (its observations so far are committed)`);
    return EXIT.OK;
  } finally {
    dispose();
    await server?.close();
    await release();
    await mirror.close();
    logger.info('stopped');
    // What is stuck still holds the event loop (a thread of the file-system pool, a socket): leave anyway.
    if (stuck) setTimeout(() => process.exit(), 100).unref();
  }
}

/**
 * A source's watcher and reconciliation. On a shared ledger they run on one replica at a time, under
 * the source's lease; a watch that may run everywhere (SQS) runs on every replica.
 */
function sourceLoops(mirror: Mirror, source: SourceRuntime, logger: Logger, signal: AbortSignal): Array<Promise<void>> {
  if (mirror.ledger.backend === 'sqlite') return [reconcileLoop(mirror, source, logger, signal), watchLoop(mirror, source, logger, signal)];
  const sharedWatch = source.adapter.watchIsShared === true;
  const single = (leased: AbortSignal) =>
    Promise.all([reconcileLoop(mirror, source, logger, leased), sharedWatch ? undefined : watchLoop(mirror, source, logger, leased)]);
  const needsLease = source.adapter.list !== undefined || (source.adapter.watch !== undefined && !sharedWatch);
  return [
    needsLease ? runUnderLease(mirror.ledger, sourceLeaseName(source.config.name), logger, signal, single) : Promise.resolve(),
    sharedWatch ? watchLoop(mirror, source, logger, signal) : Promise.resolve(),
  ];
}

/** A full pass now and then every interval; a failed pass is retried sooner (a tenth of the interval). */
async function reconcileLoop(mirror: Mirror, source: SourceRuntime, logger: Logger, signal: AbortSignal): Promise<void> {
  if (!source.adapter.list) return;
  const interval = (source.adapter.listIntervalSeconds ?? source.config.reconcileIntervalSeconds) * 1000;
  const reconcileEvery = source.config.reconcileIntervalSeconds * 1000;
  if (source.adapter.watch && source.adapter.watchCatchesUpAtStart) await sleep(Math.min(interval, reconcileEvery), signal);
  while (!signal.aborted) {
    try {
      const summary = await mirror.reconciler.pass(
        { adapter: source.adapter, sink: source.sink, maxDropFraction: source.config.maxDropFraction },
        { signal },
      );
      await sleep(summary?.complete ? Math.min(interval, reconcileEvery) : Math.max(1000, interval / 10), signal);
    } catch (error) {
      logger.error({ err: error, source: source.config.name }, `reconciliation of ${source.config.name} failed: ${messageOf(error)}`);
      await sleep(Math.max(1000, interval / 10), signal);
    }
  }
}

/** Change capture, restarted with backoff if it stops with an error. */
async function watchLoop(mirror: Mirror, source: SourceRuntime, logger: Logger, signal: AbortSignal): Promise<void> {
  if (!source.adapter.watch) return;
  let delay = 1000;
  while (!signal.aborted) {
    try {
      await source.adapter.watch(source.sink, signal);
      if (signal.aborted) return;
      // A watch that ends by itself is restarted too, but never in a tight loop.
      await sleep(delay, signal);
      delay = 1000;
    } catch (error) {
      if (signal.aborted) return;
      logger.error({ err: error, source: source.config.name }, `change capture of ${source.config.name} stopped: ${messageOf(error)}; restarting in ${delay} ms`);
      await sleep(delay, signal);
      delay = Math.min(60_000, delay * 2);
    }
  }
}

/**
 * Looks at a target's listing every reconcile interval (the shortest among the sources writing to it):
 * tables it lost are refilled, orphans reported (status shows the last check).
 */
async function refillLoop(mirror: Mirror, target: { polaris: string; catalog: string }, logger: Logger, signal: AbortSignal): Promise<void> {
  const writers = mirror.config.sources.filter((s) => s.targets.some((t) => t.polaris === target.polaris && t.catalog === target.catalog));
  const interval = Math.min(...writers.map((s) => s.reconcileIntervalSeconds)) * 1000;
  const label = `${target.polaris}/${target.catalog}`;
  // The first look comes after one interval: the sources' first passes fill the ledger meanwhile.
  await sleep(interval, signal).catch(() => undefined);
  while (!signal.aborted) {
    try {
      const check = await checkTarget(mirror, target, signal);
      // A check cut short by the daemon's own stop is not the target's trouble: nothing to warn about.
      if (!check.complete && !signal.aborted) logger.warn({ target: label, reason: check.reason }, `could not check ${label} for lost tables: ${check.reason ?? 'listing incomplete'}`);
      if (check.refilledCount > 0) logger.warn({ target: label, tables: check.refilled }, `${label} had lost ${check.refilledCount} table(s): sending them again`);
      if (check.orphanCount > 0) logger.info({ target: label, orphans: check.orphans.slice(0, 20), count: check.orphanCount }, `${label} holds ${check.orphanCount} table(s) no source has (left alone)`);
    } catch (error) {
      logger.error({ err: error, target: label }, `checking ${label} failed: ${messageOf(error)}`);
    }
    await sleep(interval, signal).catch(() => undefined);
  }
}
