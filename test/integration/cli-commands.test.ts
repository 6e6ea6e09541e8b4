// The CLI commands (sync, plan, status, retry, check, run's lease, usage) run for real against a
// harness warehouse and the Polaris emulator: exit codes, output and Polaris state.
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dirUri, readFixture, relocate } from '../emulators/polaris/fixture-warehouse.js';
import { packageRoot } from '../../src/util/package-info.js';
import { REREAD_AT_MOST } from '../../src/cli/commands/retry.js';
import { NOT_IN_SYNC_LISTED, RESULT_LINES_AT_MOST } from '../../src/cli/commands/retry-report.js';
import { CATALOG, runCli, startHarness, type CliResult, type Harness } from '../support/harness.js';
import { freePort, startDaemon, waitFor, type Daemon } from '../support/ingest-client.js';

const cli = (harness: Harness, command: string, ...args: string[]) => runCli([command, '--config', harness.configFile, ...args]);
const totalNotifications = (harness: Harness) => Object.values(harness.emulator.stats().notifications).reduce((a, b) => a + b, 0);
const show = (r: CliResult) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

describe('plan and sync', () => {
  let harness: Harness;
  const tables = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
  const locations = new Map<string, string>();

  beforeAll(async () => {
    harness = await startHarness();
    for (const name of tables) locations.set(`sales.${name}`, await harness.writeTable(['sales'], name));
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('plan before any sync lists the creates with VALIDATE ok and changes nothing', async () => {
    const result = await cli(harness, 'plan');
    expect(result.code, show(result)).toBe(0);
    for (const name of tables) expect(result.stdout).toMatch(new RegExp(`^create\\s+lake\\s+sales\\.${name}\\s+${CATALOG}\\.sales\\.${name}\\s+ok\\b`, 'm'));
    expect(result.stdout).toContain('plan: 5 to create, 0 to update, 0 to drop, 0 unchanged, 0 skipped');
    expect(harness.emulator.tables(CATALOG)).toEqual([]);
    expect(harness.emulator.namespaces(CATALOG)).toEqual([]);
    expect(existsSync(harness.statePath)).toBe(false);
    const sent = harness.emulator.stats().notifications;
    // Keys are "TYPE:status": only VALIDATE (a dry run) reached Polaris.
    expect(Object.keys(sent)).toEqual(['VALIDATE:204']);
  });

  it('plan --json: entries with action, tables, locations and VALIDATE answers; counts', async () => {
    const result = await cli(harness, 'plan', '--json');
    expect(result.code, show(result)).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.counts).toEqual({ create: 5, update: 0, drop: 0, 'drop-refused': 0, unchanged: 0, skip: 0, pending: 0 });
    expect(plan.errors).toEqual([]);
    expect(plan.entries).toHaveLength(5);
    for (const entry of plan.entries) {
      expect(entry).toMatchObject({
        source: 'lake',
        action: 'create',
        polarisTable: `${CATALOG}.${entry.table}`,
        target: { catalog: CATALOG, namespace: ['sales'], name: entry.table.split('.')[1] },
        metadataLocation: locations.get(entry.table),
        validate: { ok: true, message: 'ok' },
      });
    }
    expect(harness.emulator.tables(CATALOG)).toEqual([]);
    expect(existsSync(harness.statePath)).toBe(false);
  });

  it('sync creates every table: exit 0 and a summary', async () => {
    const result = await cli(harness, 'sync');
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toMatch(/^sync: 5 tables listed in [\d.]+ s$/m);
    expect(result.stdout).toMatch(/^ {2}created {4}5$/m);
    expect(result.stdout).toMatch(/^ {2}failed {5}0$/m);
    expect(result.stdout).toContain('result: every table converged');
    expect(harness.polarisState()).toEqual(locations);
    expect(existsSync(harness.statePath)).toBe(true);
  });

  it('a second sync sends no notification and exits 0', async () => {
    const before = totalNotifications(harness);
    const result = await cli(harness, 'sync');
    expect(result.code, show(result)).toBe(0);
    expect(totalNotifications(harness)).toBe(before);
    expect(result.stdout).toMatch(/^ {2}created {4}0$/m);
    expect(result.stdout).toMatch(/^ {2}unchanged {2}5$/m);
  });

  it('sync --json parses with created/updated/dropped/unchanged/failed', async () => {
    const result = await cli(harness, 'sync', '--json');
    expect(result.code, show(result)).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ converged: true, created: 0, updated: 0, dropped: 0, unchanged: 5, failed: [], listed: 5, pending: 0 });
    expect(summary.skipped).toEqual({});
    expect(summary.passes).toEqual([expect.objectContaining({ source: 'lake', complete: true, dropsRefused: 0 })]);
  });

  it('plan after a sync and a change shows exactly the update and the drop', async () => {
    const updated = await harness.writeTable(['sales'], 'beta');
    await harness.dropTable(['sales'], 'gamma');
    const result = await cli(harness, 'plan', '--json');
    expect(result.code, show(result)).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.counts).toEqual({ create: 0, update: 1, drop: 1, 'drop-refused': 0, unchanged: 3, skip: 0, pending: 0 });
    const changes = plan.entries.filter((e: { action: string }) => e.action !== 'unchanged');
    expect(changes).toEqual([
      expect.objectContaining({ action: 'update', table: 'sales.beta', metadataLocation: updated, validate: null }),
      expect.objectContaining({ action: 'drop', table: 'sales.gamma' }),
    ]);
    const text = await cli(harness, 'plan');
    expect(text.stdout).toContain('plan: 0 to create, 1 to update, 1 to drop, 3 unchanged, 0 skipped');
    expect(text.stdout).not.toMatch(/^create\b/m);
    // Still nothing changed in Polaris.
    expect(harness.polarisState()).toEqual(locations);

    const sync = await cli(harness, 'sync', '--json');
    expect(sync.code, show(sync)).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({ created: 0, updated: 1, dropped: 1, unchanged: 3, failed: [] });
    locations.set('sales.beta', updated);
    locations.delete('sales.gamma');
    expect(harness.polarisState()).toEqual(locations);
  });
});

