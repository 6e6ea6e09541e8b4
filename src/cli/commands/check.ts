import { createSourceAdapter } from '../../../adapters/registry.js';
import { verdictOf } from '../../polaris/answer-verdict.js';
import { connectPolaris } from '../../polaris/create-client.js';
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
  const { client, tokens, agent } = connectPolaris(config.polaris, context);
  try {
    const polarisUsable = await checkToken(config, tokens, lines);
    const catalogs = [...new Set(config.sources.map((s) => s.target.catalog))];
    for (const catalog of catalogs) {
      if (polarisUsable) await checkCatalog(client, catalog, lines);
      else lines.push({ ok: false, what: `catalog ${catalog}`, detail: 'not checked: no Polaris token (see above)' });
    }

    for (const source of config.sources) {
      const adapter = createSourceAdapter(source, context);
      if (!adapter.check) {
        lines.push({ ok: true, what: `source ${source.name}`, detail: `${source.type}: events arrive at POST /v1/sources/${source.name}/events` });
        continue;
      }
      const result = await adapter.check(new AbortController().signal);
      lines.push({ ok: result.ok, what: `source ${source.name}`, detail: result.detail, hint: result.hint });
      for (const location of polarisUsable ? (result.sampleLocations ?? []) : []) {
        const target = { catalog: source.target.catalog, namespace: [...source.target.namespacePrefix, PROBE_TABLE], name: PROBE_TABLE };
        const what = `VALIDATE ${source.target.catalog} ← ${location}`;
        try {
          const response = await client.notify(target, notificationBody('VALIDATE', { name: PROBE_TABLE, timestamp: Date.now(), tableUuid: null, metadataLocation: location }));
          const verdict = await verdictOf(client, response, { catalog: source.target.catalog, location });
          lines.push(
            verdict.kind === 'ok'
              ? { ok: true, what, detail: 'the catalog accepts notifications for this location' }
              : { ok: false, what, detail: verdict.message, hint: 'hint' in verdict ? verdict.hint : undefined },
          );
        } catch (error) {
          lines.push({ ok: false, what, detail: messageOf(error) });
        }
      }
      await adapter.close?.();
    }
  } finally {
    await agent.close();
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
