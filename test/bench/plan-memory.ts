// Benchmark: peak RSS of `plan` and of a scoped `refresh` of one namespace while the ledger holds
// 100,000 and then 1,000,000 rows of the source, side by side (the target: ≤ 1.5× from the one to
// the other). The source is a files source of 1,000 tables in one namespace, mirrored by a real first
// `sync` into the Polaris emulator (its own process); the rest of the rows are seeded through the
// Ledger API in 200 other namespaces as tombstones (tables whose DROP was applied: desired and applied
// absent), so every command must page through them but none is planned, sent or printed: what is
// measured is what the command holds because of the ledger's size, not the size of its output.
// Then the other way round: `plan` of a webhook source whose ledger holds that many rows waiting to be
// sent (an ingest backlog), so every row is shown, in text and with --json: what the command holds
// because of the size of its output.
//   npm run bench -- plan-memory [rows ...]      (default: 100000 1000000)
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.js';
import type { NormalizedObservation } from '../../src/normalizer/normalize.js';
import { dirUri } from '../emulators/polaris/fixture-warehouse.js';
import { configYaml, generateWarehouse, seedObservations, startRemoteEmulator, timeCli, type TimedRun, removeBenchDir } from './bench-kit.js';

const LISTED = 1_000;
const SEED_NAMESPACES = 200;

export interface PlanMemoryRun {
  rows: number;
  plan: Figures;
  refresh: Figures;
  /** `plan` of a backlog of `rows` pending rows: every one shown. */
  backlogText: Figures;
  backlogJson: Figures;
}

interface Figures {
  seconds: number;
  rssMb: number | undefined;
  cpuSeconds: number | undefined;
  loadAverage: number;
}

export async function benchPlanMemory(rows: number): Promise<PlanMemoryRun> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-bench-plan-'));
  const warehouse = join(dir, 'warehouse');
  await generateWarehouse(warehouse, LISTED, 1);
  // The backlog's catalog of its own: the files source's tables in lake_mirror would be its orphans.
  const emulator = await startRemoteEmulator({ catalogs: [{ name: 'lake_mirror', allowedLocations: [dirUri(warehouse)] }, { name: 'backlog_mirror', allowedLocations: ['file:///lake/'] }] });
  try {
    const configFile = join(dir, 'config.yaml');
    const statePath = join(dir, 'state.db');
    await writeFile(
      configFile,
      configYaml({ uri: emulator.url, statePath, concurrency: 16, sources: ['  - name: lake', '    type: files', `    root: ${warehouse}`, '    target: { catalog: lake_mirror }'] }),
    );
    check('sync', await timeCli(['sync', '--config', configFile, '--no-progress']));
    await seedTombstones(statePath, rows - LISTED);
    const plan = check('plan', await timeCli(['plan', '--config', configFile]));
    const refresh = check('refresh', await timeCli(['refresh', '--config', configFile, '--source', 'lake', '--namespace', 'ns0']));
    const backlog = await planBacklog(dir, emulator.url, rows);
    return { rows, plan: figures(plan), refresh: figures(refresh), ...backlog };
  } finally {
    await emulator.stop();
    removeBenchDir(dir);
  }
}

/** Rows of the source whose DROP was applied long ago (a first-seen absence is stored as such a tombstone). */
async function seedTombstones(statePath: string, count: number): Promise<void> {
  const ledger = SqliteLedger.open(statePath);
  try {
    await seedObservations(ledger, count, (i): NormalizedObservation => {
      const table = { namespace: [`old${String(i % SEED_NAMESPACES).padStart(3, '0')}`], name: `t${i}` };
      return { source: 'lake', target: { catalog: 'lake_mirror', ...table }, observation: { table, state: 'absent', order: 1, sourceTimeMs: 1 } };
    });
  } finally {
    await ledger.close();
  }
}

