// Crash safety: the real CLI is killed with SIGKILL in the middle of syncs while the warehouse keeps
// changing; after a final sync Polaris equals the warehouse — nothing lost, nothing resurrected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli, spawnCli, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ emulator: { faults: { latencyMs: 15 } } });
  await h.writeConfig((c) => {
    c.polaris.concurrency = 8;
  });
});
afterAll(async () => {
  await h.close();
});

/** What the warehouse holds now: "ns.table" → metadata location (the highest version file). */
function warehouseState(): Map<string, string> {
  const state = new Map<string, string>();
  for (const ns of readdirSync(h.warehouse)) {
    for (const table of readdirSync(join(h.warehouse, ns))) {
      const files = readdirSync(join(h.warehouse, ns, table, 'metadata')).filter((f) => f.endsWith('.metadata.json')).sort();
      state.set(`${ns}.${table}`, pathToFileURL(join(h.warehouse, ns, table, 'metadata', files.at(-1)!)).href);
    }
  }
  return state;
}

function killAfter(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawnCli(['sync', '--config', h.configFile, '--no-progress']);
    child.stdout!.resume();
    child.stderr!.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe('crash safety', () => {
  it('survives SIGKILL during sync, repeatedly, and converges to the source', async () => {
    for (let i = 0; i < 240; i++) await h.writeTable([`ns${i % 6}`], `t${i}`);
    let kills = 0;
    let next = 240;
    for (let round = 0; round < 6; round++) {
      const result = await killAfter(250 + Math.floor(Math.random() * 600));
      if (result.signal === 'SIGKILL') kills++;
      // The source keeps changing between crashes: updates, a drop, a new table.
      for (let k = 0; k < 10; k++) await h.writeTable([`ns${(round + k) % 6}`], `t${(round * 37 + k * 11) % 240}`);
      await h.dropTable([`ns${round % 6}`], `t${round * 6}`);
      await h.writeTable([`ns${round % 6}`], `t${next++}`);
    }
    expect(kills).toBeGreaterThanOrEqual(3);

    const final = await runCli(['sync', '--config', h.configFile, '--no-progress'], {}, 240_000);
    expect(final.stderr).toBe('');
    expect(final.code).toBe(0);
    expect(h.polarisState()).toEqual(warehouseState());

    const status = JSON.parse((await runCli(['status', '--config', h.configFile, '--json'])).stdout);
    expect(status.sources[0].tables).toMatchObject({ total: warehouseState().size, inSync: warehouseState().size, pending: 0, failed: 0 });
  }, 300_000);
});