describe('status and retry with a failed table', () => {
  let harness: Harness;
  let badLocation: string;

  beforeAll(async () => {
    harness = await startHarness();
    await harness.writeTable(['sales'], 'orders');
    await harness.writeTable(['sales'], 'customers');
    badLocation = await harness.writeTable(['staging'], 'broken', { fixture: 'TableMetadataUnsupportedVersion.json' });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('status before any sync: zero counts (no ledger yet), exit 0', async () => {
    const result = await cli(harness, 'status', '--json');
    expect(result.code, show(result)).toBe(0);
    expect(JSON.parse(result.stdout).sources).toEqual([
      expect.objectContaining({ name: 'lake', tables: { total: 0, inSync: 0, pending: 0, failed: 0 }, failed: [] }),
    ]);
    expect(existsSync(harness.statePath)).toBe(false);
  });

  it('sync with a table Polaris refuses: exit 1, the failure listed with a hint, the others mirrored', async () => {
    const result = await cli(harness, 'sync');
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/^ {2}created {4}2$/m);
    expect(result.stdout).toMatch(/^ {2}failed {5}1$/m);
    expect(result.stdout).toMatch(/lake: staging\.broken — Polaris answered 400/);
    expect(result.stdout).toMatch(/^ {6}hint: \S/m);
    expect(result.stdout).toContain('result: not converged');
    expect([...harness.polarisState().keys()].sort()).toEqual(['sales.customers', 'sales.orders']);
  });

  it('sync --json while the table is still failed: exit 1, failed entries with source, table, message, hint', async () => {
    const result = await cli(harness, 'sync', '--json');
    expect(result.code, show(result)).toBe(1);
    const summary = JSON.parse(result.stdout);
    expect(summary.converged).toBe(false);
    expect(summary.failed).toEqual([
      {
        source: 'lake',
        table: 'staging.broken',
        message: expect.stringMatching(/^Polaris answered 400/),
        hint: expect.any(String),
        // The X-Request-ID of the failed operation, as Polaris logged it.
        requestId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      },
    ]);
    expect(summary).toMatchObject({ created: 0, updated: 0, dropped: 0, unchanged: 3 });
  });

  it('status --json has the contract shape, with the failed table, its message and hint', async () => {
    const result = await cli(harness, 'status', '--json');
    expect(result.code, show(result)).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(Object.keys(status)).toEqual(['sources']);
    expect(status.sources).toHaveLength(1);
    const [lake] = status.sources;
    expect(lake.name).toBe('lake');
    expect(lake.tables).toEqual({ total: 3, inSync: 2, pending: 0, failed: 1 });
    expect(lake.failed).toHaveLength(1);
    const [failed] = lake.failed;
    expect(failed).toMatchObject({ table: 'staging.broken', status: 'failed' });
    expect(typeof failed.message).toBe('string');
    expect(failed.message).toMatch(/400/);
    expect(typeof failed.hint).toBe('string');
    expect(failed.hint.length).toBeGreaterThan(10);
  });

  it('status (text) names the failed table and its hint', async () => {
    const result = await cli(harness, 'status');
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toMatch(/^lake\s+files\s+3\s+2\s+0\s+1\s/m);
    expect(result.stdout).toContain('lake: staging.broken failed');
    expect(result.stdout).toMatch(/^ {2}hint: \S/m);
  });

  it('retry without --table or --all-failed is a usage error: exit 2', async () => {
    const result = await cli(harness, 'retry');
    expect(result.code, show(result)).toBe(2);
    expect(result.stderr).toMatch(/--table|--all-failed/);
  });

  it('retry --table of a table that is not failed or unknown: exit 1 with a message', async () => {
    const result = await cli(harness, 'retry', '--table', 'nope.nothing');
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toContain('no table named "nope.nothing"');
  });

  it('retry --table while the cause is still there: exit 1, still failed', async () => {
    const result = await cli(harness, 'retry', '--table', 'staging.broken');
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/^failed\s+lake: staging\.broken — Polaris answered 400/m);
    expect(harness.polarisState().has('staging.broken')).toBe(false);
  });

  it('retry --table after fixing the metadata file in place: exit 0 and the table lands', async () => {
    // Same path, now valid metadata (the emulator re-reads a file whose mtime/size changed).
    const path = fileURLToPath(badLocation);
    const tableDir = join(harness.warehouse, 'staging', 'broken');
    const fixed = relocate(JSON.parse(await readFixture('TableMetadataV2ValidMinimal.json')), dirUri(tableDir));
    await writeFile(path, JSON.stringify(fixed, null, 2));
    // The Polaris name (catalog.namespace.table) is accepted as well as the source's.
    const result = await cli(harness, 'retry', '--table', `${CATALOG}.staging.broken`);
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toMatch(/^ok\s+lake: staging\.broken$/m);
    expect(harness.polarisState().get('staging.broken')).toBe(badLocation);
    const status = JSON.parse((await cli(harness, 'status', '--json')).stdout);
    expect(status.sources[0].tables).toEqual({ total: 3, inSync: 3, pending: 0, failed: 0 });
    expect(status.sources[0].failed).toEqual([]);
  });

  it('retry --all-failed with nothing failed: exit 0, "no failed tables"', async () => {
    const result = await cli(harness, 'retry', '--all-failed');
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toContain('no failed tables');
  });
});

