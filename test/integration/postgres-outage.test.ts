// PostgreSQL going away under a running replica (`pg_ctl stop -m immediate`, a crash) and coming back:
// the ingest answers 503 and /readyz says why, nothing acknowledged is lost, and work resumes by itself.
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { freePort, postEvents, startDaemon, waitFor, type Daemon } from '../support/ingest-client.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

const TOKEN = 'outage-token-1234';
let h: Harness | undefined;
let daemon: Daemon | undefined;
let postgres: PostgresServer | undefined;

afterEach(async () => {
  await daemon?.kill();
  await h?.close();
  postgres?.stop();
  daemon = undefined;
  h = undefined;
  postgres = undefined;
});

describe('a PostgreSQL outage', () => {
  it('503 and not ready while the database is down, then resumes with nothing acknowledged lost', async () => {
    // A cluster of its own: stopping the test run's shared one would disturb other tests.
    postgres = await startPostgres();
    h = await startHarness();
    const port = await freePort();
    await h.writeConfig((c) => {
      c.state = { url: `postgresql://postgres:\${OUTAGE_PG_PASSWORD}@127.0.0.1:${postgres!.port}/postgres`, schema: 'mirror' };
      c.server = { host: '127.0.0.1', port };
      c.sources = [{ name: 'hooks', type: 'webhook', token: TOKEN, target: { catalog: 'lake_mirror' } }];
    });
    daemon = await startDaemon(h.configFile, port, { OUTAGE_PG_PASSWORD: postgres.password });
    const base = daemon.baseUrl;
    const event = async (name: string) =>
      postEvents(base, 'hooks', { events: [{ namespace: ['sales'], table: name, operation: 'create', metadataLocation: await h!.writeTable(['sales'], name) }] }, { token: TOKEN });

    expect((await event('before')).status).toBe(202);
    await waitFor('sales.before in Polaris', () => h!.polarisState().has('sales.before'), 60_000);

    postgres.crash();
    const refused = await waitFor('a 503 from the ingest', async () => {
      const answer = await event('during');
      return answer.status === 503 ? answer : undefined;
    }, 60_000, 200);
    expect(refused.headers.get('retry-after')).toBe('1');
    const notReady = await waitFor('/readyz not ready', async () => {
      const response = await fetch(`${base}/readyz`);
      return response.status === 503 ? ((await response.json()) as any) : undefined;
    }, 60_000, 200);
    expect(notReady.checks.ledger).toMatchObject({ ok: false, detail: expect.stringMatching(/cannot be read/) });

    postgres.start();
    const accepted = await waitFor('a 202 once the database is back', async () => {
      const answer = await event('after');
      return answer.status === 202 ? answer : undefined;
    }, 120_000, 500);
    expect(accepted.status).toBe(202);
    await waitFor('sales.after in Polaris', () => h!.polarisState().has('sales.after'), 120_000, 200);
    await waitFor('/readyz ledger ok again', async () => ((await (await fetch(`${base}/readyz`)).json()) as any).checks.ledger.ok === true, 60_000, 200);
    // What was acknowledged before the crash stayed, and the database's password never reached the log.
    expect(h.polarisState().has('sales.before')).toBe(true);
    const { stdout, stderr } = daemon.output();
    expect(stdout + stderr).not.toContain(postgres.password);
  }, 240_000);
});
