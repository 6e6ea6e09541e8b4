// The HiveServer2 emulator, driven by hive-driver (the client the source uses): sessions, statements,
// operation status, columnar row sets, errors, on each transport and authentication.
import hive from 'hive-driver';
import { afterEach, describe, expect, it } from 'vitest';
import { startHiveServer2Emulator, type HiveServer2Emulator } from '../emulators/hiveserver2/index.js';

const { TCLIService, TCLIService_types } = hive.thrift;
let emulator: HiveServer2Emulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function connect(server: HiveServer2Emulator, how: 'nosasl' | 'plain' | 'http', user = 'svc', password = 'pw') {
  const client = new hive.HiveClient(TCLIService, TCLIService_types);
  if (how === 'http') {
    await client.connect({ host: server.host, port: server.port, options: { path: '/cliservice' } }, new hive.connections.HttpConnection(), new hive.auth.PlainHttpAuthentication({ username: user, password }));
  } else if (how === 'plain') {
    await client.connect({ host: server.host, port: server.port }, new hive.connections.TcpConnection(), new hive.auth.PlainTcpAuthentication({ username: user, password }));
  } else {
    const thrift = (await import('thrift')).default;
    await client.connect({ host: server.host, port: server.port, options: { transport: thrift.TBufferedTransport } }, new hive.connections.TcpConnection(), new hive.auth.NoSaslAuthentication());
  }
  return client;
}

async function query(client: InstanceType<typeof hive.HiveClient>, sql: string): Promise<Array<Record<string, unknown>>> {
  const session = await client.openSession({ client_protocol: TCLIService_types.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 });
  try {
    const operation = await session.executeStatement(sql, { runAsync: true });
    const utils = new hive.HiveUtils(TCLIService_types);
    await utils.waitUntilReady(operation, false, () => undefined);
    await utils.fetchAll(operation);
    await operation.close();
    return utils.getResult(operation).getValue() as Array<Record<string, unknown>>;
  } finally {
    await session.close();
  }
}

describe('HiveServer2 emulator', () => {
  for (const how of ['nosasl', 'plain', 'http'] as const) {
    it(`answers SHOW DATABASES, SHOW TABLES, SHOW TBLPROPERTIES and the notification log (${how})`, async () => {
      emulator = await startHiveServer2Emulator({ transport: how === 'http' ? 'http' : 'binary', auth: how === 'nosasl' ? 'none' : 'plain', users: { svc: 'pw' } });
      emulator.setRunningPolls(2);
      const metastore = emulator.metastore;
      metastore.createDatabase('sales');
      metastore.createIcebergTable('sales', 'orders', { metadataLocation: 'file:///wh/sales/orders/metadata/00001-a.metadata.json', uuid: 'u-1' });
      metastore.createTable('sales', 'legacy');
      const client = await connect(emulator, how);
      try {
        expect((await query(client, 'SHOW DATABASES')).map((r) => r.database_name)).toEqual(['default', 'sales', 'sys']);
        expect((await query(client, 'SHOW TABLES IN `sales`')).map((r) => r.tab_name)).toEqual(['legacy', 'orders']);
        const properties = Object.fromEntries((await query(client, 'SHOW TBLPROPERTIES `sales`.`orders`')).map((r) => [r.prpt_name, r.prpt_value]));
        expect(properties).toMatchObject({ table_type: 'ICEBERG', metadata_location: 'file:///wh/sales/orders/metadata/00001-a.metadata.json', uuid: 'u-1' });
        const events = await query(client, 'SELECT event_id, event_type, db_name, tbl_name FROM sys.notification_log WHERE event_id > 1 ORDER BY event_id LIMIT 10');
        expect(events).toEqual([
          { event_id: 2, event_type: 'CREATE_TABLE', db_name: 'sales', tbl_name: 'orders' },
          { event_id: 3, event_type: 'CREATE_TABLE', db_name: 'sales', tbl_name: 'legacy' },
        ]);
        expect(await query(client, 'SELECT max(event_id) FROM sys.notification_log')).toEqual([{ _c0: 3 }]);
      } finally {
        client.close();
      }
      expect(emulator.stats.openSessions.size).toBe(0);
      expect(emulator.stats.openOperations.size).toBe(0);
    });
  }

  it('answers errors with Hive\'s codes: unknown table, denied log, unknown statement', async () => {
    emulator = await startHiveServer2Emulator({ auth: 'plain', users: { svc: 'pw' } });
    const client = await connect(emulator, 'plain');
    try {
      await expect(query(client, 'SHOW TBLPROPERTIES `default`.`nope`')).rejects.toMatchObject({ code: 10001, message: expect.stringContaining('Table not found default.nope') });
      emulator.deny('sys.notification_log', true);
      await expect(query(client, 'SELECT max(event_id) FROM sys.notification_log')).rejects.toMatchObject({ message: expect.stringContaining('HiveAccessControlException') });
      emulator.setSysDatabase(false);
      await expect(query(client, 'SELECT max(event_id) FROM sys.notification_log')).rejects.toMatchObject({ code: 10001 });
      await expect(query(client, 'DROP TABLE x')).rejects.toMatchObject({ message: expect.stringContaining('ParseException') });
    } finally {
      client.close();
    }
  });

  it('refuses a wrong password: SASL BAD on the binary transport, 401 over HTTP', async () => {
    emulator = await startHiveServer2Emulator({ auth: 'plain', users: { svc: 'pw' } });
    await expect(connect(emulator, 'plain', 'svc', 'wrong')).rejects.toThrow(/Error validating the login/);
    await emulator.close();
    emulator = await startHiveServer2Emulator({ transport: 'http', auth: 'plain', users: { svc: 'pw' } });
    const client = await connect(emulator, 'http', 'svc', 'wrong');
    try {
      // hive-driver reports an HTTP failure as an 'error' event of the client; the call itself never settles.
      const failure = new Promise<unknown>((resolve) => client.once('error', resolve));
      void client.openSession({ client_protocol: TCLIService_types.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 }).catch(() => undefined);
      expect(await failure).toMatchObject({ statusCode: 401 });
    } finally {
      client.close();
    }
    expect(emulator.authFailures).toBe(1);
  });
});
