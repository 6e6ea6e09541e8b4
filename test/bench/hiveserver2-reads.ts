// Benchmark: the hiveserver2 source's reads through hive-driver against the HiveServer2 emulator (in
// this process, so client and server share the CPU). A listing of 2,000 Iceberg tables in 20 databases
// (one SHOW TBLPROPERTIES per table) with 1 and with 4 sessions, and sys.notification_log read in pages
// of 500 (20,000 CREATE_TABLE/ALTER_TABLE events, json-0.2). Measured: wall time and rates.
import { performance } from 'node:perf_hooks';
import { hiveServer2SourceSchema } from '../../adapters/hiveserver2/config.js';
import { HiveServer2Source } from '../../adapters/hiveserver2/hiveserver2-source.js';
import { Hs2Catalog } from '../../adapters/hiveserver2/hs2-catalog.js';
import { Hs2Client } from '../../adapters/hiveserver2/hs2-client.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { Redactor } from '../../src/telemetry/redactor.js';
import { startHiveServer2Emulator } from '../emulators/hiveserver2/index.js';

export interface Hs2ReadsResult {
  tables: number;
  listing: Array<{ sessions: number; seconds: number; tablesPerSecond: number; statements: number }>;
  events: number;
  batchSize: number;
  logSeconds: number;
  eventsPerSecond: number;
}

export async function benchHiveServer2Reads(options: { tables?: number; events?: number; batchSize?: number } = {}): Promise<Hs2ReadsResult> {
  const { tables = 2_000, events = 20_000, batchSize = 500 } = options;
  const hs2 = await startHiveServer2Emulator({ metastoreOptions: { version: '3', messageFormat: 'json-0.2' } });
  try {
    const metastore = hs2.metastore;
    for (let n = 0; n < 20; n++) metastore.createDatabase(`ns${n}`);
    for (let i = 0; i < tables; i++) metastore.createIcebergTable(`ns${i % 20}`, `t${i}`, { metadataLocation: `file:///wh/ns${i % 20}/t${i}/metadata/00001-a.metadata.json` });
    const listing: Hs2ReadsResult['listing'] = [];
    for (const sessions of [1, 4]) {
      const config = hiveServer2SourceSchema.parse({ name: 'bench', type: 'hiveserver2', host: hs2.host, port: hs2.port, sessions, target: { catalog: 'c' } });
      const source = new HiveServer2Source(config, { logger: createLogger({ level: 'silent', redactor: new Redactor(), readable: false }), metrics: new Metrics(), redactor: new Redactor() });
      const before = hs2.stats.statements.length;
      const start = performance.now();
      let observed = 0;
      for await (const item of source.list(new AbortController().signal)) if (item.kind === 'observation') observed++;
      const seconds = (performance.now() - start) / 1000;
      await source.close();
      if (observed !== tables) throw new Error(`listed ${observed} of ${tables} tables`);
      listing.push({ sessions, seconds, tablesPerSecond: tables / seconds, statements: hs2.stats.statements.length - before });
    }
    // Commits on the tables fill the log up to `events` (the creates count too).
    for (let i = metastore.eventsAfter(0n, 0).length; i < events; i++) metastore.commitIceberg(`ns${i % 20}`, `t${i % tables}`, `file:///wh/ns${i % 20}/t${i % tables}/metadata/0000${i}-b.metadata.json`);
    const client = new Hs2Client({ host: hs2.host, port: hs2.port, transport: 'binary', httpPath: 'cliservice', auth: { type: 'none' }, tls: undefined, connectTimeoutMs: 10_000, statementTimeoutMs: 60_000, maxReplyBytes: 256 * 1024 * 1024, maxRows: 1_000_000, sessions: 1 });
    const catalog = new Hs2Catalog(client);
    const start = performance.now();
    let cursor = 0n;
    let read = 0;
    for (;;) {
      const page = await catalog.nextNotifications(cursor, batchSize);
      if (page.length === 0) break;
      read += page.length;
      cursor = page.at(-1)!.eventId;
    }
    const logSeconds = (performance.now() - start) / 1000;
    await client.close();
    return { tables, listing, events: read, batchSize, logSeconds, eventsPerSecond: read / logSeconds };
  } finally {
    await hs2.close();
  }
}
