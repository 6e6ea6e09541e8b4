import { randomUUID } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dirUri, writeFixtureTable, type FixtureName } from '../../../test/emulators/polaris/fixture-warehouse.js';
import { startPolarisEmulator } from '../../../test/emulators/polaris/index.js';
import type { PolarisEmulator, TableSummary } from '../../../test/emulators/polaris/types.js';
import { Mirror } from '../../engine/mirror.js';
import { commandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { formatTable } from '../table-format.js';
import { runSync, type SyncSummary } from './sync.js';

const CATALOG = 'demo_mirror';
const CLIENT_ID = 'polaris-mirror-demo';

/** The sample warehouse: namespace path, table name, fixture. Every table gets its own UUID. */
const TABLES: ReadonlyArray<[string[], string, FixtureName]> = [
  [['sales'], 'orders', 'TableMetadataV2Valid.json'],
  [['sales'], 'customers', 'TableMetadataV2ValidMinimal.json'],
  [['marketing'], 'campaigns', 'TableMetadataV1Valid.json'],
  [['marketing', 'web'], 'events', 'TableMetadataV3ValidMinimal.json'],
  [['finance'], 'ledger', 'TableMetadataV2Valid.json'],
  [['finance'], 'invoices', 'TableMetadataV2ValidMinimal.json'],
  [['ops'], 'jobs', 'TableMetadataV1Valid.json'],
  [['ops'], 'alerts', 'TableMetadataV3ValidMinimal.json'],
  // Polaris cannot parse format-version 42: shows how a failed table is reported, with a hint.
  [['staging'], 'unsupported', 'TableMetadataUnsupportedVersion.json'],
];

/**
 * `demo`: a Polaris emulator on a free loopback port, a warehouse built from fixtures/, and the real
 * engine mirroring it through a files source — an initial sync, then an update, a rename, a drop and a
 * new table, then a sync with nothing to do. Prints what Polaris saw at each step and its final state.
 */
export async function demoCommand(options: { keep?: boolean }): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-demo-'));
  const warehouse = join(dir, 'warehouse');
  const emulator = await startPolarisEmulator();
  const out = (text = '') => process.stdout.write(`${text}\n`);
  try {
    const secret = randomUUID();
    emulator.createCatalog({ name: CATALOG, allowedLocations: [dirUri(warehouse)] });
    emulator.createPrincipal({ clientId: CLIENT_ID, clientSecret: secret, roles: { mirror: { [CATALOG]: ['CATALOG_MANAGE_CONTENT'] } } });
    let version = 1;
    const write = (namespace: string[], name: string, fixture: FixtureName, uuid: string = randomUUID()) =>
      writeFixtureTable(join(warehouse, ...namespace, name), {
        fixture,
        version: version++,
        edit: (m) => {
          m['table-uuid'] = uuid;
          m['last-updated-ms'] = Date.now();
        },
      });
    const uuids = new Map<string, string>();
    for (const [namespace, name, fixture] of TABLES) {
      const uuid = randomUUID();
      uuids.set(`${namespace.join('.')}.${name}`, uuid);
      await write(namespace, name, fixture, uuid);
    }
    const configFile = join(dir, 'polaris-mirror.yaml');
    await writeFile(
      configFile,
      [
        'polaris:',
        `  uri: ${emulator.url}`,
        '  auth:',
        `    clientId: ${CLIENT_ID}`,
        '    clientSecret: ${DEMO_CLIENT_SECRET}',
        'state:',
        '  path: ./state.db',
        'sources:',
        '  - name: lake',
        '    type: files',
        '    root: ./warehouse',
        `    target: { catalog: ${CATALOG} }`,
        '',
      ].join('\n'),
    );
    process.env.DEMO_CLIENT_SECRET = secret;

    out(`polaris-mirror demo — Polaris emulator at ${emulator.url}, catalog "${CATALOG}" (EXTERNAL)`);
    out(`warehouse: ${warehouse} (${TABLES.length} tables, Hadoop-catalog layout)`);
    out(`config:    ${configFile}`);

    await step(emulator, configFile, 'Step 1: first sync — every table is created in Polaris (VALIDATE first, then CREATE)', out);

    // An Iceberg commit: a new metadata file, same table.
    await write(['sales'], 'orders', 'TableMetadataV2Valid.json', uuids.get('sales.orders'));
    // A rename: the table directory moves, its UUID stays — CREATE(new name) first, then DROP(old name).
    const renamedDir = join(warehouse, 'marketing', 'campaigns_2025');
    await rename(join(warehouse, 'marketing', 'campaigns'), renamedDir);
    await rm(join(renamedDir, 'metadata'), { recursive: true });
    await write(['marketing'], 'campaigns_2025', 'TableMetadataV1Valid.json', uuids.get('marketing.campaigns'));
    // A drop, and a new table.
    await rm(join(warehouse, 'ops', 'jobs'), { recursive: true });
    await write(['sales'], 'returns', 'TableMetadataV2ValidMinimal.json');
    await step(emulator, configFile, 'Step 2: sales.orders updated, marketing.campaigns renamed, ops.jobs dropped, sales.returns added', out);

    await step(emulator, configFile, 'Step 3: nothing changed — a sync sends nothing for the tables in sync (the refused one is tried again)', out);

    const final = emulator.tables(CATALOG);
    out('Polaris final state (catalog demo_mirror):');
    out(
      formatTable(
        ['NAMESPACE', 'TABLE', 'METADATA FILE', 'TIMESTAMP'],
        final.map((t) => [t.namespace.join('.'), t.name, relative(warehouse, fileURLToPath(t.metadataLocation)), String(t.timestamp)]),
      ),
    );
    const expected = ['finance.invoices', 'finance.ledger', 'marketing.campaigns_2025', 'marketing.web.events', 'ops.alerts', 'sales.customers', 'sales.orders', 'sales.returns'];
    const actual = final.map((t) => [...t.namespace, t.name].join('.')).sort();
    const matches = JSON.stringify(actual) === JSON.stringify(expected);
    out();
    out(
      matches
        ? 'Polaris matches the warehouse (staging.unsupported stays out, with the reason shown above).'
        : `Polaris does NOT match the warehouse: expected ${expected.join(', ')}, got ${actual.join(', ')}`,
    );
    if (options.keep) out(`kept ${dir}`);
    return matches ? EXIT.OK : EXIT.FAILED;
  } finally {
    await emulator.close();
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  }
}

