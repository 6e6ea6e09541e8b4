// What the Glue benchmark's Polaris emulator holds once the connector has mirrored `tables` tables:
// each table's metadata file in its object store (as the Glue emulator's process writes them), the
// table itself, and the history of the notifications that made it (a VALIDATE per database, a CREATE
// per table), built in this process through the emulator's own notification handler. Then the heap
// in use after a full collection and the time a forced full collection takes: the Glue benchmark's
// event latencies run through this emulator, so its collections are part of the measured figures
// (README, "The emulators' heaps").
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { benchDatabaseOf } from '../emulators/glue/bench-lake.js';
import { Auth, ROOT_PRINCIPAL } from '../emulators/polaris/auth.js';
import { readFixture, relocate } from '../emulators/polaris/fixture-warehouse.js';
import { notificationValidator } from '../emulators/polaris/index.js';
import { MetadataFiles } from '../emulators/polaris/metadata-files.js';
import { handleNotification, type NotificationDeps } from '../emulators/polaris/notifications.js';
import { EmulatorState } from '../emulators/polaris/state.js';
import { Storage } from '../emulators/polaris/storage.js';

export interface PolarisEmulatorHeap {
  tables: number;
  heapUsedMb: number;
  /** Buffers and other memory outside V8's heap (the collector does not trace it, RSS holds it). */
  externalMb: number;
  fullCollectionMs: number;
}

const CATALOG = 'glue_mirror';
const ROOT = 's3://bench/warehouse';

export async function benchPolarisEmulatorHeap(tables: number, databases: number): Promise<PolarisEmulatorHeap> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const state = new EmulatorState();
  state.createCatalog({ name: CATALOG, allowedLocations: [ROOT] });
  const auth = new Auth(3600, 401);
  auth.createPrincipal({ name: ROOT_PRINCIPAL, clientId: 'root', clientSecret: 's3cr3t' }, true);
  auth.addCatalog(CATALOG);
  const authorization = `Bearer ${auth.issue('root')}`;
  const storage = new Storage();
  const deps: NotificationDeps = { state, auth, files: new MetadataFiles(storage), validator: notificationValidator() };
  const template = JSON.parse(await readFixture('TableMetadataV2ValidMinimal.json')) as Record<string, unknown>;

  const send = async (database: string, table: string, body: Record<string, unknown>): Promise<void> => {
    const reply = await handleNotification(deps, {
      catalog: CATALOG,
      namespace: [database],
      table,
      authorization,
      body: JSON.stringify(body),
      requestId: randomUUID(),
      delay: () => Promise.resolve(),
    });
    if (reply.status !== 204) throw new Error(`${database}.${table}: the emulator answered ${reply.status} ${JSON.stringify(reply.body)}`);
  };
  for (let i = 0; i < tables; i++) {
    const database = benchDatabaseOf(i, databases);
    const location = `${ROOT}/${database}/t${i}`;
    const metadata = relocate(template, location);
    metadata['table-uuid'] = randomUUID();
    const metadataLocation = `${location}/metadata/00001-${randomUUID()}.metadata.json`;
    // As the Glue emulator's process writes it: a JSON body parsed in this process, then stored.
    storage.putObject(metadataLocation, (JSON.parse(JSON.stringify({ [metadataLocation]: JSON.stringify(metadata) })) as Record<string, string>)[metadataLocation]!);
    const payload = { 'table-name': `t${i}`, timestamp: Date.now(), 'table-uuid': metadata['table-uuid'], 'metadata-location': metadataLocation };
    if (i < databases) await send(database, `t${i}`, { 'notification-type': 'VALIDATE', payload: { ...payload, 'metadata-location': `${ROOT}/${database}` } });
    await send(database, `t${i}`, { 'notification-type': 'CREATE', payload });
  }
  gc();
  const memory = process.memoryUsage();
  const started = performance.now();
  gc();
  const fullCollectionMs = performance.now() - started;
  // Keeps the state alive through the measurement.
  if (state.tables(CATALOG).length !== tables) throw new Error(`the emulator holds ${state.tables(CATALOG).length} tables, not ${tables}`);
  return { tables, heapUsedMb: memory.heapUsed / 1e6, externalMb: (memory.external + memory.arrayBuffers) / 1e6, fullCollectionMs };
}
