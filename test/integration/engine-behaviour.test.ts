// The connector's answer to every row of Polaris's behaviour table (polaris.md), through the real engine
// and HTTP client against the emulator: what ends up in Polaris, in the ledger, and what the operator sees
// — on FILE storage and on S3 (where Polaris answers some rows differently).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogSpec } from '../emulators/polaris/types.js';
import { openMirror, syncWith, findRow, observeAndSettle } from '../support/engine.js';
import { CATALOG, CLIENT_ID, ENGINE_CASES, startHarness, type Harness } from '../support/harness.js';

let h: Harness;

/** Points the files source at another catalog, with a principal that manages only that catalog. */
async function mirrorInto(catalog: CatalogSpec): Promise<void> {
  h.emulator.createCatalog(catalog);
  const clientId = `client-${catalog.name}`;
  h.emulator.createPrincipal({ clientId, clientSecret: `secret-${catalog.name}`, roles: { r: { [catalog.name]: ['CATALOG_MANAGE_CONTENT'] } } });
  await h.writeConfig((c) => {
    c.polaris.auth = { clientId, clientSecret: `secret-${catalog.name}` };
    c.sources[0].target.catalog = catalog.name;
  });
}

/** Another notifier writing the same Polaris table (e.g. a second connector), bypassing our ledger. */
async function otherWriter(namespace: string[], name: string, location: string, timestamp: number): Promise<number> {
  const path = `${h.emulator.url}/v1/${CATALOG}/namespaces/${encodeURIComponent(namespace.join('\u001f'))}/tables/${encodeURIComponent(name)}/notifications`;
  const response = await fetch(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.emulator.issueToken(CLIENT_ID)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ 'notification-type': 'UPDATE', payload: { 'table-name': name, timestamp, 'table-uuid': 'x', 'metadata-location': location } }),
  });
  return response.status;
}

