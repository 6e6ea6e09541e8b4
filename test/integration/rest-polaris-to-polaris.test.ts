// Polaris → Polaris: one emulated Polaris (fed by the files source, as an upstream team's catalog would
// be) is itself the Iceberg REST source of a second, governing Polaris. Creates, updates, nested
// namespaces, a rename and a drop in the upstream arrive in the governing catalog.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { RestSource } from '../../adapters/rest/rest-source.js';
import { loadConfig } from '../../src/config/load.js';
import { Mirror } from '../../src/engine/mirror.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { Redactor } from '../../src/telemetry/redactor.js';
import YAML from 'yaml';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { startPolarisEmulator } from '../emulators/polaris/index.js';
import type { PolarisEmulator } from '../emulators/polaris/types.js';
import { syncWith } from '../support/engine.js';
import { CATALOG, CLIENT_ID, CLIENT_SECRET, startHarness, type Harness } from '../support/harness.js';

const GOVERNED = 'governed';

let upstream: Harness;
let governing: PolarisEmulator;
let configB: string;

beforeEach(async () => {
  upstream = await startHarness();
  // A rename and a drop out of four tables is half the upstream: let its own mirror do that.
  await upstream.writeConfig((c) => (c.sources[0].maxDropFraction = 0.5));
  governing = await startPolarisEmulator();
  governing.createCatalog({ name: GOVERNED, allowedLocations: [dirUri(upstream.warehouse)] });
  governing.createPrincipal({ clientId: 'governor', clientSecret: 'governor-secret-77', roles: { gov: { [GOVERNED]: ['CATALOG_MANAGE_CONTENT'] } } });
  configB = join(upstream.dir, 'governing.yaml');
  await writeFile(
    configB,
    YAML.stringify({
      polaris: { uri: governing.url, auth: { clientId: 'governor', clientSecret: 'governor-secret-77' }, retry: { baseDelayMs: 20, maxDelayMs: 200 } },
      state: { path: join(upstream.dir, 'governing-state', 'state.db') },
      sources: [
        {
          name: 'upstream',
          type: 'rest',
          uri: upstream.emulator.url,
          warehouse: CATALOG,
          auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scope: 'PRINCIPAL_ROLE:ALL' },
          headers: { 'Polaris-Realm': 'POLARIS' },
          target: { catalog: GOVERNED },
          maxDropFraction: 0.5,
        },
      ],
    }),
  );
});
afterEach(async () => {
  await governing.close();
  await upstream.close();
});

/** One poll of the upstream Polaris by the governing mirror, then send until settled. */
async function mirrorUpstream(): Promise<void> {
  const loaded = loadConfig(configB);
  const mirror = new Mirror({ loaded, logger: silentLogger(), metrics: new Metrics(), redactor: new Redactor(loaded.secrets) });
  try {
    const runtime = mirror.sources.get('upstream')!;
    expect(await (runtime.adapter as RestSource).pollOnce(runtime.sink)).toBe(true);
    await mirror.createDispatcher().runUntilSettled();
    expect((await mirror.ledger.failedRows('upstream'))).toEqual([]);
  } finally {
    await mirror.close();
  }
}

function governed(): Map<string, string> {
  return new Map(governing.tables(GOVERNED).map((t) => [[...t.namespace, t.name].join('.'), t.metadataLocation]));
}

it('mirrors one Polaris into another: creates, nested namespaces, updates, a rename and a drop', async () => {
  for (const name of ['orders', 'customers', 'returns']) await upstream.writeTable(['sales'], name);
  await upstream.writeTable(['finance', 'eu', 'daily'], 'ledger');
  await syncWith(upstream);
  expect(upstream.polarisState().size).toBe(4);

  await mirrorUpstream();
  expect(governed()).toEqual(upstream.polarisState());
  expect(governing.namespaces(GOVERNED)).toContainEqual(['finance', 'eu', 'daily']);

  const updated = await upstream.writeTable(['sales'], 'orders');
  // A rename in the upstream catalog: the same Iceberg table (UUID) under a new name.
  const uuid = (JSON.parse(await readFile(fileURLToPath(upstream.polarisState().get('sales.customers')!), 'utf8')) as { 'table-uuid': string })['table-uuid'];
  await rm(join(upstream.warehouse, 'sales', 'customers'), { recursive: true });
  await upstream.writeTable(['sales'], 'clients', { uuid });
  await rm(join(upstream.warehouse, 'sales', 'returns'), { recursive: true });
  expect((await syncWith(upstream)).summary).toMatchObject({ converged: true });

  await mirrorUpstream();
  expect(governed()).toEqual(upstream.polarisState());
  expect(governed().get('sales.orders')).toBe(updated);
  expect([...governed().keys()].sort()).toEqual(['finance.eu.daily.ledger', 'sales.clients', 'sales.orders']);
  const create = governing.history(GOVERNED, ['sales'], 'clients').find((e) => e.type === 'CREATE')!;
  const drop = governing.history(GOVERNED, ['sales'], 'customers').find((e) => e.type === 'DROP')!;
  expect(create.at).toBeLessThanOrEqual(drop.at);
});
