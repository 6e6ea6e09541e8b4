// The real CLI's `run` with a REST source: the watch polls every pollIntervalSeconds, later polls are
// conditional (304s), a change in the catalog reaches Polaris, the events endpoint is noted, and
// SIGTERM ends it cleanly.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCli, spawnCli } from '../support/harness.js';
import { startRestScenario, type RestScenario } from './rest-support.js';

let s: RestScenario;
beforeEach(async () => {
  s = await startRestScenario({ rest: { advertiseEvents: true }, source: { pollIntervalSeconds: 0.2 } });
});
afterEach(async () => {
  await s.close();
});

async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('run polls the catalog, uses ETags after the first poll, mirrors a change and stops on SIGTERM', async () => {
  for (const name of ['a', 'b', 'c']) await s.rest.createTable(['deep', 'er', 'ns'], name);
  const child = spawnCli(['run', '--config', s.h.configFile], { LOG_LEVEL: 'info' });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitFor('the first poll to reach Polaris', () => s.h.polarisState().size === 3);
    await waitFor('a conditional poll', () => (s.rest.stats().byOperation.loadTable?.['304'] ?? 0) >= 3);
    // run's start-up reconciliation and the watch's first poll did not both load every table.
    expect(s.rest.stats().byOperation.loadTable!['200']).toBe(3);
    const updated = await s.rest.updateTable(['deep', 'er', 'ns'], 'b');
    await waitFor('the update to reach Polaris', () => s.h.polarisState().get('deep.er.ns.b') === updated.metadataLocation);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(stderr).toContain('events mode is possible');
  expect(stderr.match(/events mode is possible/g)).toHaveLength(1);
});

it('check reaches the catalog and VALIDATEs a sampled table location; plan shows the creates', async () => {
  const t = await s.rest.createTable(['sales', 'eu'], 'orders');
  const check = await runCli(['check', '--config', s.h.configFile]);
  expect(check.stdout).toMatch(/PASS {2}source cat: catalog .* answers \(prefix main; HEAD on tables advertised\), table sales\.eu\.orders readable/);
  expect(check.stdout).toContain(`PASS  VALIDATE lake_mirror ← ${t.metadataLocation}`);
  expect(check.code).toBe(0);
  const plan = await runCli(['plan', '--config', s.h.configFile]);
  expect(plan.code).toBe(0);
  expect(plan.stdout).toMatch(/create +cat +sales\.eu\.orders +lake_mirror\.sales\.eu\.orders +ok/);
});
