// A damaged ledger: every command stops with a clear error naming the recovery, and `sync --rebuild`
// re-derives the ledger from the source and Polaris without sending again what Polaris holds, without
// dropping tables it cannot prove it mirrored, and with drops working again afterwards.
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  for (let i = 0; i < 6; i++) await h.writeTable(['ns'], `t${i}`);
});
afterAll(async () => {
  await h.close();
});

const cli = (...args: string[]) => runCli([...args, '--config', h.configFile]);
const upserts = () =>
  Object.entries(h.emulator.stats().notifications)
    .filter(([key]) => /^(CREATE|UPDATE):/.test(key))
    .reduce((n, [, c]) => n + c, 0);

describe('a damaged ledger', () => {
  it('stops sync and status with an error that names `sync --rebuild`; rebuild recovers without resending', async () => {
    expect((await cli('sync', '--no-progress')).code).toBe(0);
    expect(h.polarisState().size).toBe(6);

    for (const suffix of ['', '-wal', '-shm']) rmSync(h.statePath + suffix, { force: true });
    writeFileSync(h.statePath, 'this is not a database '.repeat(100));
    const refused = await cli('sync', '--no-progress');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the ledger .*state\.db is damaged/);
    expect(refused.stderr).toMatch(/hint: run `polaris-mirror sync --rebuild`/);
    const status = await cli('status');
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/is damaged/);

    // Meanwhile the source changed: one commit, one table dropped.
    const t1 = await h.writeTable(['ns'], 't1');
    await h.dropTable(['ns'], 't0');
    const before = upserts();
    const rebuilt = await cli('sync', '--no-progress', '--rebuild', '--json');
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).toMatch(/rebuild: moved the previous ledger to .*state\.db\.before-rebuild-/);
    const summary = JSON.parse(rebuilt.stdout);
    expect(summary).toMatchObject({ converged: true, recovered: 4, dropped: 0 });
    expect(upserts() - before).toBe(1); // only t1's new metadata file was sent
    expect(h.polarisState().get('ns.t1')).toBe(t1);
    // t0 is gone from the source but the rebuilt ledger cannot prove it mirrored it: left alone.
    expect(h.polarisState().has('ns.t0')).toBe(true);
    expect(readdirSync(dirname(h.statePath)).some((f) => f.startsWith('state.db.before-rebuild-'))).toBe(true);
    expect(existsSync(h.statePath)).toBe(true);

    // Ownership came back through the read-back: a later drop is mirrored.
    await h.dropTable(['ns'], 't2');
    const after = await cli('sync', '--no-progress', '--json');
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ dropped: 1 });
    expect(h.polarisState().has('ns.t2')).toBe(false);
  });
});