/** `plan` of a webhook source with `rows` tables waiting in its ledger, in text and in JSON; checks each printed them all. */
async function planBacklog(dir: string, uri: string, rows: number): Promise<{ backlogText: Figures; backlogJson: Figures }> {
  const configFile = join(dir, 'backlog.yaml');
  const statePath = join(dir, 'backlog.db');
  await writeFile(
    configFile,
    configYaml({
      uri,
      statePath,
      concurrency: 16,
      server: '  host: 127.0.0.1\n  port: 0',
      sources: ['  - name: hooks', '    type: webhook', '    token: bench-token-0123456789', '    target: { catalog: backlog_mirror }'],
    }),
  );
  const ledger = SqliteLedger.open(statePath);
  try {
    await seedObservations(ledger, rows, (i): NormalizedObservation => {
      const table = { namespace: [`ns${String(i % SEED_NAMESPACES).padStart(3, '0')}`], name: `t${i}` };
      const metadataLocation = `file:///lake/${table.namespace[0]}/${table.name}/metadata/00001-${i}.metadata.json`;
      return { source: 'hooks', target: { catalog: 'backlog_mirror', ...table }, observation: { table, state: 'present', metadataLocation, order: 1, sourceTimeMs: 1 } };
    });
  } finally {
    await ledger.close();
  }
  const kept = { stdoutKept: 4096 };
  const text = check('plan (backlog)', await timeCli(['plan', '--config', configFile], {}, kept));
  if (!text.stdout.includes(`${rows} pending from ingest`)) throw new Error(`plan (backlog) did not count ${rows} pending rows: ${text.stdout.slice(-500)}`);
  const json = check('plan --json (backlog)', await timeCli(['plan', '--config', configFile, '--json'], {}, kept));
  if (!json.stdout.includes(`"pending": ${rows}`)) throw new Error(`plan --json (backlog) did not count ${rows} pending rows: ${json.stdout.slice(-500)}`);
  return { backlogText: figures(text), backlogJson: figures(json) };
}

function check(what: string, run: TimedRun): TimedRun {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${run.stdout.slice(0, 2000)}\n${run.stderr.slice(0, 2000)}`);
  return run;
}

function figures(run: TimedRun): Figures {
  return { seconds: run.seconds, rssMb: run.maxRssMb, cpuSeconds: run.cpuSeconds, loadAverage: loadavg()[0]! };
}

/** The runs side by side, each with the load average it was taken under. */
export function formatPlanMemory(runs: readonly PlanMemoryRun[]): string {
  const mb = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(0)} MB`);
  const line = (what: string, f: Figures) => `${what} ${mb(f.rssMb)}, ${f.seconds.toFixed(1)} s, CPU ${f.cpuSeconds?.toFixed(1) ?? 'n/a'} s (load average ${f.loadAverage.toFixed(1)})`;
  const lines = runs.flatMap((r) => [
    `  ${r.rows} rows: ${line('plan', r.plan)}; ${line('refresh of one namespace', r.refresh)}`,
    `  ${r.rows} rows waiting (every one shown): ${line('plan', r.backlogText)}; ${line('plan --json', r.backlogJson)}`,
  ]);
  const [small, large] = [runs[0], runs[runs.length - 1]];
  const ratio = (pick: (run: PlanMemoryRun) => Figures) => {
    const [a, b] = [pick(small!).rssMb, pick(large!).rssMb];
    return a && b ? `${(b / a).toFixed(2)}×` : 'n/a';
  };
  if (runs.length > 1) {
    lines.push(
      `  peak RSS ${large!.rows} / ${small!.rows} rows: plan ${ratio((r) => r.plan)}, refresh ${ratio((r) => r.refresh)}, plan of the backlog ${ratio((r) => r.backlogText)} (--json ${ratio((r) => r.backlogJson)})   (target ≤ 1.5×)`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number);
  const runs: PlanMemoryRun[] = [];
  for (const rows of sizes.length > 0 ? sizes : [100_000, 1_000_000]) runs.push(await benchPlanMemory(rows));
  process.stdout.write(`${formatPlanMemory(runs)}\n`);
}
