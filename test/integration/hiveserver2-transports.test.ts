// The hiveserver2 source over each transport and security set-up, against the HiveServer2 emulator:
// HTTP with Basic, TLS with a private CA (binary and HTTPS), a refused login, an untrusted certificate,
// and names that try to break out of their quotes.
import { beforeAll, afterEach, describe, expect, it } from 'vitest';
import { HiveServer2Source } from '../../adapters/hiveserver2/hiveserver2-source.js';
import { hiveServer2SourceSchema } from '../../adapters/hiveserver2/config.js';
import { Hs2Catalog } from '../../adapters/hiveserver2/hs2-catalog.js';
import { Hs2Client } from '../../adapters/hiveserver2/hs2-client.js';
import { Hs2Error } from '../../adapters/hiveserver2/hs2-errors.js';
import { startHiveServer2Emulator, type HiveServer2Emulator } from '../emulators/hiveserver2/index.js';
import { startHs2Kit, type Hs2Kit } from '../emulators/hiveserver2/test-kit.js';
import type { RunningMirror } from '../emulators/hive/test-kit.js';
import { makePrivateCa, type PrivateCa } from '../support/private-ca.js';
import { waitFor } from '../support/ingest-client.js';
import { adapterContext, collect } from '../unit/rest-support.js';

let ca: PrivateCa;
let otherCa: PrivateCa;
let kit: Hs2Kit | undefined;
let running: RunningMirror | undefined;
let emulator: HiveServer2Emulator | undefined;

beforeAll(async () => {
  ca = await makePrivateCa();
  otherCa = await makePrivateCa('some other CA');
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await kit?.close();
  kit = undefined;
  await emulator?.close();
  emulator = undefined;
});

function source(server: HiveServer2Emulator, extra: Record<string, unknown>) {
  const config = hiveServer2SourceSchema.parse({ name: 'hs2', type: 'hiveserver2', host: server.host, port: server.port, target: { catalog: 'c' }, connectTimeoutMs: 2000, statementTimeoutMs: 5000, ...extra });
  const context = adapterContext();
  return { source: new HiveServer2Source(config, context), context };
}

