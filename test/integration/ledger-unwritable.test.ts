// A ledger that cannot write — a full disk, an I/O error, a file-size limit — leaves SQLite readable, so
// "SELECT 1" alone says all is well while every event gets 503. This runs the real daemon and takes its
// ability to write away for real: prlimit lowers the process's file-size limit (RLIMIT_FSIZE), so every
// write beyond it fails in the kernel (EFBIG, which SQLite reports as an I/O error), as on a full disk.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, startHarness, type Harness } from '../support/harness.js';
import { freePort, postEvents, readResponse, startDaemon, waitFor, type Daemon } from '../support/ingest-client.js';

const TOKEN = 'unwritable-ledger-token-9d2c';

let h: Harness;
let daemon: Daemon;

beforeAll(async () => {
  h = await startHarness();
  const port = await freePort();
  await h.writeConfig((c) => {
    c.server = { host: '127.0.0.1', port };
    c.sources = [{ name: 'hooks', type: 'webhook', token: TOKEN, target: { catalog: CATALOG } }];
  });
  daemon = await startDaemon(h.configFile, port);
});
afterAll(async () => {
  await daemon?.kill();
  await h?.close();
});

/** Sets the daemon's soft file-size limit (bytes, or "unlimited"); the hard limit stays, so it can be raised again. */
function fileSizeLimit(limit: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(daemon.child.pid), `--fsize=${limit}:`]);
}

const readyz = async (token?: string) =>
  readResponse(await fetch(`${daemon.baseUrl}/readyz`, { headers: token ? { authorization: `Bearer ${token}` } : {} }));

describe('an unwritable ledger', () => {
  it('/readyz says so (503, the ledger check failing) while events get 503; nothing accepted before is lost; it recovers', async () => {
    const first = await h.writeTable(['full'], 'before');
    expect((await postEvents(daemon.baseUrl, 'hooks', { events: [{ namespace: ['full'], table: 'before', operation: 'create', metadataLocation: first }] }, { token: TOKEN })).status).toBe(202);
    await waitFor('the first table in Polaris', () => h.polarisState().get('full.before') === first);
    await waitFor('/readyz to be ready', async () => (await readyz()).status === 200);

    fileSizeLimit(1024);
    const during = await h.writeTable(['full'], 'during');
    const refused = await postEvents(daemon.baseUrl, 'hooks', { events: [{ namespace: ['full'], table: 'during', operation: 'create', metadataLocation: during }] }, { token: TOKEN });
    expect(refused.status).toBe(503);
    expect(refused.json.error).toMatch(/nothing was accepted, send them again/);

    const anonymous = await readyz();
    expect(anonymous.status).toBe(503);
    expect(anonymous.json.status).toBe('not ready');
    expect(anonymous.json.checks.ledger.ok).toBe(false);
    expect(anonymous.json.checks.ledger.detail).toMatch(/^cannot write \(SQLITE_(IOERR|FULL)\w*\) since \d+ s ago; the last successful write was \d+ s ago$/);
    const detailed = await readyz(TOKEN);
    expect(detailed.json.checks.ledger.detail).toMatch(/: .*(disk I\/O error|full).*; free space on the volume of .*state\.db \(or raise its file-size limit\)/);

    fileSizeLimit('unlimited');
    const accepted = await postEvents(daemon.baseUrl, 'hooks', { events: [{ namespace: ['full'], table: 'during', operation: 'create', metadataLocation: during }] }, { token: TOKEN });
    expect(accepted.status).toBe(202);
    await waitFor('/readyz to be ready again', async () => (await readyz()).status === 200);
    await waitFor('both tables in Polaris', () => h.polarisState().get('full.during') === during);
    expect(h.polarisState().get('full.before')).toBe(first);
    // The daemon lived through it.
    expect((await fetch(`${daemon.baseUrl}/healthz`)).status).toBe(200);
  });

  it('a table retrying when the ledger stops writing is not sent again and again: the dispatcher pauses', async () => {
    h.emulator.failNext(1_000_000, { status: 503, kinds: ['notification'] });
    const location = await h.writeTable(['full'], 'retrying');
    expect((await postEvents(daemon.baseUrl, 'hooks', { events: [{ namespace: ['full'], table: 'retrying', operation: 'create', metadataLocation: location }] }, { token: TOKEN })).status).toBe(202);
    const sent = () => h.emulator.stats().byKind.notification ?? 0;
    const before = sent();
    await waitFor('the table to be retried', () => sent() >= before + 3);

    fileSizeLimit(1024);
    await waitFor('/readyz to report the ledger', async () => (await readyz()).json.checks.ledger.ok === false);
    // A window of at least three seconds, measured: the bound is about one attempt per pause (1 s),
    // and a busy machine only sends fewer. Unpaused, the lost outcome made the table due at once and
    // it was resent as fast as the loop turned (171 in 3 s against this emulator).
    const from = sent();
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const seconds = (Date.now() - started) / 1000;
    expect(sent() - from, `notifications in ${seconds} s`).toBeLessThanOrEqual(2 * seconds + 4);

    fileSizeLimit('unlimited');
    h.emulator.failNext(0, { status: 503 });
    await waitFor('/readyz to be ready again', async () => (await readyz()).json.checks.ledger.ok === true);
  });
});
