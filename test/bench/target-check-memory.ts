// Benchmark: a target check of one namespace holding `tables` tables, in Polaris and in the ledger:
// `plan` of a webhook source (no listing of its own, every row in sync, so the check is its work), its
// time and peak RSS at two sizes side by side. Polaris (the emulator, its own process) pages its
// listings (LIST_PAGINATION_ENABLED); it lacks LOST of the ledger's tables and holds ORPHANS no source
// has, so the check must find both at every size.
//   npm run bench -- target-check [tables ...]      (default: 100000 1000000)
import { mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.js';
import type { NormalizedObservation } from '../../src/normalizer/normalize.js';
import { configYaml, removeBenchDir, seedObservations, startRemoteEmulator, timeCli } from './bench-kit.js';

const CATALOG = 'big_mirror';
const NAMESPACE = 'big';
const LOCATION = 'file:///lake/big';
/** Tables the ledger holds that Polaris lacks (the last ones), and tables Polaris holds that no source has. */
const LOST = 10;
const ORPHANS = 10;

export interface TargetCheckRun {
  tables: number;
  seconds: number;
  cpuSeconds: number | undefined;
  rssMb: number | undefined;
  loadAverage: number;
}

export async function benchTargetCheck(tables: number): Promise<TargetCheckRun> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-bench-target-'));
  const emulator = await startRemoteEmulator({ catalogs: [{ name: CATALOG, allowedLocations: [`${LOCATION}/`] }], listPagination: true });
  try {
    const configFile = join(dir, 'config.yaml');
    const statePath = join(dir, 'state.db');
    await writeFile(
      configFile,
      configYaml({
        uri: emulator.url,
        statePath,
        concurrency: 16,
        server: '  host: 127.0.0.1\n  port: 0',
        sources: ['  - name: hooks', '    type: webhook', '    token: bench-token-0123456789', `    target: { catalog: ${CATALOG} }`],
      }),
    );
    await seedLedger(statePath, tables);
    await seedPolaris(emulator.controlUrl, tables);
    const run = await timeCli(['plan', '--config', configFile, '--json'], {}, { stdoutKept: 1 << 20 });
    if (run.code !== 0) throw new Error(`plan exited ${run.code}: ${run.stderr.slice(0, 2000)}`);
    const target = (JSON.parse(run.stdout) as { targets: Array<{ complete: boolean; reason: string | null; refillCount: number; orphanCount: number }> }).targets[0];
    if (!target?.complete || target.refillCount !== LOST || target.orphanCount !== ORPHANS) {
      throw new Error(`the check found ${JSON.stringify(target)}, not ${LOST} lost and ${ORPHANS} orphans`);
    }
    return { tables, seconds: run.seconds, cpuSeconds: run.cpuSeconds, rssMb: run.maxRssMb, loadAverage: loadavg()[0]! };
  } finally {
    await emulator.stop();
    removeBenchDir(dir);
  }
}

/** `tables` rows of the namespace, each applied and in sync, as a finished first sync leaves them. */
async function seedLedger(statePath: string, tables: number): Promise<void> {
  const ledger = SqliteLedger.open(statePath);
  try {
    await seedObservations(ledger, tables, (i): NormalizedObservation => {
      const table = { namespace: [NAMESPACE], name: `t${i}` };
      return { source: 'hooks', target: { catalog: CATALOG, ...table }, observation: { table, state: 'present', metadataLocation: `${LOCATION}/t${i}.metadata.json`, order: 1, sourceTimeMs: 1 } };
    });
  } finally {
    await ledger.close();
  }
  const db = new Database(statePath);
  try {
    db.prepare(`UPDATE tables SET status = 'in_sync', applied_state = 'present', applied_location = desired_location, applied_timestamp = desired_timestamp, applied_at = 1`).run();
  } finally {
    db.close();
  }
}

/** The same tables in Polaris but the last LOST, and ORPHANS of its own. */
async function seedPolaris(controlUrl: string, tables: number): Promise<void> {
  const seed = async (prefix: string, count: number) => {
    const response = await fetch(`${controlUrl}/tables`, { method: 'POST', body: JSON.stringify({ catalog: CATALOG, namespace: [NAMESPACE], prefix, count, location: LOCATION }) });
    if (response.status !== 204) throw new Error(`seeding the emulator answered ${response.status}`);
  };
  await seed('t', tables - LOST);
  await seed('orphan', ORPHANS);
}

export function formatTargetCheck(runs: readonly TargetCheckRun[]): string {
  const lines = runs.map(
    (r) => `  ${r.tables} tables in one namespace: ${r.seconds.toFixed(1)} s, CPU ${r.cpuSeconds?.toFixed(1) ?? 'n/a'} s, peak RSS ${r.rssMb?.toFixed(0) ?? 'n/a'} MB (load average ${r.loadAverage.toFixed(1)})`,
  );
  const [small, large] = [runs[0], runs.at(-1)];
  if (runs.length > 1 && small?.rssMb && large?.rssMb) lines.push(`  peak RSS ${large.tables} / ${small.tables} tables: ${(large.rssMb / small.rssMb).toFixed(2)}×   (target ≤ 1.5×)`);
  return lines.join('\n');
}
