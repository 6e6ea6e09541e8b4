// The connector through its real engine against the emulator answering as Polaris 1.7 on object
// storage: one test per row of polaris.md's "Exact answers that matter on object storage and in 1.7" —
// what reaches Polaris, what the ledger records (failed at once, or retried), and the hint an operator
// reads. Tables live in the warehouse bucket s3://lake/warehouse unless a row is about FILE storage.
import { afterEach, describe, expect, it } from 'vitest';
import { runSync } from '../../src/cli/commands/sync.js';
import type { PolarisEmulatorOptions, StorageFault } from '../emulators/polaris/types.js';
import { findRow, observeAndSettle, openMirror, syncWith } from '../support/engine.js';
import { CATALOG, CLIENT_ID, runCli, startHarness, type Harness, type HarnessStorage } from '../support/harness.js';
import { freePort, startDaemon, waitFor } from '../support/ingest-client.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(storage: HarnessStorage = 's3', emulator: PolarisEmulatorOptions = {}): Promise<Harness> {
  h = await startHarness({ storage, emulator });
  return h;
}

/** Re-drives the failed tables in-process (as `polaris-mirror retry --all-failed` does). */
async function retryFailed(harness: Harness): Promise<void> {
  const mirror = openMirror(harness);
  try {
    const ids = (await mirror.ledger.redrive({ allFailed: true }));
    await mirror.createDispatcher({ onlyIds: new Set(ids) }).runUntilSettled();
  } finally {
    await mirror.close();
  }
}

/** A webhook source `hooks` next to the files source, for rows that need a location the files source would not send. */
async function withHooks(harness: Harness, catalog = CATALOG): Promise<void> {
  await harness.writeConfig((c) => {
    c.server = { host: '127.0.0.1', port: 0 };
    c.sources.push({ name: 'hooks', type: 'webhook', token: 'ingest-token', target: { catalog, namespacePrefix: ['hooks'] } });
  });
}

