// Runs the Glue + SQS emulator in its own process for the Glue benchmark, with its lake populated:
//   node dist/test/emulators/glue/cli.js '{"polarisControl":"http://127.0.0.1:P/_emulator","root":"s3://bench/warehouse","queue":"glue-changes","tables":100000,"databases":20}'
// Metadata files go to the Polaris emulator (another process) through polarisControl. Prints one JSON
// line {"url":"…","control":"…","queueUrl":"…"} once the lake is populated, then serves until SIGTERM.
// The control server (its own port) lets the benchmark drive the lake without sharing its memory:
//   GET /calls, POST /reset-calls           Glue calls by "Operation:outcome"
//   GET /tables                             {"tables":N}
//   POST /commit {"database","table"}       a commit (new metadata file in Polaris, UpdateTable), then
//                                           its EventBridge event sent to the queue; answers
//                                           {"location","at"}: `at` is when the message became visible.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { benchDatabaseOf, ForwardingObjectStore } from './bench-lake.js';
import { glueEvents } from './eventbridge.js';
import { runEmulatorCli } from '../emulator-cli.js';
import { startGlueEmulator } from './index.js';
import { GlueLake } from './lake.js';

interface CliConfig {
  polarisControl: string;
  root: string;
  queue: string;
  tables: number;
  databases: number;
}

/** Metadata files per POST to the Polaris emulator (~1 KB each). */
const FLUSH_EVERY = 1000;
const MAX_CONTROL_BODY = 64 * 1024;

runEmulatorCli('glue emulator', async (raw) => {
  const config = raw as CliConfig;
  const glue = await startGlueEmulator();
  const store = new ForwardingObjectStore(config.polarisControl);
  const lake = await GlueLake.create(glue.catalog, store, config.root);
  for (let i = 0; i < config.tables; i++) {
    lake.commit(benchDatabaseOf(i, config.databases), `t${i}`);
    if (store.pendingCount >= FLUSH_EVERY) await store.flush();
  }
  await store.flush();
  const queueUrl = glue.sqs.createQueue({ name: config.queue, visibilityTimeoutSeconds: 30 });

  const commit = async (database: string, table: string): Promise<{ location: string; at: number }> => {
    // The metadata file is readable in Polaris before Glue points at it: the start-up pass may list the
    // table at any moment.
    const location = await lake.commitAfter(() => store.flush(), database, table);
    // The message is visible from the moment send() returns (synchronously): the latency clock starts here.
    const at = Date.now();
    glue.sqs.send(config.queue, glueEvents.updateTable(database, table));
    return { location, at };
  };
  const control = createServer((req, res) => {
    route(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end((e as Error)?.message ?? String(e));
    });
  });
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const json = (value: unknown): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.url === '/calls' && req.method === 'GET') return json(glue.calls());
    if (req.url === '/reset-calls' && req.method === 'POST') return void (glue.resetCalls(), res.writeHead(204).end());
    if (req.url === '/tables' && req.method === 'GET') return json({ tables: glue.catalog.tableCount() });
    if (req.url === '/commit' && req.method === 'POST') {
      const { database, table } = JSON.parse(await readBody(req)) as { database: string; table: string };
      return json(await commit(database, table));
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`unknown control path ${req.method} ${req.url}`);
  };
  // The benchmark's client keeps its connection through syncs of several minutes: a server closing an
  // idle keep-alive socket (5 s by default) races the client's next request on it.
  control.keepAliveTimeout = 3_600_000;
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  const close = async (): Promise<void> => {
    control.closeAllConnections();
    control.close();
    await glue.close();
  };
  return { ready: { url: glue.url, control: controlUrl, queueUrl }, close };
});

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += (chunk as Buffer).toString('utf8');
    if (body.length > MAX_CONTROL_BODY) throw new Error(`control request body over ${MAX_CONTROL_BODY} bytes`);
  }
  return body;
}