async function step(emulator: PolarisEmulator, configFile: string, title: string, out: (text?: string) => void): Promise<SyncSummary> {
  const before = new Map(emulator.tables(CATALOG).map((t) => [key(t), t]));
  const notificationsBefore = { ...emulator.stats().notifications };
  const context = commandContext(configFile, { level: 'silent' });
  const mirror = new Mirror(context);
  let summary: SyncSummary;
  try {
    summary = await runSync(mirror, { progress: false });
  } finally {
    await mirror.close();
  }
  const after = new Map(emulator.tables(CATALOG).map((t) => [key(t), t]));
  out();
  out(title);
  const changes: string[] = [];
  for (const [name, table] of after) {
    const old = before.get(name);
    if (!old) changes.push(`  + ${name}  created`);
    else if (old.metadataLocation !== table.metadataLocation) changes.push(`  ~ ${name}  updated (timestamp ${old.timestamp} → ${table.timestamp})`);
  }
  for (const name of before.keys()) if (!after.has(name)) changes.push(`  - ${name}  dropped`);
  out(changes.length > 0 ? changes.join('\n') : '  (no change in Polaris)');
  const sent = Object.entries(emulator.stats().notifications)
    .map(([type, n]) => [type, n - (notificationsBefore[type] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .map(([type, n]) => `${type} ×${n}`);
  out(`  notifications Polaris received: ${sent.length > 0 ? sent.join(', ') : 'none'}`);
  for (const failed of summary.failed) {
    out(`  ! ${failed.table} not mirrored: ${failed.message}`);
    if (failed.hint) out(`    hint: ${failed.hint}`);
  }
  return summary;
}

function key(table: TableSummary): string {
  return [...table.namespace, table.name].join('.');
}
