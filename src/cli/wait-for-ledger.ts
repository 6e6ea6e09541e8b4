import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from '../telemetry/logger.js';
import { messageOf } from '../util/errors.js';
import { sleep } from '../util/sleep.js';

/**
 * Opens the ledger, retrying with backoff while it cannot be reached: a replica started before its
 * database (or during a failover) waits instead of exiting. Returns false when the signal stopped it.
 */
export async function waitForLedger(ledger: Ledger, logger: Logger, signal: AbortSignal): Promise<boolean> {
  let delay = 500;
  for (;;) {
    try {
      await ledger.ready();
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'PG_UNAVAILABLE') throw error;
      logger.warn({ ledger: ledger.location, retryInMs: delay }, `the ledger cannot be reached yet: ${messageOf(error)}; trying again`);
    }
    await sleep(delay, signal);
    if (signal.aborted) return false;
    delay = Math.min(15_000, delay * 2);
  }
}