describe('retry after the source wrote a new, valid metadata file', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await harness.writeTable(['staging'], 'broken', { fixture: 'TableMetadataUnsupportedVersion.json' });
  });
  afterAll(async () => {
    await harness?.close();
  });

  // Regression (fixed; this was the bug): `retry --table` re-sends the desired state stored in the ledger (the old, broken metadata file)
  // instead of re-reading the table from its source, so fixing the table the Iceberg way (a new metadata
  // file) never lands through `retry`; only a full `sync` picks up the new file.
  // src/cli/commands/retry.ts:17 (ledger.redrive only re-schedules). Suggested fix: for sources that can
  // read(), re-read each re-driven table (adapter.read + sink.commit) before dispatching, as the
  // converger already does on a stale 409 (TableConverger.rereadChanged).
  it('retry --table re-reads the table from the source and lands its current metadata file', async () => {
    const first = await cli(harness, 'sync');
    expect(first.code, show(first)).toBe(1);
    const fixedLocation = await harness.writeTable(['staging'], 'broken', { fixture: 'TableMetadataV2ValidMinimal.json' });
    const result = await cli(harness, 'retry', '--table', 'staging.broken');
    expect(result.code, show(result)).toBe(0);
    expect(harness.polarisState().get('staging.broken')).toBe(fixedLocation);
  });

  it('a full sync does pick up the new metadata file (the workaround)', async () => {
    const current = await harness.writeTable(['staging'], 'broken', { fixture: 'TableMetadataV2ValidMinimal.json' });
    const result = await cli(harness, 'sync');
    expect(result.code, show(result)).toBe(0);
    expect(harness.polarisState().get('staging.broken')).toBe(current);
  });
});

