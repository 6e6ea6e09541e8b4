// Several `run` replicas on one PostgreSQL ledger, as operators deploy them: the same config but for
// server.port. Replicas starting together on an empty database, one source watcher across them (its
// lease, shown by `status --json`), take-over after a SIGKILL, `sync` beside running daemons.
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runCli, startHarness, type Harness } from '../support/harness.js';
import { freePort, startDaemon, waitFor, type Daemon } from '../support/ingest-client.js';

let h: Harness | undefined;
const daemons: Daemon[] = [];

afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.kill();
  await h?.close();
  h = undefined;
});

/** A replica: the harness's config with its own server port, started as `run`. */
async function startReplica(harness: Harness, name: string): Promise<Daemon> {
  const port = await freePort();
  const config = YAML.parse(await readFile(harness.configFile, 'utf8'));
  config.server = { host: '127.0.0.1', port };
  const file = `${harness.dir}/${name}.yaml`;
  await writeFile(file, YAML.stringify(config));
  const daemon = await startDaemon(file, port);
  daemons.push(daemon);
  return daemon;
}

async function statusJson(harness: Harness): Promise<any> {
  const result = await runCli(['status', '--json', '--config', harness.configFile]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('replicas on a PostgreSQL ledger', () => {
  it('start together on an empty database, share the work, and take over from a SIGKILLed replica', async () => {
    h = await startHarness({ ledger: 'postgres' });
    await h.writeConfig((c) => {
      c.sources[0].pollIntervalSeconds = 1;
    });
    const first = await h.writeTable(['sales'], 'orders');
    const [a, b] = await Promise.all([startReplica(h, 'a'), startReplica(h, 'b')]);
    await waitFor('sales.orders in Polaris', () => h!.polarisState().get('sales.orders') === first, 60_000);
    for (const replica of [a, b]) {
      await waitFor(`${replica.baseUrl} ready`, async () => (await fetch(`${replica.baseUrl}/readyz`)).status === 200, 60_000);
    }

    // One replica holds the files source's lease; status names it.
    const lease = (await waitFor('a source lease', async () => (await statusJson(h!)).sources[0].lease))!;
    expect(lease).toMatchObject({ live: true, holder: expect.stringMatching(/:\d+:[0-9a-f]{6}$/) });
    const holderPid = Number(lease.holder.split(':').at(-2));
    const holder = [a, b].find((d) => d.child.pid === holderPid)!;
    const survivor = [a, b].find((d) => d !== holder)!;
    expect(holder).toBeDefined();

    // SIGKILL the watcher's replica; a change made right after reaches Polaris through the other.
    await holder.kill();
    const second = await h.writeTable(['sales'], 'returns');
    await waitFor('sales.returns in Polaris after the take-over', () => h!.polarisState().get('sales.returns') === second, 120_000, 200);
    const after = (await statusJson(h)).sources[0].lease;
    expect(after).toMatchObject({ live: true, holder: expect.stringContaining(`:${survivor.child.pid}:`) });

    // `sync` beside the running daemon converges and exits 0.
    const third = await h.writeTable(['sales'], 'items');
    const sync = await runCli(['sync', '--config', h.configFile, '--json']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({ converged: true });
    await waitFor('sales.items in Polaris', () => h!.polarisState().get('sales.items') === third, 60_000);
    // Each table was created once: no double work across the replicas and the sync.
    for (const name of ['orders', 'returns', 'items']) {
      const creates = h.emulator.history('lake_mirror', ['sales'], name).filter((e) => e.type === 'CREATE' && e.status < 300);
      expect(creates, name).toHaveLength(1);
    }
  }, 240_000);

  it('refuses a config with both state.path and state.url, and never prints the database password', async () => {
    h = await startHarness({ ledger: 'postgres' });
    await h.writeConfig((c) => {
      c.state.path = './state.db';
    });
    const result = await runCli(['check', '--config', h.configFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/state\.path \(SQLite\) and state\.url \(PostgreSQL\) are exclusive/);
    const password = new URL(process.env.POLARIS_MIRROR_TEST_PG_URL!).password;
    expect(result.stdout + result.stderr).not.toContain(password);
  });
});
