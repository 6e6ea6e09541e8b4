// A Hive Metastore emulator speaking real Thrift (TBinaryProtocol, buffered or framed) over TCP, built
// on thrift.createServer. Several emulators can share one HiveMetastore (fail-over tests); stop() and
// start() take one down and bring it back on the same port (restarts mid-stream).
import type { Server, Socket } from 'node:net';
import thrift from 'thrift';
import { HiveMetastore } from './metastore.js';
import { MetastoreProcessor, type CallStats, type FaultRule } from './processor.js';
import { corkWhileProcessing, StreamingBufferedTransport } from './streaming-transport.js';
import type { EmulatorOptions, MetastoreOptions } from './types.js';

export { HiveMetastore, MetastoreError } from './metastore.js';
export type { FaultRule } from './processor.js';

export interface HiveMetastoreEmulator {
  readonly metastore: HiveMetastore;
  /** thrift://127.0.0.1:<port> */
  readonly uri: string;
  readonly port: number;
  readonly stats: CallStats;
  /** Adds a one-shot fault (delay, MetaException, dropped connection) for the next matching calls. */
  fault(rule: FaultRule): void;
  /** Refuse the notification API (hive.metastore.event.db.notification.api.auth). */
  denyNotifications(deny: boolean): void;
  /** Closes every client connection (as a metastore restart does) and stops listening. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A metastore reads strictly (TBinaryProtocol.Factory(true, true)): bytes without a Thrift version
 * header (a SASL negotiation, a TLS hello) end the connection at once, as with Hive.
 */
function StrictBinaryProtocol(transport: unknown) {
  return new thrift.TBinaryProtocol(transport as never, true, true);
}

export async function startHiveMetastoreEmulator(
  options: EmulatorOptions & { metastore?: HiveMetastore; metastoreOptions?: MetastoreOptions } = {},
): Promise<HiveMetastoreEmulator> {
  const metastore = options.metastore ?? new HiveMetastore(options.metastoreOptions);
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const dropConnections = () => {
    for (const socket of sockets) socket.destroy();
  };
  const processor = new MetastoreProcessor(metastore, dropConnections);
  let server: Server | undefined;
  let port = options.port ?? 0;

  const listen = async () => {
    const created = thrift.createServer(
      // createServer instantiates `new processor(handler)`: hand it the one processor we keep.
      function EmulatedProcessor() {
        return processor;
      } as never,
      {},
      { transport: options.transport === 'framed' ? thrift.TFramedTransport : StreamingBufferedTransport, protocol: StrictBinaryProtocol as never },
    ) as Server;
    // Connection resets are part of the tests; the server must not crash on them.
    created.on('error', () => undefined);
    created.on('connection', (socket: Socket) => {
      sockets.add(socket);
      corkWhileProcessing(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(port, host, () => {
        created.off('error', reject);
        resolve();
      });
    });
    port = (created.address() as { port: number }).port;
    server = created;
  };
  const stop = async () => {
    const current = server;
    server = undefined;
    dropConnections();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();
  return {
    metastore,
    get uri() {
      return `thrift://${host}:${port}`;
    },
    get port() {
      return port;
    },
    stats: processor.stats,
    fault: (rule) => processor.faults.push(rule),
    denyNotifications: (deny) => {
      processor.denyNotifications = deny;
    },
    stop,
    start: async () => {
      if (!server) await listen();
    },
    close: stop,
  };
}