describe.each(ENGINE_CASES)('on $storage storage, $ledger ledger', ({ storage, ledger }) => {
  beforeEach(async () => {
    h = await startHarness({ storage, ledger });
  });
  afterEach(async () => {
    await h.close();
  });

  describe('CREATE/UPDATE', () => {
    it('validates first, creates missing namespaces and tables, then updates with rising timestamps', async () => {
      const v1 = await h.writeTable(['sales', 'eu'], 'orders', { lastUpdatedMs: 1_000 });
      const first = await syncWith(h);
      expect(first.summary).toMatchObject({ converged: true, created: 1, updated: 0 });
      expect(h.polarisState().get('sales.eu.orders')).toBe(v1);
      expect(h.emulator.namespaces(CATALOG)).toEqual(expect.arrayContaining([['sales'], ['sales', 'eu']]));

      // The source clock goes backwards: the timestamp still rises (max(source, last + 1)).
      const v2 = await h.writeTable(['sales', 'eu'], 'orders', { lastUpdatedMs: 500 });
      const second = await syncWith(h);
      expect(second.summary).toMatchObject({ converged: true, created: 0, updated: 1 });
      expect(h.polarisState().get('sales.eu.orders')).toBe(v2);
      const history = h.emulator.history(CATALOG, ['sales', 'eu'], 'orders');
      // VALIDATE once per table location (cached in the ledger), then CREATE, then UPDATE.
      expect(history.map((e) => [e.type, e.status])).toEqual([
        ['VALIDATE', 204],
        ['CREATE', 204],
        ['UPDATE', 204],
      ]);
      expect(history[1]!.timestamp).toBe(1_000);
      expect(history[2]!.timestamp).toBe(1_001);
    });

    it('409 newer timestamp with the same metadata location (a resend after a crash) counts as applied', async () => {
      const v1 = await h.writeTable(['sales'], 'orders');
      expect(await otherWriter(['sales'], 'orders', v1, Date.now() + 60_000)).toBe(204);
      const { summary, rows } = await syncWith(h);
      expect(summary.converged).toBe(true);
      expect(findRow(rows, 'sales.orders')).toMatchObject({ status: 'in_sync', applied: { state: 'present', metadataLocation: v1 } });
      expect(h.emulator.history(CATALOG, ['sales'], 'orders').filter((e) => e.status === 409)).toHaveLength(1);
    });

    it('409 newer timestamp with another location: resends once with max(now, last + 1)', async () => {
      const old = await h.writeTable(['sales'], 'orders', { lastUpdatedMs: 1_000 });
      const current = await h.writeTable(['sales'], 'orders', { lastUpdatedMs: 2_000 });
      // Polaris holds an older file of the table with a timestamp above the source's (clock skew, lost ledger).
      expect(await otherWriter(['sales'], 'orders', old, 5_000)).toBe(204);
      const before = Date.now();
      const { summary, rows } = await syncWith(h);
      expect(summary.converged).toBe(true);
      expect(h.polarisState().get('sales.orders')).toBe(current);
      const accepted = h.emulator.history(CATALOG, ['sales'], 'orders').filter((e) => e.type !== 'VALIDATE' && e.status === 204);
      expect(accepted.at(-1)!.timestamp).toBeGreaterThanOrEqual(before);
      expect(findRow(rows, 'sales.orders')!.lastTimestamp).toBe(accepted.at(-1)!.timestamp);
    });

    it('409 again after the resend: failed, "another writer owns this table", with a hint', async () => {
      const mine = await h.writeTable(['sales'], 'orders');
      const theirs = await h.writeTable(['other'], 'orders');
      expect(await otherWriter(['sales'], 'orders', theirs, Date.now() + 86_400_000)).toBe(204);
      const { summary, rows } = await syncWith(h);
      expect(summary.converged).toBe(false);
      const failed = findRow(rows, 'sales.orders')!;
      expect(failed.status).toBe('failed');
      expect(failed.lastError).toMatch(/another writer owns this table/);
      expect(failed.lastHint).toMatch(/retry --table sales\.orders/);
      expect(h.polarisState().get('sales.orders')).toBe(theirs);
      expect(mine).not.toBe(theirs);
    });

    it('409 CommitConflictException (a concurrent update) is retried with backoff and lands', async () => {
      const v1 = await h.writeTable(['sales'], 'orders');
      h.emulator.failNext(2, {
        status: 409,
        body: { error: { message: 'Table sales.orders was concurrently modified', type: 'CommitConflictException', code: 409 } },
        kinds: ['notification'],
      });
      const { summary } = await syncWith(h);
      expect(summary).toMatchObject({ converged: true, created: 1 });
      expect(summary.retries).toBeGreaterThanOrEqual(2);
      expect(h.polarisState().get('sales.orders')).toBe(v1);
    });

    it('409 "View already exists" fails at once (not a race) with Polaris\'s message and a hint', async () => {
      await h.writeTable(['sales'], 'orders');
      h.emulator.createView(CATALOG, ['sales'], 'orders');
      const { summary, rows } = await syncWith(h);
      expect(summary.converged).toBe(false);
      expect(findRow(rows, 'sales.orders')).toMatchObject({ status: 'failed', attempts: 1 });
      expect(findRow(rows, 'sales.orders')!.lastError).toBe('Polaris answered 409 AlreadyExistsException: View already exists: sales.orders');
      expect(findRow(rows, 'sales.orders')!.lastHint).toMatch(/a view of that name exists in catalog "lake_mirror"/);
    });

    it('403 outside the allowed locations on VALIDATE: failed, nothing created, the hint names the location', async () => {
      await mirrorInto({ name: 'narrow', allowedLocations: ['file:///nowhere'] });
      await h.writeTable(['sales'], 'orders');
      const { rows } = await syncWith(h);
      const failed = findRow(rows, 'sales.orders')!;
      expect(failed.status).toBe('failed');
      expect(failed.lastError).toMatch(/^Polaris answered 403/);
      expect(failed.lastHint).toContain(`"${h.tableLocation(['sales'], 'orders')}"`);
      expect(failed.lastHint).toContain('allowedLocations of catalog "narrow"');
      expect(h.emulator.tables('narrow')).toEqual([]);
    });

    it('403 when a path inside the metadata is outside the allowed locations (VALIDATE passed)', async () => {
      await h.writeTable(['sales'], 'orders');
      const dir = join(h.warehouse, 'sales', 'orders', 'metadata');
      const { readdir, readFile } = await import('node:fs/promises');
      const file = join(dir, (await readdir(dir))[0]!);
      const metadata = JSON.parse(await readFile(file, 'utf8'));
      metadata.properties = { 'write.data.path': 's3://elsewhere/data' };
      await writeFile(file, JSON.stringify(metadata));
      const { rows } = await syncWith(h);
      expect(findRow(rows, 'sales.orders')).toMatchObject({ status: 'failed' });
      expect(findRow(rows, 'sales.orders')!.lastError).toMatch(/403.*Invalid locations/);
      expect(h.emulator.history(CATALOG, ['sales'], 'orders').map((e) => `${e.type}:${e.status}`)).toEqual(['VALIDATE:204', 'CREATE:403']);
    });

    it('403 without privileges: failed with a grant hint', async () => {
      h.emulator.createPrincipal({ clientId: 'weak', clientSecret: 'weak-secret', roles: { r: { [CATALOG]: ['TABLE_CREATE', 'TABLE_WRITE_PROPERTIES'] } } });
      await h.writeConfig((c) => (c.polaris.auth = { clientId: 'weak', clientSecret: 'weak-secret' }));
      await h.writeTable(['sales'], 'orders');
      const { rows } = await syncWith(h);
      expect(findRow(rows, 'sales.orders')!.lastHint).toMatch(/grant CATALOG_MANAGE_CONTENT .*TABLE_DROP.*on catalog "lake_mirror"/);
    });

    it('404 unknown catalog: failed with "create catalog" hint', async () => {
      await h.writeConfig((c) => (c.sources[0].target.catalog = 'missing_catalog'));
      await h.writeTable(['sales'], 'orders');
      const { rows } = await syncWith(h);
      expect(findRow(rows, 'sales.orders')).toMatchObject({ status: 'failed' });
      expect(findRow(rows, 'sales.orders')!.lastHint).toMatch(/create catalog "missing_catalog" in Polaris \(type EXTERNAL\)/);
    });

    it('400 INTERNAL catalog: failed, the hint says notifications need an EXTERNAL catalog', async () => {
      await mirrorInto({ name: 'managed', type: 'INTERNAL', allowedLocations: [h.warehouseUri] });
      await h.writeTable(['sales'], 'orders');
      const { rows } = await syncWith(h);
      expect(findRow(rows, 'sales.orders')!.lastError).toMatch(/400.*internal catalog/i);
      expect(findRow(rows, 'sales.orders')!.lastHint).toMatch(/EXTERNAL catalog/);
    });

    it('400 no storage config on VALIDATE: failed with a storage hint', async () => {
      await mirrorInto({ name: 'bare', allowedLocations: [h.warehouseUri], storageConfigured: false });
      await h.writeTable(['sales'], 'orders');
      const { rows } = await syncWith(h);
      expect(findRow(rows, 'sales.orders')!.lastHint).toMatch(/no storage configuration/);
    });

    it('204 from a federated catalog is taken at its word (Polaris ignores it; `check` cannot tell)', async () => {
      await mirrorInto({ name: 'fed', allowedLocations: [h.warehouseUri], federated: true });
      await h.writeTable(['sales'], 'orders');
      const { summary } = await syncWith(h);
      expect(summary.converged).toBe(true);
      expect(h.emulator.tables('fed')).toEqual([]);
    });

    it('a metadata file Polaris cannot find (404 on FILE, 400 on S3) or cannot parse (503): failed, with the reason', async () => {
      await h.writeConfig((c) => {
        c.server = { host: '127.0.0.1', port: 0 };
        c.polaris.retry = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 };
        c.sources.push({ name: 'hooks', type: 'webhook', token: 'ingest-token', target: { catalog: CATALOG, namespacePrefix: ['hooks'] } });
      });
      const garbage = `${h.tableLocation([], 'garbage')}/metadata/v1.metadata.json`;
      await h.writeObject(garbage, '{ not json');
      const mirror = openMirror(h);
      try {
        const at = Date.now();
        await observeAndSettle(mirror, 'hooks', [
          { table: { namespace: ['a'], name: 'missing' }, state: 'present', metadataLocation: `${h.tableLocation([], 'nope')}/metadata/v1.metadata.json`, order: at, sourceTimeMs: at },
          { table: { namespace: ['a'], name: 'garbage' }, state: 'present', metadataLocation: garbage, order: at, sourceTimeMs: at },
        ]);
        const rows = (await mirror.ledger.rowsOfSource('hooks'));
        expect(findRow(rows, 'a.missing')).toMatchObject({ status: 'failed' });
        expect(findRow(rows, 'a.missing')!.lastError).toMatch(storage === 's3' ? /^Polaris answered 400 NotFoundException: Location does not exist: / : /^Polaris answered 404/);
        expect(findRow(rows, 'a.missing')!.lastHint).toMatch(/could not (read|find) the metadata file/);
        // 503 RuntimeIOException: the file is not JSON — permanent, so failed at once (not retried at full speed).
        expect(findRow(rows, 'a.garbage'), JSON.stringify(findRow(rows, 'a.garbage'))).toMatchObject({ status: 'failed', attempts: 1 });
        expect(findRow(rows, 'a.garbage')!.lastError).toMatch(/^Polaris answered 503 RuntimeIOException: Failed to read file: /);
        expect(findRow(rows, 'a.garbage')!.lastHint).toMatch(/it is not JSON/);
      } finally {
        await mirror.close();
      }
    });
  });

  describe('transient trouble', () => {
    it('429 with Retry-After, 500, 503 and connection resets are retried until the table lands', async () => {
      const v1 = await h.writeTable(['sales'], 'orders');
      const kinds: ['notification'] = ['notification'];
      h.emulator.failNext(1, { status: 429, headers: { 'retry-after': '0' }, body: { error: { message: 'slow down', type: 'RateLimited', code: 429 } }, kinds });
      h.emulator.failNext(1, { status: 500, kinds });
      h.emulator.failNext(1, { status: 503, kinds });
      h.emulator.failNext(1, { status: 0, reset: true, kinds });
      const { summary } = await syncWith(h);
      expect(summary).toMatchObject({ converged: true, created: 1 });
      expect(summary.retries).toBe(4);
      expect(h.polarisState().get('sales.orders')).toBe(v1);
    });

    it('honours Retry-After (up to retry.maxDelayMs): the retry waits at least that long', async () => {
      await h.writeConfig((c) => (c.polaris.retry = { baseDelayMs: 20, maxDelayMs: 5_000 }));
      await h.writeTable(['sales'], 'orders');
      h.emulator.failNext(1, { status: 429, headers: { 'retry-after': '1' }, kinds: ['notification'] });
      const started = Date.now();
      const { summary } = await syncWith(h);
      expect(summary.converged).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    });

    it('a response slower than the client timeout is retried; the late-applied first attempt reconciles as the same location', async () => {
      await h.writeConfig((c) => (c.polaris.requestTimeoutMs = 300));
      const v1 = await h.writeTable(['sales'], 'orders');
      // Skip past VALIDATE, then make the CREATE slow: Polaris applies it but answers too late.
      h.emulator.setFaults({ rateSlow: 1, slowMs: 1_000 });
      const mirror = openMirror(h);
      try {
        const { runSync } = await import('../../src/cli/commands/sync.js');
        setTimeout(() => h.emulator.setFaults({}), 350);
        const summary = await runSync(mirror, { progress: false });
        expect(summary.converged).toBe(true);
        expect(h.polarisState().get('sales.orders')).toBe(v1);
      } finally {
        await mirror.close();
      }
    });

    it('an expired token is renewed once (401) and the request repeated', async () => {
      await h.writeTable(['sales'], 'orders');
      await syncWith(h);
      const tokensBefore = h.emulator.stats().tokensIssued;
      const mirror = openMirror(h);
      try {
        await mirror.client.catalogConfig(CATALOG); // obtains a token
        h.emulator.expireAllTokens();
        const v2 = await h.writeTable(['sales'], 'orders');
        const { runSync } = await import('../../src/cli/commands/sync.js');
        const summary = await runSync(mirror, { progress: false });
        expect(summary).toMatchObject({ converged: true, updated: 1 });
        expect(h.polarisState().get('sales.orders')).toBe(v2);
        expect(h.emulator.stats().tokensIssued - tokensBefore).toBe(2);
      } finally {
        await mirror.close();
      }
    });

    it('a wrong client secret fails every table with a credentials hint, and Polaris is not touched', async () => {
      await h.writeConfig((c) => (c.polaris.auth.clientSecret = 'wrong-secret'));
      await h.writeTable(['sales'], 'orders');
      const { rows, summary } = await syncWith(h);
      expect(summary.converged).toBe(false);
      expect(findRow(rows, 'sales.orders')!.lastHint).toMatch(/clientId and clientSecret/);
      expect(h.emulator.stats().notifications).toEqual({});
    });
  });
});
