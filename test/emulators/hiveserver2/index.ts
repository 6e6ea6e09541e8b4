// A HiveServer2 emulator speaking TCLIService (Hive's TCLIService.thrift, TBinaryProtocol) over its two
// transports: binary (NOSASL: unframed; SASL PLAIN: the handshake, then 4-byte length frames) and HTTP
// (POSTs to /<httpPath>, HTTP Basic for PLAIN), either with TLS. It answers from a metastore emulator's
// state, so a HiveServer2 and a Thrift metastore emulator can serve one catalog and one notification log.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { HiveMetastore } from '../hive/metastore.js';
import type { MetastoreOptions } from '../hive/types.js';
import { acceptSaslPlain } from './sasl-plain.js';
import { CliService, type ServicePolicy, type ServiceStats } from './service.js';
import { TCLIService, thrift } from './tcli.js';

export { HiveMetastore };

export interface HiveServer2EmulatorOptions {
  /** Share a metastore emulator's state (default: a new one). */
  readonly metastore?: HiveMetastore;
  readonly metastoreOptions?: MetastoreOptions;
  readonly transport?: 'binary' | 'http';
  /** hive.server2.thrift.http.path (default cliservice). */
  readonly httpPath?: string;
  /** none: NOSASL (binary) / no Authorization (http); plain: SASL PLAIN (binary) / HTTP Basic, checked against `users`. */
  readonly auth?: 'none' | 'plain';
  readonly users?: Readonly<Record<string, string>>;
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

export interface HiveServer2Emulator {
  readonly metastore: HiveMetastore;
  readonly host: string;
  readonly port: number;
  readonly stats: ServiceStats;
  /** Sys database present (Hive 3+ with sys installed); false plays Hive 2 (no sys.notification_log). */
  setSysDatabase(present: boolean): void;
  /** Deny SELECT on a table ("sys.notification_log") to every user. */
  deny(table: string, denied: boolean): void;
  /** GetOperationStatus answers RUNNING this many times before FINISHED. */
  setRunningPolls(polls: number): void;
  /** Connections refused by authentication so far. */
  readonly authFailures: number;
  /** Drops every open connection (binary), as a restart does. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startHiveServer2Emulator(options: HiveServer2EmulatorOptions = {}): Promise<HiveServer2Emulator> {
  const metastore = options.metastore ?? new HiveMetastore(options.metastoreOptions);
  const host = '127.0.0.1';
  const state = { sysDatabase: true, denied: new Set<string>(), runningPolls: 0, authFailures: 0 };
  const policy = (): ServicePolicy => ({ sysDatabase: state.sysDatabase, denied: state.denied, runningPolls: state.runningPolls });
  const service = new CliService(metastore, policy);
  const auth = options.auth ?? 'none';
  const check = (user: string, password: string) => options.users?.[user] === password;
  const sockets = new Set<Socket>();

  let server: Server;
  if ((options.transport ?? 'binary') === 'binary') {
    const onSocket = (socket: Socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
      if (auth === 'none') return thriftServer(service.handlerFor(undefined), thrift.TBufferedTransport).emit('connection', socket);
      void acceptSaslPlain(socket, check).then((accepted) => {
        if (!accepted) {
          state.authFailures++;
          return;
        }
        thriftServer(service.handlerFor(accepted.user), thrift.TFramedTransport).emit('connection', socket);
        if (accepted.rest.length > 0) socket.emit('data', accepted.rest);
      });
    };
    server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, onSocket) : createNetServer(onSocket);
  } else {
    const path = `/${(options.httpPath ?? 'cliservice').replace(/^\/+/, '')}`;
    const onRequest = (request: IncomingMessage, response: ServerResponse) => {
      if (request.method !== 'POST' || request.url?.split('?')[0] !== path) {
        response.writeHead(404).end();
        return;
      }
      let user: string | undefined;
      if (auth === 'plain') {
        const [scheme, encoded = ''] = (request.headers.authorization ?? '').split(' ');
        const [name = '', ...password] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
        if (scheme !== 'Basic' || !check(name, password.join(':'))) {
          state.authFailures++;
          response.writeHead(401, { 'www-authenticate': 'Basic realm="HiveServer2"' }).end('Unauthorized');
          return;
        }
        user = name;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const processor = new TCLIService.Processor(service.handlerFor(user));
        thrift.TBufferedTransport.receiver((input: unknown) => {
          const output = new thrift.TBinaryProtocol(new thrift.TBufferedTransport(undefined, (reply: Buffer) => response.writeHead(200, { 'content-type': 'application/x-thrift' }).end(reply)));
          try {
            processor.process(new thrift.TBinaryProtocol(input), output);
          } catch {
            response.writeHead(500).end();
          }
        })(Buffer.concat(chunks));
      });
    };
    server = (options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest) : createHttpServer(onRequest)) as unknown as Server;
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  }
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;

  return {
    metastore,
    host,
    port,
    stats: service.stats,
    setSysDatabase: (present) => void (state.sysDatabase = present),
    deny: (table, denied) => void (denied ? state.denied.add(table.toLowerCase()) : state.denied.delete(table.toLowerCase())),
    setRunningPolls: (polls) => void (state.runningPolls = polls),
    get authFailures() {
      return state.authFailures;
    },
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A Thrift server that is never listened on: each accepted (and authenticated) socket is handed to it. */
function thriftServer(handler: unknown, transport: unknown): Server {
  const created = thrift.createServer(TCLIService, handler, { transport, protocol: thrift.TBinaryProtocol }) as Server;
  created.on('error', () => undefined);
  return created;
}
