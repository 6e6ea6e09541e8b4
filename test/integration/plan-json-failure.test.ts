// `plan --json` streams its entries as they are decided; CI jobs parse what it prints. When plan fails
// after entries went out (here the PostgreSQL ledger crashing while plan compares the target), stdout
// must still be one well-formed document that says what failed, with the exit code and stderr any
// failing command gives.
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startHarness, type CliResult, type Harness } from '../support/harness.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

/** More than two of plan's JSON chunks (1000 entries each), so the document was begun well before the failure. */
const SCRATCH_TABLES = 2100;

let h: Harness | undefined;
let postgres: PostgresServer | undefined;

afterEach(async () => {
  await h?.close();
  postgres?.stop();
  h = undefined;
  postgres = undefined;
});

/**
 * A harness whose ledger is a PostgreSQL cluster of its own (crashing the test run's shared one would
 * disturb other tests), synced once with the table sales.kept; returns the env plan needs.
 */
/** SCRATCH_TABLES tables in the namespace scratch, which the config excludes (each a skip entry of plan). */
async function writeScratchTables(): Promise<void> {
  for (let i = 0; i < SCRATCH_TABLES; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, SCRATCH_TABLES - i) }, (_, j) => h!.writeTable(['scratch'], `t${String(i + j).padStart(5, '0')}`)));
  }
}

async function syncedOnOwnPostgres(configure: (config: Record<string, any>) => void = () => undefined): Promise<Record<string, string>> {
  postgres = await startPostgres();
  h = await startHarness();
  const env = { PLAN_PG_PASSWORD: postgres.password };
  await h.writeConfig((c) => {
    c.state = { url: `postgresql://postgres:\${PLAN_PG_PASSWORD}@127.0.0.1:${postgres!.port}/postgres`, schema: 'mirror' };
    configure(c);
  });
  await h.writeTable(['sales'], 'kept');
  const sync = await runCli(['sync', '--config', h.configFile], env);
  expect(sync.code, sync.stderr).toBe(0);
  return env;
}

/** `plan --json` (or in text), with PostgreSQL crashed while plan's first request of this kind is held at Polaris. */
async function planCrashingLedgerAt(kind: 'list' | 'notification', env: Record<string, string>, json = true): Promise<CliResult> {
  if (!h || !postgres) throw new Error('no harness');
  const held = h.emulator.hold(kind);
  const plan = runCli(['plan', ...(json ? ['--json'] : []), '--config', h.configFile], env);
  const first = await Promise.race([held.arrived.then(() => 'held' as const), plan]);
  expect(first, `plan ended before its first ${kind} request`).toBe('held');
  postgres.crash();
  held.release();
  return plan;
}

describe('plan --json failing midway', () => {
  it('ends the document it began: it parses, holds the entries written and the error, exit 1 and the error on stderr', async () => {
    // Excluded tables are plan entries (skip) that need neither a VALIDATE nor the ledger.
    const env = await syncedOnOwnPostgres((c) => (c.sources[0].exclude = ['scratch.*']));
    if (!h || !postgres) throw new Error('no harness');
    await writeScratchTables();

    // Plan lists the target only once every source's entries are out: held there, the ledger goes away.
    const result = await planCrashingLedgerAt('list', env);

    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^error: \S/m);
    const document = JSON.parse(result.stdout);
    expect(Object.keys(document.error)).toEqual(['message', 'hint']);
    expect(document.error.message).toMatch(/\S/);
    expect(result.stderr).toContain(`error: ${document.error.message}`);
    expect(document.entries).toHaveLength(SCRATCH_TABLES + 1);
    expect(document.entries.filter((e: { action: string }) => e.action === 'skip')).toHaveLength(SCRATCH_TABLES);
    expect(document.entries.find((e: { table: string }) => e.table === 'sales.kept')).toMatchObject({ action: 'unchanged' });
    expect(document.counts).toMatchObject({ skip: SCRATCH_TABLES, unchanged: 1, create: 0 });
    expect(document.errors).toEqual([]);
    expect(document.targets).toEqual([]);
    expect(result.stdout + result.stderr).not.toContain(postgres.password);
  }, 240_000);

  it('the ledger failing while a source is planned fails the plan; it is not reported as the source listing failing', async () => {
    const env = await syncedOnOwnPostgres();
    if (!h || !postgres) throw new Error('no harness');
    await h.writeTable(['sales'], 'fresh');
    // The new table's VALIDATE is sent once its batch is planned, before plan reads the ledger for drops.
    const result = await planCrashingLedgerAt('notification', env);

    expect(result.code, result.stderr).toBe(1);
    const document = JSON.parse(result.stdout);
    expect(document.error.message).toMatch(/\S/);
    expect(result.stderr).toContain(`error: ${document.error.message}`);
    expect(document.errors).toEqual([]);
    expect(result.stdout + result.stderr).not.toContain('the listing failed');
    expect(document.entries.map((e: { table: string; action: string }) => `${e.table} ${e.action}`).sort()).toEqual(['sales.fresh create', 'sales.kept unchanged']);
  }, 240_000);
});

describe('plan in text failing midway', () => {
  it('the rows printed in blocks before the failure are followed by a line saying that plan stopped, and why; exit 1', async () => {
    const env = await syncedOnOwnPostgres((c) => (c.sources[0].exclude = ['scratch.*']));
    if (!h || !postgres) throw new Error('no harness');
    await writeScratchTables();

    const result = await planCrashingLedgerAt('list', env, false);

    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^error: \S/m);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('ACTION '))).toHaveLength(1);
    // Two full blocks of 1,000 skip rows went out as they were decided; the last 100 were still held.
    const skips = lines.filter((l) => /^skip +\S+ +scratch\.t\d{5} /.test(l));
    expect(skips).toHaveLength(2000);
    expect(lines.at(-1)).toMatch(/^plan stopped after 2000 row\(s\) shown, before its end: \S/);
    expect(result.stderr).toContain(lines.at(-1)!.replace(/^plan stopped after 2000 row\(s\) shown, before its end: /, 'error: '));
    expect(result.stdout + result.stderr).not.toContain(postgres.password);
  }, 240_000);
});