describe('a metadata object Polaris cannot read', () => {
  it('S3, missing on CREATE: 400 NotFoundException → failed, the hint says the file is gone from object storage', async () => {
    const hh = await harness('s3');
    await withHooks(hh);
    const mirror = openMirror(hh);
    try {
      const location = `${hh.tableLocation(['gone'], 't')}/metadata/00001-x.metadata.json`;
      await observeAndSettle(mirror, 'hooks', [{ table: { namespace: ['gone'], name: 't' }, state: 'present', metadataLocation: location, order: 1, sourceTimeMs: 1 }]);
      const row = findRow((await mirror.ledger.rowsOfSource('hooks')), 'gone.t')!;
      expect(row).toMatchObject({ status: 'failed', lastError: `Polaris answered 400 NotFoundException: Location does not exist: ${location}` });
      expect(row.lastHint).toMatch(/could not find the metadata file in object storage/);
    } finally {
      await mirror.close();
    }
  });

  it.each<HarnessStorage>(['s3', 'file'])('%s, purged at the source: the read-back before the DROP sees 400/404 NotFoundException, and the DROP is sent', async (storage) => {
    const hh = await harness(storage);
    for (const name of ['a', 'b', 'c', 'd']) await hh.writeTable(['ns'], name);
    await syncWith(hh);
    await hh.dropTable(['ns'], 'a');
    const { summary } = await syncWith(hh);
    expect(summary).toMatchObject({ converged: true, dropped: 1 });
    const loads = hh.emulator.stats().byStatus;
    expect(loads[storage === 's3' ? '400' : '404']).toBeGreaterThanOrEqual(1);
    expect(hh.polarisState().has('ns.a')).toBe(false);
  });

  it('storage access denied (403 S3Exception): failed with a storage-role hint, never "grant CATALOG_MANAGE_CONTENT"; lands once allowed', async () => {
    const hh = await harness('s3');
    const v1 = await hh.writeTable(['sales'], 'orders');
    hh.emulator.storageFault(hh.tableLocation(['sales'], 'orders'), 'access-denied');
    const { rows } = await syncWith(hh);
    const row = findRow(rows, 'sales.orders')!;
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.lastError).toMatch(/^Polaris answered 403 S3Exception: Access Denied/);
    expect(row.lastHint).toMatch(/storage credentials for catalog "lake_mirror"/);
    expect(row.lastHint).not.toMatch(/CATALOG_MANAGE_CONTENT/);
    hh.emulator.storageFault(hh.tableLocation(['sales'], 'orders'), undefined);
    await retryFailed(hh);
    expect(hh.polarisState().get('sales.orders')).toBe(v1);
  });

  it('the storage role cannot be assumed (500 StsException): failed at once, not retried as "Polaris is failing"', async () => {
    const hh = await harness('s3');
    await hh.writeTable(['sales'], 'orders');
    hh.emulator.denyStorageRole(CATALOG);
    const { rows, summary } = await syncWith(hh);
    expect(summary.converged).toBe(false);
    const row = findRow(rows, 'sales.orders')!;
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.lastError).toMatch(/^Polaris answered 500 StsException: .*sts:AssumeRole/);
    expect(row.lastHint).toMatch(/cannot assume the storage role of catalog "lake_mirror" \(STS\)/);
    expect(summary.retries).toBe(0);
  });

  it.each<[StorageFault, number]>([
    ['server-error', 502],
    ['timeout', 408],
    ['throttled', 429],
  ])('a cloud %s while Polaris reads (%i) is transient: retried until the object store recovers, then the table lands', async (fault, status) => {
    const hh = await harness('s3');
    await hh.writeConfig((c) => (c.polaris.retry = { maxAttempts: 50, baseDelayMs: 20, maxDelayMs: 100 }));
    const v1 = await hh.writeTable(['sales'], 'orders');
    const prefix = hh.tableLocation(['sales'], 'orders');
    hh.emulator.storageFault(prefix, fault);
    const mirror = openMirror(hh);
    try {
      const syncing = runSync(mirror, { progress: false });
      await waitFor(`a ${status} from Polaris`, () => hh.emulator.history(CATALOG, ['sales'], 'orders').some((e) => e.status === status));
      hh.emulator.storageFault(prefix, undefined);
      const summary = await syncing;
      expect(summary).toMatchObject({ converged: true, created: 1 });
      expect(summary.retries).toBeGreaterThanOrEqual(1);
    } finally {
      await mirror.close();
    }
    expect(hh.polarisState().get('sales.orders')).toBe(v1);
  });

  it('a cloud 3xx while Polaris reads (422: another region or endpoint) fails at once with a region hint', async () => {
    const hh = await harness('s3');
    await hh.writeTable(['sales'], 'orders');
    hh.emulator.storageFault(hh.warehouseUri, 'redirect');
    const { rows } = await syncWith(hh);
    expect(findRow(rows, 'sales.orders')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(findRow(rows, 'sales.orders')!.lastHint).toMatch(/region\/endpoint of catalog "lake_mirror"'s storage configuration/);
  });

  it('an object that is not JSON (503 RuntimeIOException) fails at once; not Iceberg (400 IllegalArgumentException) fails with Iceberg\'s text', async () => {
    const hh = await harness('s3');
    await withHooks(hh);
    const garbage = `${hh.tableLocation(['x'], 'garbage')}/metadata/v1.metadata.json`;
    const notIceberg = `${hh.tableLocation(['x'], 'odd')}/metadata/v1.metadata.json`;
    await hh.writeObject(garbage, 'PAR1\u0000 a parquet file, not JSON');
    await hh.writeObject(notIceberg, JSON.stringify({ 'format-version': 9 }));
    const mirror = openMirror(hh);
    try {
      await observeAndSettle(mirror, 'hooks', [
        { table: { namespace: ['x'], name: 'garbage' }, state: 'present', metadataLocation: garbage, order: 1, sourceTimeMs: 1 },
        { table: { namespace: ['x'], name: 'odd' }, state: 'present', metadataLocation: notIceberg, order: 1, sourceTimeMs: 1 },
      ]);
      const rows = (await mirror.ledger.rowsOfSource('hooks'));
      expect(findRow(rows, 'x.garbage')).toMatchObject({ status: 'failed', attempts: 1, lastError: `Polaris answered 503 RuntimeIOException: Failed to read file: ${garbage}` });
      expect(findRow(rows, 'x.odd')).toMatchObject({ status: 'failed', attempts: 1, lastError: 'Polaris answered 400 IllegalArgumentException: Cannot read unsupported version 9' });
      expect(findRow(rows, 'x.odd')!.lastHint).toMatch(/not valid Iceberg table metadata/);
    } finally {
      await mirror.close();
    }
  });
});

