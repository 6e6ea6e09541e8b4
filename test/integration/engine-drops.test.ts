// Drops and renames: a stale DROP never deletes a newer table, a DROP waits for a fresh absence check,
// a rename is CREATE(new) then DROP(old), a failing or implausible listing drops nothing — on FILE
// storage and on S3. Dropping a files-source table removes its files (a purged drop): Polaris can no
// longer read its metadata (404 on FILE, 400 on S3), and the DROP must still reach it.
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSync } from '../../src/cli/commands/sync.js';
import { findRow, observeAndSettle, openMirror, syncWith } from '../support/engine.js';
import { CATALOG, CLIENT_ID, ENGINE_CASES, startHarness, type Harness } from '../support/harness.js';

let h: Harness;

describe.each(ENGINE_CASES)('on $storage storage, $ledger ledger', ({ storage, ledger }) => {
  beforeEach(async () => {
    h = await startHarness({ storage, ledger });
  });
  afterEach(async () => {
    await h.close();
  });

  describe('drops through a listing source (files)', () => {
    it('a dropped table is dropped in Polaris; one re-created under the same name comes back as a new table', async () => {
      for (const name of ['a', 'b', 'c', 'd', 'e']) await h.writeTable(['ns'], name);
      await syncWith(h);
      await h.dropTable(['ns'], 'a');
      const dropped = await syncWith(h);
      expect(dropped.summary).toMatchObject({ converged: true, dropped: 1 });
      expect([...h.polarisState().keys()].sort()).toEqual(['ns.b', 'ns.c', 'ns.d', 'ns.e']);

      const recreated = await h.writeTable(['ns'], 'a');
      const again = await syncWith(h);
      expect(again.summary).toMatchObject({ converged: true, created: 1 });
      expect(h.polarisState().get('ns.a')).toBe(recreated);
      // Timestamps kept rising across the drop even though Polaris forgot the table's.
      const accepted = h.emulator.history(CATALOG, ['ns'], 'a').filter((e) => e.status === 204 && e.type !== 'VALIDATE');
      expect(accepted.map((e) => e.type)).toEqual(['CREATE', 'DROP', 'CREATE']);
      expect(accepted[2]!.timestamp).toBeGreaterThan(accepted[1]!.timestamp);
    });

    it('a re-created table whose CREATE Polaris applied but never answered, then dropped in the source: dropped in Polaris too', async () => {
      // Other tables, so that dropping one is not a mass drop the brake questions.
      for (const name of ['a', 'b', 'c', 'd', 'e']) await h.writeTable(['ns'], name);
      await syncWith(h);
      await h.dropTable(['ns'], 'a');
      expect((await syncWith(h)).summary).toMatchObject({ converged: true, dropped: 1 });

      // Re-created; Polaris applies its CREATE but the answer comes after the client gave up, and the
      // sync makes no second attempt: the ledger cannot know whether Polaris holds the table.
      const recreated = await h.writeTable(['ns'], 'a');
      await h.writeConfig((c) => {
        c.polaris.requestTimeoutMs = 300;
        c.polaris.retry = { maxAttempts: 1, baseDelayMs: 20, maxDelayMs: 100 };
      });
      h.emulator.failNext(1, { status: 204, slowMs: 60_000, kinds: ['notification'] });
      expect((await syncWith(h)).summary).toMatchObject({ converged: false });
      expect(h.polarisState().get('ns.a')).toBe(recreated);

      // Dropped in the source again: the sync must find out what Polaris holds, and drop it.
      await h.writeConfig();
      await h.dropTable(['ns'], 'a');
      const { summary, rows } = await syncWith(h);
      expect(summary).toMatchObject({ converged: true, dropped: 1 });
      expect(findRow(rows, 'ns.a')).toMatchObject({ status: 'in_sync', applied: { state: 'absent' } });
      expect(h.polarisState().has('ns.a')).toBe(false);
    });

    it('a purged drop: Polaris cannot read the dropped table\'s metadata any more, and the DROP still reaches it', async () => {
      for (const name of ['a', 'b', 'c', 'd', 'e']) await h.writeTable(['ns'], name);
      const location = (await syncWith(h), h.polarisState().get('ns.a')!);
      await h.dropTable(['ns'], 'a'); // DROP TABLE … PURGE: the metadata files go with it
      const loaded = await fetch(`${h.emulator.url}/v1/${CATALOG}/namespaces/ns/tables/a`, { headers: { authorization: `Bearer ${h.emulator.issueToken(CLIENT_ID)}` } });
      // What the connector's read-back before the DROP sees: Polaris holds the table but cannot load it.
      expect(loaded.status).toBe(storage === 's3' ? 400 : 404);
      expect(((await loaded.json()) as { error: { type: string; message: string } }).error).toMatchObject({
        type: 'NotFoundException',
        message: storage === 's3' ? `Location does not exist: ${location}` : expect.stringMatching(/^Failed to open input stream for file: /),
      });
      const { summary } = await syncWith(h);
      expect(summary).toMatchObject({ converged: true, dropped: 1 });
      expect(h.polarisState().has('ns.a')).toBe(false);
      // The tables of ns share one VALIDATE of their directory, sent by whichever converged first.
      const calls = (name: string) => h.emulator.history(CATALOG, ['ns'], name).map((e) => `${e.type}:${e.status}`);
      expect(calls('a').filter((c) => !c.startsWith('VALIDATE'))).toEqual(['CREATE:204', 'DROP:204']);
      expect(['a', 'b', 'c', 'd', 'e'].flatMap(calls).filter((c) => c.startsWith('VALIDATE'))).toEqual(['VALIDATE:204']);
    });

    it('a table re-created between the listing and the DROP is not dropped (the source is re-read first)', async () => {
      for (const name of ['a', 'b', 'c', 'd', 'e']) await h.writeTable(['ns'], name);
      await syncWith(h);
      await h.dropTable(['ns'], 'a');
      const mirror = openMirror(h);
      try {
        const lake = mirror.sources.get('lake')!;
        await mirror.reconciler.pass({ adapter: lake.adapter, sink: lake.sink, maxDropFraction: 0.25 });
        expect(findRow((await mirror.ledger.rowsOfSource('lake')), 'ns.a')).toMatchObject({ desired: { state: 'absent' }, status: 'pending' });
        const back = await h.writeTable(['ns'], 'a');
        await mirror.createDispatcher().runUntilSettled();
        expect(h.polarisState().get('ns.a')).toBe(back);
        expect(h.emulator.history(CATALOG, ['ns'], 'a').map((e) => e.type)).not.toContain('DROP');
      } finally {
        await mirror.close();
      }
    });

    it('a CREATE Polaris applied just before a crash (outcome never recorded) is still dropped when the source drops the table', async () => {
      for (const name of ['a', 'b', 'c', 'd', 'e']) await h.writeTable(['ns'], name);
      await syncWith(h);
      await h.writeTable(['ns'], 'fresh');
      const mirror = openMirror(h);
      try {
        const lake = mirror.sources.get('lake')!;
        await mirror.reconciler.pass({ adapter: lake.adapter, sink: lake.sink, maxDropFraction: 0.5 });
        const row = findRow((await mirror.ledger.rowsOfSource('lake')), 'ns.fresh')!;
        // The CREATE goes out and Polaris applies it; the process "dies" before recording the outcome.
        const attempt = await mirror.converger.converge(row);
        expect(attempt.action).toBe('create');
        expect(h.polarisState().has('ns.fresh')).toBe(true);
        expect((await mirror.ledger.get(row.id))).toMatchObject({ applied: { state: null }, sentLocation: row.desired.metadataLocation });
      } finally {
        await mirror.close();
      }
      // Then the table is dropped at the source, files and all: Polaris can no longer read it back.
      await h.dropTable(['ns'], 'fresh');
      const { summary } = await syncWith(h);
      expect(summary).toMatchObject({ converged: true, dropped: 1 });
      expect(h.polarisState().has('ns.fresh')).toBe(false);
    });

    it('a rename is CREATE(new name) first, then DROP(old name)', async () => {
      for (const name of ['orders', 'b', 'c', 'd', 'e']) await h.writeTable(['sales'], name);
      await syncWith(h);
      const uuidHolder = findRow((await syncWith(h)).rows, 'sales.orders')!.desired.tableUuid!;
      await rename(join(h.warehouse, 'sales', 'orders'), join(h.warehouse, 'sales', 'orders_v2'));
      await rm(join(h.warehouse, 'sales', 'orders_v2', 'metadata'), { recursive: true });
      await h.writeTable(['sales'], 'orders_v2', { uuid: uuidHolder });
      const { summary } = await syncWith(h);
      expect(summary).toMatchObject({ converged: true, created: 1, dropped: 1 });
      const created = h.emulator.history(CATALOG, ['sales'], 'orders_v2').find((e) => e.type === 'CREATE' && e.status === 204)!;
      const dropped = h.emulator.history(CATALOG, ['sales'], 'orders').find((e) => e.type === 'DROP' && e.status === 204)!;
      expect(created.at).toBeLessThanOrEqual(dropped.at);
      expect([...h.polarisState().keys()].sort()).toEqual(['sales.b', 'sales.c', 'sales.d', 'sales.e', 'sales.orders_v2']);
    });

    it('a rename whose new name Polaris refuses keeps the old name, fails it with the reason, and sync still finishes', async () => {
      for (const name of ['orders', 'b', 'c', 'd', 'e']) await h.writeTable(['sales'], name);
      const uuid = findRow((await syncWith(h)).rows, 'sales.orders')!.desired.tableUuid!;
      await h.dropTable(['sales'], 'orders');
      await h.writeTable(['sales'], 'orders_v2', { uuid, fixture: 'TableMetadataUnsupportedVersion.json' });
      const { summary, rows } = await syncWith(h);
      expect(summary.converged).toBe(false);
      expect(findRow(rows, 'sales.orders_v2')).toMatchObject({ status: 'failed' });
      expect(findRow(rows, 'sales.orders')).toMatchObject({ status: 'failed' });
      expect(findRow(rows, 'sales.orders')!.lastError).toMatch(/renamed to sales\.orders_v2, which failed to be created/);
      expect(h.polarisState().has('sales.orders')).toBe(true);
    });

    it('a table another writer changed in Polaris is not dropped; the operator is told why', async () => {
      for (const name of ['a', 'b', 'c', 'd', 'e']) await h.writeTable(['ns'], name);
      await syncWith(h);
      const foreign = await h.writeTable(['elsewhere'], 'a', { uuid: '11111111-2222-3333-4444-555555555555' });
      const response = await fetch(`${h.emulator.url}/v1/${CATALOG}/namespaces/ns/tables/a/notifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.emulator.issueToken(CLIENT_ID)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ 'notification-type': 'UPDATE', payload: { 'table-name': 'a', timestamp: Date.now() + 86_400_000, 'table-uuid': 'x', 'metadata-location': foreign } }),
      });
      expect(response.status).toBe(204);
      await h.dropTable(['ns'], 'a');
      const { summary, rows } = await syncWith(h);
      expect(summary.converged).toBe(false);
      expect(findRow(rows, 'ns.a')).toMatchObject({ status: 'failed' });
      expect(findRow(rows, 'ns.a')!.lastError).toMatch(/not dropped: .*another writer changed it/);
      expect(h.polarisState().get('ns.a')).toBe(foreign);
    });

    it('a listing that fails half-way drops nothing', async () => {
      for (const name of ['a', 'b', 'c']) await h.writeTable(['ns'], name);
      await syncWith(h);
      await rm(h.warehouse, { recursive: true });
      const { summary } = await syncWith(h);
      expect(summary.converged).toBe(false);
      expect(summary.passes[0]).toMatchObject({ complete: false });
      expect(summary.passes[0]!.error).toMatch(/nothing was dropped/);
      expect(h.polarisState().size).toBe(3);
    });

    it('the mass-drop brake refuses to drop more than maxDropFraction, unless --allow-mass-drop', async () => {
      for (const name of ['a', 'b', 'c', 'd']) await h.writeTable(['ns'], name);
      await syncWith(h);
      for (const name of ['a', 'b']) await h.dropTable(['ns'], name);
      const refused = await syncWith(h);
      expect(refused.summary.converged).toBe(false);
      expect(refused.summary.passes[0]!.dropsRefused).toBe(2);
      expect(refused.summary.passes[0]!.error).toMatch(/refusing to drop 2 of 4 mirrored tables \(50% > maxDropFraction 25%\)/);
      expect(h.polarisState().size).toBe(4);
      const allowed = await syncWith(h, { allowMassDrop: true });
      expect(allowed.summary).toMatchObject({ converged: true, dropped: 2 });
      expect([...h.polarisState().keys()].sort()).toEqual(['ns.c', 'ns.d']);
    });
  });

  describe('drops through the HTTP ingest (trusted, but ordered)', () => {
    beforeEach(async () => {
      await h.writeConfig((c) => {
        c.server = { host: '127.0.0.1', port: 0 };
        c.sources = [{ name: 'hooks', type: 'webhook', token: 'ingest-token', target: { catalog: CATALOG } }];
      });
    });

    it('a late DROP older than the table\'s latest update is ignored: it never deletes the newer table', async () => {
      const v2 = await h.writeTable(['sales'], 'orders');
      const mirror = openMirror(h);
      try {
        const table = { namespace: ['sales'], name: 'orders' };
        await observeAndSettle(mirror, 'hooks', [{ table, state: 'present', metadataLocation: v2, order: 2_000, sourceTimeMs: 2_000 }]);
        await observeAndSettle(mirror, 'hooks', [{ table, state: 'absent', confirmed: true, order: 1_000, sourceTimeMs: 1_000 }]);
        expect(h.polarisState().get('sales.orders')).toBe(v2);
        expect(h.emulator.history(CATALOG, ['sales'], 'orders').map((e) => e.type)).not.toContain('DROP');
      } finally {
        await mirror.close();
      }
    });

    it('a late CREATE older than a DROP never resurrects the table', async () => {
      const v1 = await h.writeTable(['sales'], 'orders');
      const mirror = openMirror(h);
      try {
        const table = { namespace: ['sales'], name: 'orders' };
        await observeAndSettle(mirror, 'hooks', [{ table, state: 'present', metadataLocation: v1, order: 1_000, sourceTimeMs: 1_000 }]);
        await observeAndSettle(mirror, 'hooks', [{ table, state: 'absent', confirmed: true, order: 3_000, sourceTimeMs: 3_000 }]);
        expect(h.polarisState().has('sales.orders')).toBe(false);
        await observeAndSettle(mirror, 'hooks', [{ table, state: 'present', metadataLocation: v1, order: 2_000, sourceTimeMs: 2_000 }]);
        expect(h.polarisState().has('sales.orders')).toBe(false);
      } finally {
        await mirror.close();
      }
    });

    it('a purged drop through the ingest (files deleted with the table) reaches Polaris', async () => {
      const v1 = await h.writeTable(['sales'], 'orders');
      const mirror = openMirror(h);
      try {
        const table = { namespace: ['sales'], name: 'orders' };
        await observeAndSettle(mirror, 'hooks', [{ table, state: 'present', metadataLocation: v1, order: 1_000, sourceTimeMs: 1_000 }]);
        expect(h.polarisState().get('sales.orders')).toBe(v1);
        await h.dropTable(['sales'], 'orders');
        await observeAndSettle(mirror, 'hooks', [{ table, state: 'absent', confirmed: true, order: 2_000, sourceTimeMs: 2_000 }]);
        expect(h.polarisState().has('sales.orders')).toBe(false);
        expect(findRow((await mirror.ledger.rowsOfSource('hooks')), 'sales.orders')).toMatchObject({ status: 'in_sync', applied: { state: 'absent' } });
      } finally {
        await mirror.close();
      }
    });

    it('a drop of a table this connector never mirrored sends nothing', async () => {
      const mirror = openMirror(h);
      try {
        await observeAndSettle(mirror, 'hooks', [{ table: { namespace: ['x'], name: 'y' }, state: 'absent', confirmed: true, order: 1, sourceTimeMs: 1 }]);
        const summary = await runSync(mirror, { progress: false });
        expect(summary).toMatchObject({ converged: true, dropped: 0 });
        expect(h.emulator.stats().notifications).toEqual({});
        expect(h.emulator.stats().byKind.loadTable ?? 0).toBe(0);
      } finally {
        await mirror.close();
      }
    });
  });
});
