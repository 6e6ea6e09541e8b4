import { createSourceAdapter } from '../../../adapters/registry.js';
import { classifyError, classifyResponse } from '../../polaris/classify.js';
import { connectPolaris } from '../../polaris/create-client.js';
import { notificationBody } from '../../polaris/notification.js';
import { messageOf, MirrorError } from '../../util/errors.js';
import { commandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

interface CheckLine {
  readonly ok: boolean;
  readonly what: string;
  readonly detail: string;
  readonly hint?: string;
}

/** The namespace and table VALIDATE probes are addressed to; VALIDATE creates nothing. */
const PROBE_TABLE = 'polaris_mirror_check';

/**
 * `check`: config valid, token obtainable, catalogs reachable and accepting notifications (VALIDATE on
 * each source's locations), sources reachable — a pass/fail line each, with a hint for every failure.
 */
export async function checkCommand(options: { config: string; json?: boolean }): Promise<number> {
  const context = commandContext(options.config);
  const { config, file } = context.loaded;
  const lines: CheckLine[] = [{ ok: true, what: 'config', detail: `${file} is valid (${config.sources.length} source(s))` }];
  const { client, tokens, agent } = connectPolaris(config.polaris, context);
  try {
    try {
      await tokens.token();
      lines.push({ ok: true, what: 'polaris token', detail: config.polaris.auth.token ? 'static token configured' : 'obtained with client credentials' });
    } catch (error) {
      lines.push({ ok: false, what: 'polaris token', detail: messageOf(error), hint: error instanceof MirrorError ? error.hint : 'check polaris.uri and polaris.auth' });
    }

    for (const catalog of new Set(config.sources.map((s) => s.target.catalog))) {
      try {
        const response = await client.catalogConfig(catalog);
        if (response.status === 200) {
          lines.push({ ok: true, what: `catalog ${catalog}`, detail: `reachable (URL prefix "${await client.prefix(catalog)}")` });
        } else {
          const verdict = classifyResponse(response, { catalog });
          lines.push({
            ok: false,
            what: `catalog ${catalog}`,
            detail: verdict.kind === 'ok' ? 'unexpected answer' : verdict.message,
            hint: response.status === 404 ? `create catalog "${catalog}" in Polaris (type EXTERNAL) or fix target.catalog` : 'hint' in verdict ? verdict.hint : undefined,
          });
        }
      } catch (error) {
        const verdict = classifyError(error);
        lines.push({ ok: false, what: `catalog ${catalog}`, detail: messageOf(error), hint: 'hint' in verdict ? verdict.hint : undefined });
      }
    }

    for (const source of config.sources) {
      const adapter = createSourceAdapter(source, context);
      if (!adapter.check) {
        lines.push({ ok: true, what: `source ${source.name}`, detail: `${source.type}: events arrive at POST /v1/sources/${source.name}/events` });
        continue;
      }
      const result = await adapter.check(new AbortController().signal);
      lines.push({ ok: result.ok, what: `source ${source.name}`, detail: result.detail, hint: result.hint });
      for (const location of result.sampleLocations ?? []) {
        const target = { catalog: source.target.catalog, namespace: [...source.target.namespacePrefix, PROBE_TABLE], name: PROBE_TABLE };
        const what = `VALIDATE ${source.target.catalog} ← ${location}`;
        try {
          const response = await client.notify(target, notificationBody('VALIDATE', { name: PROBE_TABLE, timestamp: Date.now(), tableUuid: null, metadataLocation: location }));
          const verdict = classifyResponse(response, { catalog: source.target.catalog, location });
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