describe('retry --all-failed of more tables than it re-reads one by one', () => {
  let harness: Harness;
  const names = Array.from({ length: Math.max(REREAD_AT_MOST, RESULT_LINES_AT_MOST) + 1 }, (_, i) => `t${String(i).padStart(4, '0')}`);
  beforeAll(async () => {
    harness = await startHarness();
    for (let i = 0; i < names.length; i += 100) {
      await Promise.all(names.slice(i, i + 100).map((name) => harness.writeTable(['staging'], name, { fixture: 'TableMetadataUnsupportedVersion.json' })));
    }
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('sends the stored state and says so; a sync then re-lists the source and lands them', async () => {
    const first = await cli(harness, 'sync');
    expect(first.code, show(first)).toBe(1);
    for (let i = 0; i < names.length; i += 100) {
      await Promise.all(names.slice(i, i + 100).map((name) => harness.writeTable(['staging'], name, { fixture: 'TableMetadataV2ValidMinimal.json' })));
    }

    // The source now holds valid files, but a retry this large does not read them: the stored (broken)
    // locations go out again and fail again, one CREATE per table, never two at once.
    const refusedBefore = harness.emulator.stats().notifications['CREATE:400'] ?? 0;
    const retry = await cli(harness, 'retry', '--all-failed');
    expect(retry.code, show(retry)).toBe(1);
    expect((harness.emulator.stats().notifications['CREATE:400'] ?? 0) - refusedBefore).toBe(names.length);
    expect(harness.emulator.stats().concurrentPerTableViolations).toBe(0);
    expect(retry.stdout).toContain(`retrying ${names.length} tables with the state the ledger holds: more than ${REREAD_AT_MOST}, so they are not re-read one by one`);
    // A line each for the first tables not in sync, then the counts and the one reason they share.
    expect(retry.stdout.match(/^failed +lake: staging\.t\d{4} /gm)).toHaveLength(NOT_IN_SYNC_LISTED);
    expect(retry.stdout).toContain(`retried ${names.length} tables: 0 in sync, ${names.length} failed, 0 pending (the first ${NOT_IN_SYNC_LISTED} not in sync are listed above)`);
    expect(retry.stdout).toMatch(new RegExp(String.raw`^  ${names.length} × hint: Polaris read the metadata file but it is not valid Iceberg table metadata .+\n {6}e\.g\. lake: staging\.t\d{4} — Polaris answered 400 `, 'm'));
    expect(retry.stdout).not.toContain('more for other reasons');
    expect(retry.stdout).toMatch(/^`polaris-mirror status --config .+` lists the failed tables with their hints$/m);

    const sync = await cli(harness, 'sync');
    expect(sync.code, show(sync)).toBe(0);
    expect([...harness.polarisState().keys()].filter((key) => key.startsWith('staging.'))).toHaveLength(names.length);
  }, 240_000);
});

describe('check', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await harness.writeTable(['sales'], 'orders');
  });
  afterAll(async () => {
    await harness?.close();
  });
  afterEach(async () => {
    await harness.writeConfig();
  });

  it('everything reachable: exit 0 with a PASS line each', async () => {
    const result = await cli(harness, 'check');
    expect(result.code, show(result)).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.every((l) => l.startsWith('PASS  '))).toBe(true);
    expect(result.stdout).toMatch(/^PASS {2}config: /m);
    expect(result.stdout).toMatch(/^PASS {2}polaris token: /m);
    expect(result.stdout).toMatch(new RegExp(`^PASS  catalog ${CATALOG}: reachable`, 'm'));
    expect(result.stdout).toMatch(/^PASS {2}source lake: /m);
    expect(result.stdout).toMatch(new RegExp(`^PASS  VALIDATE ${CATALOG} ← file://`, 'm'));
    expect(harness.emulator.tables(CATALOG)).toEqual([]);
  });

  it('check --json: ok and one entry per check', async () => {
    const result = await cli(harness, 'check', '--json');
    expect(result.code, show(result)).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c: { what: string }) => c.what)).toEqual([
      'config',
      'polaris token',
      `catalog ${CATALOG}`,
      `catalog ${CATALOG} namespace locations`,
      'source lake',
      expect.stringMatching(/^VALIDATE /),
    ]);
  });

  it('a wrong client secret: exit 1, FAIL polaris token with a hint', async () => {
    await harness.writeConfig((c) => (c.polaris.auth.clientSecret = 'not-the-secret-9f8e7d'));
    const result = await cli(harness, 'check');
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {2}polaris token: .*401/m);
    expect(result.stdout).toMatch(/^FAIL {2}polaris token: .*\n {6}hint: .*clientSecret/m);
    expect(result.stdout + result.stderr).not.toContain('not-the-secret-9f8e7d');
  });

  it('an unknown catalog: exit 1, FAIL for the catalog with a hint to create it', async () => {
    await harness.writeConfig((c) => (c.sources[0].target.catalog = 'no_such_catalog'));
    const result = await cli(harness, 'check');
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/^PASS {2}polaris token/m);
    expect(result.stdout).toMatch(/^FAIL {2}catalog no_such_catalog: .*\n {6}hint: create catalog "no_such_catalog"/m);
  });

  it('a files root that does not exist: exit 1, FAIL for the source with a hint', async () => {
    await harness.writeConfig((c) => (c.sources[0].root = join(harness.dir, 'no-such-dir')));
    const result = await cli(harness, 'check');
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {2}source lake: .*no-such-dir.*does not exist\n {6}hint: \S/m);
  });

  it('Polaris unreachable: exit 1, FAIL polaris token with a hint', async () => {
    const port = await freePort();
    await harness.writeConfig((c) => (c.polaris.uri = `http://127.0.0.1:${port}/api/catalog`));
    const result = await cli(harness, 'check');
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/^FAIL {2}polaris token: .*ECONNREFUSED.*\n {6}hint: check that Polaris is up/m);
  });

  it('a webhook source: a PASS line naming its ingest URL', async () => {
    const port = await freePort();
    await harness.writeConfig((c) => {
      c.server = { host: '127.0.0.1', port };
      c.sources.push({ name: 'hooks', type: 'webhook', token: 'tok-123456', target: { catalog: CATALOG, namespacePrefix: ['hooks'] } });
    });
    const result = await cli(harness, 'check');
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toMatch(/^PASS {2}source hooks: webhook: events arrive at POST \/v1\/sources\/hooks\/events$/m);
    expect(result.stdout).not.toContain('tok-123456');
  });

  it('a root outside the catalog allowedLocations: VALIDATE fails, with a hint naming allowedLocations', async () => {
    const outside = join(harness.dir, 'outside-warehouse');
    await mkdir(outside, { recursive: true });
    await harness.writeConfig((c) => (c.sources[0].root = outside));
    const result = await cli(harness, 'check');
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/^PASS {2}source lake: /m);
    expect(result.stdout).toMatch(new RegExp(`^FAIL  VALIDATE ${CATALOG} ← file://.*outside-warehouse: .*403.*\\n {6}hint: .*allowedLocations`, 'm'));
  });
});

