import { DEFAULT_POLARIS } from '../config/targets.js';
import type { PolarisInstance } from '../polaris/polaris-instances.js';
import { permanentTokenRefusal } from '../polaris/token-provider.js';
import type { Logger } from '../telemetry/logger.js';
import { messageOf } from '../util/errors.js';
import { sleep } from '../util/sleep.js';
import type { Mirror } from './mirror.js';

/** The daemon's probe of every Polaris instance a source writes to (see probePolaris). */
export function runProbes(mirror: Mirror, signal: AbortSignal): Array<Promise<void>> {
  return mirror.polaris.all().map((instance) => probePolaris(mirror, instance, mirror.deps.logger, signal));
}

/**
 * Keeps /readyz honest when idle: one cheap request to each Polaris instance every
 * probeIntervalSeconds. A token Polaris will never issue (an external identity provider, wrong
 * credentials) is logged as an error with its fix each time (the logger holds back repeats), rather
 * than retried silently. An instance that answers again after transient trouble gets its tables that
 * failed or wait out a retry delay because of it retried at once.
 */
async function probePolaris(mirror: Mirror, instance: PolarisInstance, logger: Logger, signal: AbortSignal): Promise<void> {
  const catalog = mirror.config.sources.flatMap((s) => s.targets).find((t) => t.polaris === instance.name)?.catalog;
  if (catalog === undefined) return; // an instance no source writes to
  const which = instance.name === DEFAULT_POLARIS ? 'Polaris' : `Polaris "${instance.name}"`;
  while (!signal.aborted) {
    const refusal = await permanentTokenRefusal(instance.tokens, signal);
    if (refusal) logger.error({ hint: refusal.hint, polaris: instance.name }, `no ${which} token, nothing can be mirrored: ${refusal.message}`);
    else {
      const status = await instance.client.catalogConfig(catalog, signal).then((r) => r.status, () => undefined);
      if (status === undefined || status >= 500 || status === 429) mirror.targetHealth.troubleOn(instance.name);
      else if (mirror.targetHealth.answered(instance.name)) await redriveTarget(mirror, instance.name, which, logger);
    }
    await sleep(instance.config.probeIntervalSeconds * 1000, signal);
  }
}

async function redriveTarget(mirror: Mirror, polaris: string, which: string, logger: Logger): Promise<void> {
  try {
    const count = await mirror.ledger.redriveTransient(polaris);
    if (count > 0) logger.info({ polaris, tables: count }, `${which} answers again: retrying ${count} table(s) that failed or waited because of it`);
    mirror.wakeDispatchers();
  } catch (error) {
    // The ledger cannot be written now; the next trouble-free probe after new trouble tries again.
    mirror.targetHealth.troubleOn(polaris);
    logger.warn({ err: error }, `could not make ${which}'s tables due again: ${messageOf(error)}`);
  }
}
