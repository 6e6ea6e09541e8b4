import type { MirrorConfig } from '../../config/schema.js';
import { verdictOf } from '../../polaris/answer-verdict.js';
import { classifyError } from '../../polaris/classify.js';
import { NAMESPACE_CUSTOM_LOCATION, namespaceLocationTrap } from '../../polaris/namespace-location-rule.js';
import type { PolarisClient } from '../../polaris/polaris-client.js';
import type { TokenProvider } from '../../polaris/token-provider.js';
import { messageOf, MirrorError } from '../../util/errors.js';

export interface CheckLine {
  readonly ok: boolean;
  readonly what: string;
  readonly detail: string;
  readonly hint?: string;
}

/** The token check; false when Polaris will never issue one with this configuration (further checks are moot). */
export async function checkToken(config: Pick<MirrorConfig, 'polaris'>, tokens: TokenProvider, lines: CheckLine[], instance = 'polaris'): Promise<boolean> {
  const what = `${instance} token`;
  const keys = instance === 'polaris' ? 'polaris' : `polarisInstances.${instance.replace(/^polaris /, '')}`;
  try {
    await tokens.token();
    lines.push({ ok: true, what, detail: config.polaris.auth.token ? 'static token configured' : 'obtained with client credentials' });
    return true;
  } catch (error) {
    lines.push({ ok: false, what, detail: messageOf(error), hint: error instanceof MirrorError ? error.hint : `check ${keys}.uri and ${keys}.auth` });
    return !(error instanceof MirrorError && !error.retryable);
  }
}

/**
 * Each target catalog: reachable through /v1/config, and — when the principal may read the catalog
 * through the management API — able to get new top-level namespaces under Polaris 1.7's rule.
 */
export async function checkCatalog(client: PolarisClient, catalog: string, lines: CheckLine[], label = catalog): Promise<void> {
  const what = `catalog ${label}`;
  try {
    const response = await client.catalogConfig(catalog);
    if (response.status !== 200) {
      const verdict = await verdictOf(client, response, { catalog });
      lines.push({ ok: false, what, detail: verdict.kind === 'ok' ? 'unexpected answer' : verdict.message, hint: 'hint' in verdict ? verdict.hint : undefined });
      return;
    }
    lines.push({ ok: true, what, detail: `reachable (URL prefix "${await client.prefix(catalog)}")` });
  } catch (error) {
    const verdict = classifyError(error);
    lines.push({ ok: false, what, detail: messageOf(error), hint: 'hint' in verdict ? verdict.hint : undefined });
    return;
  }
  await checkNamespaceLocations(client, catalog, lines, label);
}

async function checkNamespaceLocations(client: PolarisClient, catalog: string, lines: CheckLine[], label: string): Promise<void> {
  const what = `catalog ${label} namespace locations`;
  const entity = await client.catalogEntity(catalog).catch(() => undefined);
  if (entity?.status !== 200) {
    // Only visible to a principal allowed to read the catalog entity (CATALOG_READ_PROPERTIES or more).
    lines.push({ ok: true, what, detail: 'not checked: the management API did not show the catalog to this principal' });
    return;
  }
  const trap = namespaceLocationTrap(entity.body);
  if (!trap) {
    lines.push({ ok: true, what, detail: 'new top-level namespaces can be created (default-base-location is one of the allowedLocations)' });
    return;
  }
  lines.push({
    ok: false,
    what,
    detail: trap.reason,
    hint:
      trap.allowedLocations.length === 0
        ? `give catalog "${catalog}" a storage configuration whose allowedLocations cover the tables`
        : `set catalog "${catalog}"'s default-base-location to one of its allowedLocations, or set its property ${NAMESPACE_CUSTOM_LOCATION}=true (management API: PUT /catalogs/${catalog})`,
  });
}