describe('skipped tables', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    await harness.writeTable(['sales'], 'orders');
    await harness.writeTable(['hr'], 'people');
    await mkdir(join(harness.warehouse, 'sales', 'garbled', 'metadata'), { recursive: true });
    await writeFile(join(harness.warehouse, 'sales', 'garbled', 'metadata', '00001-x.metadata.json'), '{ not json');
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('sync counts them by reason (filtered, invalid metadata) and mirrors the rest', async () => {
    await harness.writeConfig((c) => (c.sources[0].exclude = ['hr.*']));
    const result = await cli(harness, 'sync', '--json');
    expect(result.code, show(result)).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ created: 1, failed: [], listed: 3 });
    expect(summary.skipped).toEqual({ filtered: 1, 'invalid-metadata': 1 });
    expect([...harness.polarisState().keys()]).toEqual(['sales.orders']);

    const text = await cli(harness, 'sync');
    expect(text.stdout).toMatch(/^ {2}skipped {4}2 {2}\((?=.*filtered: 1)(?=.*invalid-metadata: 1).*\)$/m);
    const plan = JSON.parse((await cli(harness, 'plan', '--json')).stdout);
    expect(plan.counts).toMatchObject({ skip: 2, unchanged: 1, create: 0 });
    expect(plan.entries.filter((e: { action: string }) => e.action === 'skip').map((e: { table: string }) => e.table).sort()).toEqual(['hr.people', 'sales.garbled']);
  });
});