describe('hiveserver2 transports', () => {
  it('HTTP transport with Basic authentication and TLS (private CA): listing and the change log', async () => {
    kit = await startHs2Kit({ hs2: { transport: 'http', auth: 'plain', users: { svc: 'svc-secret' }, httpPath: 'gateway/hive', tls: { cert: ca.cert, key: ca.key } } });
    await kit.configureHs2({ transport: 'http', httpPath: 'gateway/hive', auth: { type: 'plain', username: 'svc', password: 'svc-secret' }, tls: { caFile: ca.caFile } });
    const orders = await kit.createIceberg('sales', 'orders');
    running = await kit.start();
    await kit.waitForPolaris('sales.orders', orders);
    const orders2 = await kit.commit('sales', 'orders');
    await kit.waitForPolaris('sales.orders', orders2);
    await waitFor('the cursor at the head', async () => (await running!.mirror.ledger.cursor('hs2')) === String(kit!.metastore.currentEventId));
  });

  it('binary transport with TLS: trusted with caFile, refused with a clear error for another CA', async () => {
    emulator = await startHiveServer2Emulator({ auth: 'plain', users: { svc: 'pw' }, tls: { cert: ca.cert, key: ca.key } });
    emulator.metastore.createDatabase('sales');
    emulator.metastore.createIcebergTable('sales', 'orders', { metadataLocation: 'file:///wh/sales/orders/metadata/00001-a.metadata.json' });
    const auth = { type: 'plain', username: 'svc', password: 'pw' };
    const trusted = source(emulator, { auth, tls: { caFile: ca.caFile } }).source;
    const items = await collect(trusted.list(new AbortController().signal));
    expect(items).toMatchObject([{ kind: 'observation', observation: { table: { namespace: ['sales'], name: 'orders' }, metadataLocation: 'file:///wh/sales/orders/metadata/00001-a.metadata.json' } }]);
    const check = await trusted.check();
    expect(check).toMatchObject({ ok: true, sampleLocations: ['file:///wh/sales/orders/metadata/00001-a.metadata.json'] });
    expect(check.detail).toMatch(/binary, SASL PLAIN, TLS\): connected and authenticated, 2 database\(s\) visible; change log: sys\.notification_log readable, at event 2/);
    await trusted.close();

    const untrusted = source(emulator, { auth, tls: { caFile: otherCa.caFile } }).source;
    const refused = await untrusted.check();
    expect(refused.ok).toBe(false);
    expect(refused.detail).toMatch(/connection failed: TLS with HiveServer2 at 127\.0\.0\.1:\d+ failed/);
    expect(refused.hint).toMatch(/tls\.caFile/);
    await untrusted.close();
  });

  it('a wrong password: check says authentication failed with a hint, and never shows the password', async () => {
    emulator = await startHiveServer2Emulator({ auth: 'plain', users: { svc: 'pw' } });
    for (const transport of ['binary', 'http'] as const) {
      if (transport === 'http') {
        await emulator.close();
        emulator = await startHiveServer2Emulator({ transport: 'http', auth: 'plain', users: { svc: 'pw' } });
      }
      const { source: wrong } = source(emulator, { transport, auth: { type: 'plain', username: 'svc', password: 'not-the-password' } });
      const check = await wrong.check();
      expect(check.ok).toBe(false);
      expect(check.detail).toMatch(/authentication failed: HiveServer2 at 127\.0\.0\.1:\d+ refused/);
      expect(check.hint).toMatch(/auth\.username and auth\.password/);
      expect(JSON.stringify(check)).not.toContain('not-the-password');
      await expect(collect(wrong.list(new AbortController().signal))).rejects.toMatchObject({ kind: 'authentication' });
      await wrong.close();
    }
    expect(emulator.authFailures).toBeGreaterThan(0);
  });

  it('a NOSASL client against a SASL server, and a closed port: connection errors with hints, within the timeouts', async () => {
    emulator = await startHiveServer2Emulator({ auth: 'plain', users: { svc: 'pw' } });
    const { source: nosasl } = source(emulator, { connectTimeoutMs: 500, statementTimeoutMs: 1000 });
    const check = await nosasl.check();
    expect(check.ok).toBe(false);
    expect(check.hint).toBeTruthy();
    await nosasl.close();
    const port = emulator.port;
    await emulator.close();
    emulator = undefined;
    const closed = source({ host: '127.0.0.1', port } as HiveServer2Emulator, {}).source;
    const refused = await closed.check();
    expect(refused).toMatchObject({ ok: false, detail: expect.stringMatching(/connection failed: cannot reach HiveServer2/) });
    await closed.close();
  });

  it('hostile names are only names: backquotes are doubled, and the right table is read', async () => {
    emulator = await startHiveServer2Emulator();
    // Hive keeps names in lower case (the emulator folds them, as Hive does).
    const db = 'we`ird; drop database x; --';
    const table = 'o`rders` from y --';
    emulator.metastore.createDatabase(db);
    emulator.metastore.createIcebergTable(db, table, { metadataLocation: 'file:///wh/weird/metadata/00001-a.metadata.json' });
    const client = new Hs2Client({ host: emulator.host, port: emulator.port, transport: 'binary', httpPath: 'cliservice', auth: { type: 'none' }, tls: undefined, connectTimeoutMs: 2000, statementTimeoutMs: 5000, maxReplyBytes: 1 << 20, maxRows: 100, sessions: 1 });
    const catalog = new Hs2Catalog(client);
    try {
      expect(await catalog.tables(db)).toEqual([table]);
      const read = await catalog.table(db, table);
      expect(read?.parameters.get('metadata_location')).toBe('file:///wh/weird/metadata/00001-a.metadata.json');
      expect(emulator.stats.statements).toContain('SHOW TBLPROPERTIES `we``ird; drop database x; --`.`o``rders`` from y --`');
      expect(await catalog.table(db, 'missing')).toBeUndefined();
      await expect(catalog.table(db, 'bad\u0000name')).rejects.toThrow(/not a Hive identifier/);
    } finally {
      await client.close();
    }
  });

  it('a reply larger than maxReplyBytes fails the statement instead of being buffered', async () => {
    emulator = await startHiveServer2Emulator();
    emulator.metastore.createDatabase('big');
    for (let i = 0; i < 300; i++) emulator.metastore.createTable('big', `table_with_a_rather_long_name_${String(i).padStart(4, '0')}_${'x'.repeat(200)}`);
    const client = new Hs2Client({ host: emulator.host, port: emulator.port, transport: 'binary', httpPath: 'cliservice', auth: { type: 'none' }, tls: undefined, connectTimeoutMs: 2000, statementTimeoutMs: 5000, maxReplyBytes: 64 * 1024, maxRows: 10_000, sessions: 1 });
    try {
      const failure = await new Hs2Catalog(client).tables('big').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Hs2Error);
      expect((failure as Hs2Error).message).toMatch(/larger than maxReplyBytes \(65536 bytes\)/);
    } finally {
      await client.close();
    }
  });
});
