import { createSourceAdapter } from '../../../adapters/registry.js';
import { verdictOf } from '../../polaris/answer-verdict.js';
import { DEFAULT_POLARIS, targetLabel } from '../../config/targets.js';
import { targetsOf } from '../../engine/target-refill.js';
import { PolarisInstances } from '../../polaris/polaris-instances.js';
import { notificationBody } from '../../polaris/notification.js';
import { messageOf } from '../../util/errors.js';
import { commandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { checkCatalog, checkToken, type CheckLine } from './check-polaris.js';

/** The namespace and table VALIDATE probes are addressed to; VALIDATE creates nothing. */
const PROBE_TABLE = 'polaris_mirror_check';

/**
 * `check`: config valid, token obtainable, catalogs reachable and able to get new namespaces, accepting
 * notifications (VALIDATE on each source's locations), sources reachable — a pass/fail line each, with a
 * hint for every failure. Without a token Polaris is not asked anything more (every answer would be 401).
 */
export async function checkCommand(options: { config: string; json?: boolean }): Promise<number> {
  const context = commandContext(options.config);
  const { config, file } = context.loaded;
  const lines: CheckLine[] = [{ ok: true, what: 'config', detail: `${file} is valid (${config.sources.length} source(s))` }];
  const polaris = new PolarisInstances(config, context);
  try {
    // Per target: each instance's token, then each catalog a source writes to on it.
    const usable = new Map<string, boolean>();
    for (const instance of polaris.all()) {
      if (!config.sources.some((s) => s.targets.some((t) => t.polaris === instance.name))) continue;
      const label = instance.name === DEFAULT_POLARIS ? 'polaris' : `polaris ${instance.name}`;
      usable.set(instance.name, await checkToken({ polaris: instance.config }, instance.tokens, lines, label));
    }
    for (const target of targetsOf(config.sources)) {
      const label = target.polaris === DEFAULT_POLARIS ? target.catalog : targetLabel(target);
      if (usable.get(target.polaris)) await checkCatalog(polaris.get(target.polaris)!.client, target.catalog, lines, label);
      else lines.push({ ok: false, what: `catalog ${label}`, detail: 'not checked: no Polaris token (see above)' });
    }

    for (const source of config.sources) {
      const adapter = createSourceAdapter(source, context);
      if (!adapter.check) {
        lines.push({ ok: true, what: `source ${source.name}`, detail: `${source.type}: events arrive at POST /v1/sources/${source.name}/events` });
        continue;
      }
      const result = await adapter.check(new AbortController().signal);
      lines.push({ ok: result.ok, what: `source ${source.name}`, detail: result.detail, hint: result.hint });
      for (const sourceTarget of source.targets) {
        if (!usable.get(sourceTarget.polaris)) continue;
        const client = polaris.get(sourceTarget.polaris)!.client;
        const label = sourceTarget.polaris === DEFAULT_POLARIS ? sourceTarget.catalog : targetLabel(sourceTarget);
        for (const location of result.sampleLocations ?? []) {
          const target = { catalog: sourceTarget.catalog, namespace: [...sourceTarget.namespacePrefix, PROBE_TABLE], name: PROBE_TABLE };
          const what = `VALIDATE ${label} ← ${location}`;
          try {
            const response = await client.notify(target, notificationBody('VALIDATE', { name: PROBE_TABLE, timestamp: Date.now(), tableUuid: null, metadataLocation: location }));
            const verdict = await verdictOf(client, response, { catalog: sourceTarget.catalog, location });
            lines.push(
              verdict.kind === 'ok'
                ? { ok: true, what, detail: 'the catalog accepts notifications for this location' }
                : { ok: false, what, detail: verdict.message, hint: 'hint' in verdict ? verdict.hint : undefined },
            );
          } catch (error) {
            lines.push({ ok: false, what, detail: messageOf(error) });
          }
        }
      }
      await adapter.close?.();
    }
  } finally {
    await polaris.close();
  }

  if (options.json) context.print(JSON.stringify({ ok: lines.every((l) => l.ok), checks: lines }, null, 2));
  else {
    context.print(
      lines
        .map((l) => `${l.ok ? 'PASS' : 'FAIL'}  ${l.what}: ${l.detail}${!l.ok && l.hint ? `\n      hint: ${l.hint}` : ''}`)
        .join('\n'),
    );
  }
  return lines.every((l) => l.ok) ? EXIT.OK : EXIT.FAILED;
}