describe('plan with a root outside the allowed locations', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('lists the create with VALIDATE FAILED and a hint, exit 1, nothing created', async () => {
    const outside = join(harness.dir, 'elsewhere');
    await mkdir(join(outside, 'sales', 'orders', 'metadata'), { recursive: true });
    const tableDir = join(outside, 'sales', 'orders');
    const metadata = relocate(JSON.parse(await readFixture('TableMetadataV2ValidMinimal.json')), dirUri(tableDir));
    await writeFile(join(tableDir, 'metadata', 'v1.metadata.json'), JSON.stringify(metadata));
    await harness.writeConfig((c) => (c.sources[0].root = outside));
    const result = await cli(harness, 'plan');
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/^create\s+lake\s+sales\.orders\s+\S+\s+FAILED\s+Polaris answered 403.*\(hint: .*allowedLocations/m);
    const json = JSON.parse((await cli(harness, 'plan', '--json')).stdout);
    expect(json.entries[0].validate).toEqual({ ok: false, message: expect.stringMatching(/403/), hint: expect.stringMatching(/allowedLocations/) });
    expect(harness.emulator.tables(CATALOG)).toEqual([]);
    expect(existsSync(harness.statePath)).toBe(false);

    const sync = await cli(harness, 'sync');
    expect(sync.code, show(sync)).toBe(1);
    expect(sync.stdout).toMatch(/lake: sales\.orders — Polaris answered 403.*\n\s+hint: .*allowedLocations/);
  });
});

describe('mass-drop brake', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('refuses to drop 3 of 4 tables without --allow-mass-drop, drops them with it', async () => {
    for (const name of ['a', 'b', 'c', 'd']) await harness.writeTable(['mass'], name);
    const first = await cli(harness, 'sync');
    expect(first.code, show(first)).toBe(0);
    expect(harness.polarisState().size).toBe(4);
    for (const name of ['a', 'b', 'c']) await harness.dropTable(['mass'], name);

    const braked = await cli(harness, 'sync');
    expect(braked.code, show(braked)).toBe(1);
    expect(braked.stdout).toContain('maxDropFraction');
    expect(braked.stdout).toContain('--allow-mass-drop');
    expect(braked.stdout).toMatch(/refusing to drop 3 of 4/);
    expect(harness.polarisState().size).toBe(4);
    expect(harness.emulator.stats().notifications.DROP ?? 0).toBe(0);

    const plan = await cli(harness, 'plan', '--json');
    expect(JSON.parse(plan.stdout).counts).toMatchObject({ 'drop-refused': 3, drop: 0, unchanged: 1 });

    // A root that vanished is not "every table dropped": the listing fails and nothing is dropped.
    await harness.writeConfig((c) => (c.sources[0].root = join(harness.dir, 'vanished')));
    const vanished = await cli(harness, 'sync');
    expect(vanished.code, show(vanished)).toBe(1);
    expect(vanished.stdout).toMatch(/the listing of source lake failed, so nothing was dropped: .*vanished.*does not exist/);
    expect(harness.polarisState().size).toBe(4);
    const vanishedAllowed = await cli(harness, 'sync', '--allow-mass-drop');
    expect(vanishedAllowed.code, show(vanishedAllowed)).toBe(1);
    expect(harness.polarisState().size).toBe(4);
    await harness.writeConfig();

    const allowed = await cli(harness, 'sync', '--allow-mass-drop');
    expect(allowed.code, show(allowed)).toBe(0);
    expect(allowed.stdout).toMatch(/^ {2}dropped {4}3$/m);
    expect([...harness.polarisState().keys()]).toEqual(['mass.d']);
  });
});

