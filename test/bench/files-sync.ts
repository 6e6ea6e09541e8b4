// Benchmark: `sync` of a files source (10,000 tables unless told, in 20 namespaces unless told) into the
// Polaris emulator, then a second sync with no change. Targets: 10,000 tables ≤ 30 s and ≤ 250 MB peak RSS,
// 100,000 tables ≤ 90 s and ≤ 300 MB; the second sync sends 0 notifications.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { configYaml, generateWarehouse, startRemoteEmulator, sum, timeCli, type TimedRun, removeBenchDir } from './bench-kit.js';

export interface FilesSyncResult {
  tables: number;
  namespaces: number;
  firstSeconds: number;
  firstRssMb: number | undefined;
  /** CPU seconds of the connector process: inflated much less than wall time by other load on the machine. */
  firstCpuSeconds: number | undefined;
  firstNotifications: number;
  /** The 1-minute load average as the first sync ended. */
  firstLoadAverage: number;
  secondSeconds: number;
  secondRssMb: number | undefined;
  secondCpuSeconds: number | undefined;
  secondNotifications: number;
  secondLoadAverage: number;
}

export async function benchFilesSync(tables = 10_000, namespaces = 20): Promise<FilesSyncResult> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-bench-files-'));
  const warehouse = join(dir, 'warehouse');
  await generateWarehouse(warehouse, tables, namespaces);
  const emulator = await startRemoteEmulator({ catalogs: [{ name: 'lake_mirror', allowedLocations: [dirUri(warehouse)] }] });
  try {
    const configFile = join(dir, 'config.yaml');
    await writeFile(
      configFile,
      configYaml({
        uri: emulator.url,
        statePath: join(dir, 'state.db'),
        concurrency: 16,
        sources: ['  - name: lake', '    type: files', `    root: ${warehouse}`, '    target: { catalog: lake_mirror }'],
      }),
    );
    const first = await timeCli(['sync', '--config', configFile, '--no-progress']);
    if (first.code !== 0) throw new Error(`first sync exited ${first.code}: ${first.stdout}\n${first.stderr}`);
    const firstLoadAverage = loadavg()[0]!;
    // Each sync's figures go to stderr as it ends: removing a 1,000,000-table warehouse afterwards takes
    // many minutes on a busy machine, and a run stopped then would otherwise have printed nothing.
    printSync(tables, 'first sync', first, firstLoadAverage);
    const afterFirst = await emulator.stats();
    const second = await timeCli(['sync', '--config', configFile, '--no-progress']);
    if (second.code !== 0) throw new Error(`second sync exited ${second.code}: ${second.stdout}\n${second.stderr}`);
    const secondLoadAverage = loadavg()[0]!;
    printSync(tables, 'no-change sync', second, secondLoadAverage);
    const afterSecond = await emulator.stats();
    const notifications = /^(CREATE|UPDATE|DROP|VALIDATE):/;
    return {
      tables,
      namespaces,
      firstSeconds: first.seconds,
      firstRssMb: first.maxRssMb,
      firstCpuSeconds: first.cpuSeconds,
      firstNotifications: sum(afterFirst, notifications),
      firstLoadAverage,
      secondSeconds: second.seconds,
      secondRssMb: second.maxRssMb,
      secondCpuSeconds: second.cpuSeconds,
      secondNotifications: sum(afterSecond, notifications) - sum(afterFirst, notifications),
      secondLoadAverage,
    };
  } finally {
    await emulator.stop();
    removeBenchDir(dir);
  }
}

function printSync(tables: number, what: string, run: TimedRun, loadAverage: number): void {
  const { seconds, maxRssMb, cpuSeconds } = run;
  process.stderr.write(`files bench ${tables} tables: ${what} ${JSON.stringify({ seconds, maxRssMb, cpuSeconds, loadAverage })}\n`);
}
