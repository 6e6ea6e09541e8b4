// Benchmark: the SQLite ledger's commit path for a source's batches, alone (no parsing, no HTTP): 5,000
// tables, then 100,000 location changes in batches of 500 spread at random over them, each batch committed
// with its cursor as the Hive log watcher does (one durable transaction). Reports wall time and the
// process's CPU time, which moves far less than wall time with other load on a shared machine.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteLedger } from '../../src/ledger/sqlite/sqlite-ledger.js';
import type { NormalizedObservation } from '../../src/normalizer/normalize.js';
import { removeBenchDir } from './bench-kit.js';

export interface LedgerCommitResult {
  observations: number;
  batchSize: number;
  seconds: number;
  cpuSeconds: number;
}

export async function benchLedgerCommit(tables = 5_000, batches = 200, batchSize = 500): Promise<LedgerCommitResult> {
  const dir = await mkdtemp(join(tmpdir(), 'polaris-mirror-bench-ledger-'));
  const ledger = SqliteLedger.open(join(dir, 'state.db'));
  try {
    const observation = (i: number, version: number, order: number): NormalizedObservation => ({
      source: 'hms',
      target: { catalog: 'c', namespace: [`ns${i % 20}`], name: `t${i}` },
      observation: {
        table: { namespace: [`ns${i % 20}`], name: `t${i}` },
        state: 'present',
        metadataLocation: `file:///warehouse/ns${i % 20}/t${i}/metadata/v${version}.metadata.json`,
        tableUuid: `uuid-${i}`,
        order,
        sourceTimeMs: 1_700_000_000_000 + order,
      },
    });
    for (let start = 0; start < tables; start += batchSize) {
      await ledger.commit({ observations: Array.from({ length: Math.min(batchSize, tables - start) }, (_, k) => observation(start + k, 1, 1)), source: 'hms', cursor: '0' });
    }
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) / 0x7fffffff;
    const versions = new Array<number>(tables).fill(1);
    const work = Array.from({ length: batches }, (_, b) =>
      Array.from({ length: batchSize }, (_, k) => {
        const table = Math.floor(random() * tables);
        return observation(table, ++versions[table]!, 2 + b * batchSize + k);
      }),
    );
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (const [b, observations] of work.entries()) await ledger.commit({ observations, source: 'hms', cursor: String(b) });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return { observations: batches * batchSize, batchSize, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  } finally {
    await ledger.close();
    removeBenchDir(dir);
  }
}
