import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../telemetry/logger.js';
import { messageOf } from '../util/errors.js';
import { sleep } from '../util/sleep.js';

/** The lease under which a source's single watcher (and its reconciliation) runs. */
export function sourceLeaseName(source: string): string {
  return `source:${source}`;
}

/** A watch lease lasts this long without renewal: a dead replica's watchers move within about this. */
export const WATCH_LEASE_TTL_MS = 20_000;
/** How often the holder renews (and the others ask). */
export const WATCH_LEASE_RENEW_MS = 5_000;

/**
 * Runs `work` only while this replica holds the named lease: asks every WATCH_LEASE_RENEW_MS, starts
 * the work when the lease is granted, stops it when the lease is lost. A renewal that fails (the
 * database unreachable) keeps the work going only while the last renewal still covers it, so two
 * replicas never run it at once. On stop the lease is dropped, so another replica takes it at once.
 */
export async function runUnderLease(
  ledger: Ledger,
  name: string,
  logger: Logger,
  signal: AbortSignal,
  work: (signal: AbortSignal) => Promise<unknown>,
): Promise<void> {
  let running: { controller: AbortController; done: Promise<unknown> } | undefined;
  let coveredUntil = 0;
  const stop = async () => {
    if (!running) return;
    running.controller.abort(new Error(`lease ${name} lost`));
    await running.done;
    running = undefined;
  };
  while (!signal.aborted) {
    const askedAt = Date.now();
    let held = false;
    try {
      held = await ledger.takeWatchLease(name, WATCH_LEASE_TTL_MS);
      if (held) coveredUntil = askedAt + WATCH_LEASE_TTL_MS - WATCH_LEASE_RENEW_MS;
    } catch (error) {
      // Unknown whether it was renewed: keep going only while the previous renewal still covers us.
      held = running !== undefined && Date.now() < coveredUntil;
      logger.warn({ err: error, lease: name }, `could not renew the lease ${name}: ${messageOf(error)}`);
    }
    if (held && !running) {
      logger.info({ lease: name, replica: ledger.replicaId }, `took the lease ${name}: running its watcher here`);
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const done = work(controller.signal)
        .catch((error: unknown) => logger.error({ err: error, lease: name }, `the watcher under ${name} stopped: ${messageOf(error)}`))
        .finally(() => signal.removeEventListener('abort', onAbort));
      running = { controller, done };
    } else if (!held && running) {
      logger.warn({ lease: name }, `lost the lease ${name}: stopping its watcher here`);
      await stop();
    }
    await sleep(WATCH_LEASE_RENEW_MS, signal);
  }
  const hadIt = running !== undefined;
  await stop();
  if (hadIt) await ledger.dropWatchLease(name).catch(() => undefined);
}