describe('the sender lease', () => {
  let harness: Harness;
  let daemon: Daemon | undefined;
  beforeAll(async () => {
    harness = await startHarness();
    await harness.writeTable(['sales'], 'orders');
  });
  afterAll(async () => {
    await daemon?.kill();
    await harness?.close();
  });

  it('sync while a run daemon holds the ledger: exit 1, "another polaris-mirror"', async () => {
    const port = await freePort();
    await harness.writeConfig((c) => (c.server = { host: '127.0.0.1', port }));
    daemon = await startDaemon(harness.configFile, port);
    const result = await cli(harness, 'sync');
    expect(result.code, show(result)).toBe(1);
    expect(result.stderr).toContain('another polaris-mirror');
    expect(result.stderr).toContain(`pid ${daemon.child.pid}`);
    // status still reads while the daemon runs.
    const status = await cli(harness, 'status', '--json');
    expect(status.code, show(status)).toBe(0);

    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    // Released on exit: sync works again.
    const after = await cli(harness, 'sync');
    expect(after.code, show(after)).toBe(0);
  });

  it('retry while the daemon runs only marks the table; the daemon re-drives it', async () => {
    const broken = await harness.writeTable(['staging'], 'broken', { fixture: 'TableMetadataUnsupportedVersion.json' });
    const port = await freePort();
    await harness.writeConfig((c) => (c.server = { host: '127.0.0.1', port }));
    daemon = await startDaemon(harness.configFile, port);
    // The daemon tries a failed table again by itself 15–30 s later; on a busy machine the steps below
    // can take longer, and `retry` then finds nothing to retry. As soon as the table has failed, its own
    // retry is put an hour away (in the ledger), so only the `retry` command can bring it back.
    await waitFor('staging.broken failed, its own retry put off', () => putOffOwnRetry(harness.statePath, 'broken'), 60_000, 100);
    const status = JSON.parse((await cli(harness, 'status', '--json')).stdout);
    expect(status.sources[0].failed.map((f: { table: string }) => f.table)).toContain('staging.broken');
    const tableDir = join(harness.warehouse, 'staging', 'broken');
    await writeFile(fileURLToPath(broken), JSON.stringify(relocate(JSON.parse(await readFixture('TableMetadataV2ValidMinimal.json')), dirUri(tableDir))));
    const result = await cli(harness, 'retry', '--table', 'staging.broken');
    expect(result.code, show(result)).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`marked 1 table\\(s\\) for retry; the running run \\(pid ${daemon.child.pid}\\)`));
    await waitFor('staging.broken in Polaris', () => harness.polarisState().get('staging.broken') === broken);
  });

  it('a daemon killed with SIGKILL leaves a dead lease that the next sync takes over', async () => {
    await daemon?.kill();
    const port = await freePort();
    await harness.writeConfig((c) => (c.server = { host: '127.0.0.1', port }));
    daemon = await startDaemon(harness.configFile, port);
    daemon.child.kill('SIGKILL');
    expect((await daemon.exited).signal).toBe('SIGKILL');
    const result = await cli(harness, 'sync');
    expect(result.code, show(result)).toBe(0);
    expect(result.stderr).not.toContain('another polaris-mirror');
  });
});

/** Moves a failed table's next automatic attempt an hour ahead; false until the table has failed. */
function putOffOwnRetry(statePath: string, table: string): boolean {
  const db = new Database(statePath, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const putOff = db.prepare("UPDATE tables SET next_attempt_at = ? WHERE src_name = ? AND status = 'failed'").run(Date.now() + 3_600_000, table);
    return putOff.changes === 1;
  } finally {
    db.close();
  }
}

describe('usage', () => {
  it('an unknown command: exit 2', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });

  it('an unknown option: exit 2', async () => {
    const result = await runCli(['sync', '--frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--frobnicate'");
  });

  it('--help: exit 0 and every command listed', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['run', 'sync', 'plan', 'status', 'check', 'retry', 'demo']) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('sync --help: exit 0 and its options', async () => {
    const result = await runCli(['sync', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--allow-mass-drop');
    expect(result.stdout).toContain('--config');
  });

  it('--version prints the package version', async () => {
    const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('sync --source with an unknown source: exit 2', async () => {
    const harness = await startHarness();
    try {
      const result = await cli(harness, 'sync', '--source', 'nope');
      expect(result.code, show(result)).toBe(2);
      expect(result.stderr).toContain('unknown source "nope"');
    } finally {
      await harness.close();
    }
  });
});