describe('catalog configuration that Polaris 1.7 refuses', () => {
  it('default-base-location not one of the allowed locations: the new namespace is refused, failed with the fix; after the fix the table lands', async () => {
    const hh = await harness('s3');
    hh.emulator.updateCatalog(CATALOG, { defaultBaseLocation: 's3://lake/warehouse/base' });
    const v1 = await hh.writeTable(['sales'], 'orders');
    const { rows } = await syncWith(hh);
    const row = findRow(rows, 'sales.orders')!;
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.lastError).toBe(
      'Polaris answered 400 IllegalArgumentException: Namespace sales has a custom location, which is not enabled. Expected a location in: [s3://lake/warehouse/sales/]. Got location: s3://lake/warehouse/base/sales/]',
    );
    expect(row.lastHint).toMatch(/set default-base-location to one of the allowedLocations, or set the catalog property polaris\.config\.namespace-custom-location\.enabled=true/);
    expect(hh.emulator.namespaces(CATALOG)).toEqual([]);

    hh.emulator.updateCatalog(CATALOG, { defaultBaseLocation: 's3://lake/warehouse' });
    await retryFailed(hh);
    expect(hh.polarisState().get('sales.orders')).toBe(v1);
  });

  it('check reports the trap before any table fails', async () => {
    const hh = await harness('s3');
    hh.emulator.updateCatalog(CATALOG, { defaultBaseLocation: 's3://lake/warehouse/base' });
    await hh.writeTable(['sales'], 'orders');
    const result = await runCli(['check', '--config', hh.configFile]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(
      /^FAIL {2}catalog lake_mirror namespace locations: its default-base-location s3:\/\/lake\/warehouse\/base is not one of its allowedLocations \[s3:\/\/lake\/warehouse\]/m,
    );
    expect(result.stdout).toMatch(/hint: set catalog "lake_mirror"'s default-base-location to one of its allowedLocations, or set its property polaris\.config\.namespace-custom-location\.enabled=true/);
    // VALIDATE itself still passes: it creates no namespace.
    expect(result.stdout).toMatch(/^PASS {2}VALIDATE lake_mirror ← s3:\/\/lake\/warehouse: /m);
  });

  it('a metadata file outside its table location: failed with the catalog property to set; with it set the table lands', async () => {
    const hh = await harness('s3');
    await withHooks(hh);
    const table = await hh.writeTable(['data'], 't');
    const elsewhere = `${hh.tableLocation(['shared'], 'metadata')}/00001-a.metadata.json`;
    await hh.writeObject(elsewhere, JSON.stringify(await readJson(hh, table)));
    const mirror = openMirror(hh);
    try {
      await observeAndSettle(mirror, 'hooks', [{ table: { namespace: ['data'], name: 't' }, state: 'present', metadataLocation: elsewhere, order: 1, sourceTimeMs: 1 }]);
      const row = findRow((await mirror.ledger.rowsOfSource('hooks')), 'data.t')!;
      expect(row.lastError).toBe(`Polaris answered 400 BadRequestException: Metadata location ${elsewhere} is not allowed outside of table location ${hh.tableLocation(['data'], 't')}`);
      expect(row.lastHint).toMatch(/polaris\.config\.allow\.external\.metadata\.file\.location=true on catalog "lake_mirror"/);
    } finally {
      await mirror.close();
    }
    hh.emulator.updateCatalog(CATALOG, { properties: { 'polaris.config.allow.external.metadata.file.location': 'true' } });
    await retryFailed(hh);
    expect(hh.emulator.tables(CATALOG).find((t) => t.name === 't')?.metadataLocation).toBe(elsewhere);
  });

  it('a location the metadata names outside the allowed locations: one 403, and the hint names that location', async () => {
    const hh = await harness('s3');
    const location = await hh.writeTable(['sales'], 'orders');
    const metadata = await readJson(hh, location);
    metadata['properties'] = { 'write.data.path': 's3://other-bucket/orders/data' };
    await hh.writeObject(location, JSON.stringify(metadata));
    const { rows } = await syncWith(hh);
    const row = findRow(rows, 'sales.orders')!;
    expect(row.lastError).toMatch(
      /^Polaris answered 403 ForbiddenException: Invalid locations '\[s3:\/\/lake\/warehouse\/sales\/orders, s3:\/\/other-bucket\/orders\/data\]' for identifier 'sales\.orders': s3:\/\/other-bucket\/orders\/data is not in the list of allowed locations: \[s3:\/\/lake\/warehouse\]$/,
    );
    expect(row.lastHint).toMatch(/^add "s3:\/\/other-bucket\/orders\/data" \(or a parent\) to the allowedLocations of catalog "lake_mirror"/);
  });

  it("a catalog that does not exist: the notification's 404 NoSuchNamespaceException is told apart through /v1/config", async () => {
    const hh = await harness('s3');
    await hh.writeConfig((c) => (c.sources[0].target.catalog = 'missing_catalog'));
    await hh.writeTable(['sales'], 'orders');
    const before = hh.emulator.stats().byKind.config ?? 0;
    const { rows } = await syncWith(hh);
    const row = findRow(rows, 'sales.orders')!;
    expect(row.lastError).toBe("Polaris answered 404 NoSuchNamespaceException: Namespace does not exist: ''");
    expect(row.lastHint).toBe('create catalog "missing_catalog" in Polaris (type EXTERNAL) or fix target.catalog');
    expect((hh.emulator.stats().byKind.config ?? 0) - before).toBeGreaterThanOrEqual(2); // the prefix lookup, then the look that tells
  });

  it('a DROP into a catalog that does not exist: loadTable answers NoSuchTableException, so nothing is sent and nothing fails', async () => {
    const hh = await harness('s3');
    await withHooks(hh, 'ghost');
    const location = await hh.writeTable(['sales'], 'orders');
    const mirror = openMirror(hh);
    try {
      const table = { namespace: ['sales'], name: 'orders' };
      await observeAndSettle(mirror, 'hooks', [{ table, state: 'present', metadataLocation: location, order: 1, sourceTimeMs: 1 }]);
      expect(findRow((await mirror.ledger.rowsOfSource('hooks')), 'sales.orders')).toMatchObject({ status: 'failed' });
      await observeAndSettle(mirror, 'hooks', [{ table, state: 'absent', confirmed: true, order: 2, sourceTimeMs: 2 }]);
      expect(findRow((await mirror.ledger.rowsOfSource('hooks')), 'sales.orders')).toMatchObject({ status: 'in_sync', applied: { state: 'absent' } });
      expect(hh.emulator.stats().notifications['DROP:204'] ?? 0).toBe(0);
    } finally {
      await mirror.close();
    }
  });
});

describe('another kind of entity holds the name', () => {
  it.each([
    ['a view', 'createView', 'View already exists: sales.orders', /a view of that name exists/],
    ['a generic table', 'createGenericTable', 'Generic table already exists: sales.orders', /a generic table of that name exists/],
  ] as const)('%s: 409 AlreadyExistsException fails at once (no retry at full speed), with what to do', async (_what, create, message, hint) => {
    const hh = await harness('s3');
    await hh.writeTable(['sales'], 'orders');
    hh.emulator[create](CATALOG, ['sales'], 'orders');
    const { rows, summary } = await syncWith(hh);
    expect(summary.retries).toBe(0);
    expect(findRow(rows, 'sales.orders')).toMatchObject({ status: 'failed', attempts: 1, lastError: `Polaris answered 409 AlreadyExistsException: ${message}` });
    expect(findRow(rows, 'sales.orders')!.lastHint).toMatch(hint);
  });
});

describe('identity and rate limits', () => {
  it('an external identity provider (token endpoint 501): sync exits 1 at once with the fix and sends nothing; check fails at once', async () => {
    const hh = await harness('s3', { authentication: 'external' });
    await hh.writeTable(['sales'], 'orders');
    const sync = await runCli(['sync', '--config', hh.configFile, '--no-progress']);
    expect(sync.code, sync.stdout + sync.stderr).toBe(1);
    expect(sync.stderr).toMatch(/^error: the token endpoint .*\/v1\/oauth\/tokens answered 501: this Polaris uses an external identity provider/m);
    expect(sync.stderr).toMatch(/hint: set polaris\.auth\.tokenUri to the identity provider's token endpoint/);
    expect(hh.emulator.stats().notifications).toEqual({});
    expect(hh.emulator.stats().byKind.token).toBe(1);

    const check = await runCli(['check', '--config', hh.configFile]);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^FAIL {2}polaris token: .*501.*external identity provider/m);
    expect(check.stdout).toMatch(/^FAIL {2}catalog lake_mirror: not checked: no Polaris token/m);
    expect(hh.emulator.stats().byKind.token).toBe(2);

    // With a token from the identity provider (a static token here), the same Polaris takes the table.
    await hh.writeConfig((c) => (c.polaris.auth = { token: hh.emulator.issueToken(CLIENT_ID) }));
    expect((await syncWith(hh)).summary).toMatchObject({ converged: true, created: 1 });
  });

  it('an external identity provider under run: an error naming the fix is logged, /readyz says so, tables fail with the hint (no blind retries)', async () => {
    const hh = await harness('s3', { authentication: 'external' });
    await hh.writeTable(['sales'], 'orders');
    const port = await freePort();
    await hh.writeConfig((c) => {
      c.server = { host: '127.0.0.1', port };
      c.polaris.probeIntervalSeconds = 1;
    });
    const daemon = await startDaemon(hh.configFile, port);
    try {
      await waitFor('the error in the log', () => /no Polaris token, nothing can be mirrored: .*answered 501/.test(daemon.output().stderr));
      expect(daemon.output().stderr).toMatch(/set polaris\.auth\.tokenUri to the identity provider's token endpoint/);
      const ready = await fetch(`${daemon.baseUrl}/readyz`);
      expect(ready.status).toBe(503);
      const status = await waitFor('the table failed in status', async () => {
        const result = await runCli(['status', '--config', hh.configFile, '--json']);
        const failed = JSON.parse(result.stdout).sources[0].failed as Array<{ table: string; attempts: number; hint: string }>;
        return failed.find((f) => f.table === 'sales.orders');
      });
      expect(status.attempts).toBe(1);
      expect(status.hint).toMatch(/polaris\.auth\.tokenUri/);
      // The token endpoint is asked again now and then, never once per table at full speed.
      expect(hh.emulator.stats().byKind.token ?? 0).toBeLessThan(20);
      expect(hh.emulator.stats().notifications).toEqual({});
    } finally {
      await daemon.kill();
    }
  });

  it('a token scope naming a role the principal does not hold: Polaris issues the token, refuses every call (401), and the hint says why', async () => {
    const hh = await harness('s3');
    await hh.writeConfig((c) => (c.polaris.auth.scope = 'PRINCIPAL_ROLE:not_mine'));
    await hh.writeTable(['sales'], 'orders');
    const { rows } = await syncWith(hh);
    const row = findRow(rows, 'sales.orders')!;
    expect(row).toMatchObject({ status: 'failed' });
    expect(row.lastError).toMatch(/^Polaris answered 401 NotAuthorizedException/);
    expect(row.lastHint).toMatch(/token scope "PRINCIPAL_ROLE:not_mine" \(polaris\.auth\.scope\) names a principal role the principal does not hold/);
    expect(hh.emulator.stats().tokensIssued).toBeGreaterThanOrEqual(2); // renewed once, refused again
  });

  it("Polaris's rate limiter (429 without Retry-After): retried with the connector's own backoff until every table lands", async () => {
    const hh = await harness('s3', { rateLimit: { requestsPerSecond: 20, burst: 5 } });
    await hh.writeConfig((c) => (c.polaris.retry = { maxAttempts: 50, baseDelayMs: 20, maxDelayMs: 300 }));
    for (let i = 0; i < 12; i++) await hh.writeTable(['sales'], `t${i}`);
    const { summary } = await syncWith(hh);
    expect(summary).toMatchObject({ converged: true, created: 12 });
    expect(hh.emulator.stats().byStatus['429']).toBeGreaterThanOrEqual(1);
    expect(summary.retries).toBeGreaterThanOrEqual(1);
  });
});

async function readJson(hh: Harness, location: string): Promise<Record<string, unknown>> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(hh.pathOf(location), 'utf8')) as Record<string, unknown>;
}
