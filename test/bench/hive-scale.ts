// `npm run bench -- hive-scale [small] [large]`: a Hive Metastore listed by the real `sync` at two
// catalog sizes (100,000 and 1,000,000 Iceberg tables by default, 5,000 per database), printed side by
// side with the ratio of the large run to the small one. The memory target is peak RSS ≤ 1.5× at 10×
// the tables: the listing holds one database's table names and one get_table_objects_by_name batch at a
// time, the ledger holds the rest. The metastore emulator runs in this process (its notification log is
// emptied once the tables exist, as the TTL cleaner would), Polaris in its own, the connector in a third
// under GNU time, so the connector's figures are its own. Each figure carries the 1-minute load average.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHiveMetastoreEmulator, type HiveMetastore } from '../emulators/hive/index.js';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { configYaml, generateWarehouse, startRemoteEmulator, sum, timeCli, removeBenchDir } from './bench-kit.js';
import type { EmulatorStats } from '../emulators/polaris/types.js';
import { fmt, formatSideBySide, ratio, rssRatio, smallAndLarge, type SideBySideRow } from './side-by-side.js';

const TABLES_PER_DATABASE = 5_000;
const NOTIFICATIONS = /^(CREATE|UPDATE|VALIDATE|DROP):/;

export interface HiveSyncRun {
  readonly seconds: number;
  readonly cpuSeconds: number | undefined;
  readonly rssMb: number | undefined;
  readonly notifications: number;
  /** The server's calls during this sync, by kind (Thrift method, HiveServer2 statement). */
  readonly calls: Record<string, number>;
  readonly loadAverage: number;
}

export interface HiveScaleResult {
  readonly tables: number;
  readonly databases: number;
  readonly first: HiveSyncRun;
  readonly second: HiveSyncRun;
}

export function benchHiveScale(tables: number): Promise<HiveScaleResult> {
  return benchMetastoreListing(tables, 'hive-scale', async () => {
    const hms = await startHiveMetastoreEmulator({ metastoreOptions: { version: '3' } });
    return { metastore: hms.metastore, source: ['    type: hive', `    uris: ["${hms.uri}"]`], calls: () => hms.stats.calls, close: () => hms.close() };
  });
}

/** A server over a metastore emulator that a source lists: the Thrift metastore itself, or a HiveServer2 in front of it. */
export interface ListedMetastore {
  readonly metastore: HiveMetastore;
  /** The source's YAML lines after its name (type and address). */
  readonly source: readonly string[];
  /** The server's running counts of calls, by kind. */
  calls(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/**
 * A metastore of `tables` Iceberg tables (5,000 per database), its log emptied once they exist, listed by
 * the real `sync` twice through the server `start` puts in front of it.
 */
export async function benchMetastoreListing(tables: number, label: string, start: () => Promise<ListedMetastore>): Promise<HiveScaleResult> {
  const databases = Math.max(1, Math.round(tables / TABLES_PER_DATABASE));
  const dir = await mkdtemp(join(tmpdir(), `polaris-mirror-bench-${label}-`));
  const warehouse = join(dir, 'warehouse');
  try {
    const locations = await generateWarehouse(warehouse, tables, databases);
    const server = await start();
    const metastore = server.metastore;
    for (let n = 0; n < databases; n++) metastore.createDatabase(`ns${n}`);
    locations.forEach((metadataLocation, i) => metastore.createIcebergTable(`ns${i % databases}`, `t${i}`, { metadataLocation }));
    metastore.expireThrough(metastore.currentEventId);
    const polaris = await startRemoteEmulator({ catalogs: [{ name: 'hive_mirror', allowedLocations: [dirUri(warehouse)] }] });
    try {
      const configFile = join(dir, 'config.yaml');
      await writeFile(
        configFile,
        configYaml({
          uri: polaris.url,
          statePath: join(dir, 'state.db'),
          concurrency: 16,
          sources: ['  - name: hms', ...server.source, '    target: { catalog: hive_mirror }'],
        }),
      );
      const { first, second } = await firstAndNoChangeSync(`${label} ${tables} tables`, configFile, polaris, () => server.calls());
      return { tables, databases, first, second };
    } finally {
      await polaris.stop();
      await server.close();
    }
  } finally {
    removeBenchDir(dir);
  }
}

/**
 * The real `sync` twice, under GNU time: the first sync and the no-change one, each with the calls the
 * source made during it (`calls` reads the emulator's running counts by kind). Each sync's figures go to
 * stderr as it ends: at 1,000,000 tables removing the warehouse afterwards takes many minutes on a busy
 * machine, and a run stopped then would otherwise have printed nothing.
 */
async function firstAndNoChangeSync(
  label: string,
  configFile: string,
  polaris: { stats(): Promise<EmulatorStats> },
  calls: () => Readonly<Record<string, number>>,
): Promise<{ first: HiveSyncRun; second: HiveSyncRun }> {
  const sync = async (): Promise<HiveSyncRun> => {
    const notificationsBefore = sum(await polaris.stats(), NOTIFICATIONS);
    const callsBefore = { ...calls() };
    const run = await timeCli(['sync', '--config', configFile], { LOG_LEVEL: 'warn' });
    if (run.code !== 0) throw new Error(`sync exited ${run.code}: ${run.stderr.slice(-2000)}`);
    const during = Object.fromEntries(Object.entries(calls()).map(([kind, n]) => [kind, n - (callsBefore[kind] ?? 0)]).filter(([, n]) => (n as number) > 0));
    return {
      seconds: run.seconds,
      cpuSeconds: run.cpuSeconds,
      rssMb: run.maxRssMb,
      notifications: sum(await polaris.stats(), NOTIFICATIONS) - notificationsBefore,
      calls: during,
      loadAverage: loadavg()[0]!,
    };
  };
  const first = await sync();
  process.stderr.write(`${label}: first sync ${JSON.stringify(first)}\n`);
  const second = await sync();
  process.stderr.write(`${label}: no-change sync ${JSON.stringify(second)}\n`);
  return { first, second };
}

/** `callsLabel`: what the source's calls are (metastore calls, HiveServer2 statements). */
export function formatHiveScale(runs: readonly HiveScaleResult[], callsLabel = 'metastore calls'): string {
  const [a, b] = smallAndLarge(runs);
  const calls = (c: Record<string, number>) => Object.values(c).reduce((n, v) => n + v, 0);
  const phase = (name: string, x: HiveSyncRun, y: HiveSyncRun, notificationsNote: string): SideBySideRow[] => [
    [`${name}, seconds`, fmt(x.seconds), fmt(y.seconds), ratio(x.seconds, y.seconds)],
    [`${name}, connector CPU s`, fmt(x.cpuSeconds), fmt(y.cpuSeconds), ratio(x.cpuSeconds, y.cpuSeconds)],
    [`${name}, peak RSS MB`, fmt(x.rssMb, 0), fmt(y.rssMb, 0), rssRatio(x.rssMb, y.rssMb)],
    [`${name}, ${callsLabel}`, String(calls(x.calls)), String(calls(y.calls)), ratio(calls(x.calls), calls(y.calls))],
    [`${name}, notifications`, String(x.notifications), String(y.notifications), notificationsNote],
    [`${name}, load average`, fmt(x.loadAverage, 2), fmt(y.loadAverage, 2), ''],
  ];
  return formatSideBySide(['', `${a.tables} tables (${a.databases} dbs)`, `${b.tables} tables (${b.databases} dbs)`, 'large / small'], [
    ...phase('first sync', a.first, b.first, ratio(a.first.notifications, b.first.notifications)),
    ...phase('no-change sync', a.second, b.second, 'target 0'),
  ]);
}
