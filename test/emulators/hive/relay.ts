// A TCP relay in front of a metastore emulator (or of the SASL front): with `tls`, it is the TLS side of a
// metastore with hive.metastore.use.SSL=true; with `record`, it keeps the bytes that passed, so a test can
// look at what travelled on the wire (encrypted or not).
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

export interface Relay {
  readonly uri: string;
  readonly port: number;
  /** Client → metastore and metastore → client bytes so far (with `record`; up to 4 MB each). */
  readonly toServer: () => Buffer;
  readonly toClient: () => Buffer;
  close(): Promise<void>;
}

const RECORD_LIMIT = 4 * 1024 * 1024;

export async function startRelay(options: { targetPort: number; tls?: { cert: Buffer; key: Buffer }; record?: boolean }): Promise<Relay> {
  const sockets = new Set<Socket>();
  const recorded = { toServer: [] as Buffer[], toClient: [] as Buffer[], sizes: { toServer: 0, toClient: 0 } };
  const keep = (direction: 'toServer' | 'toClient', chunk: Buffer) => {
    if (!options.record || recorded.sizes[direction] > RECORD_LIMIT) return;
    recorded[direction].push(Buffer.from(chunk));
    recorded.sizes[direction] += chunk.length;
  };
  const relay = (client: Socket) => {
    const server = connect(options.targetPort, '127.0.0.1');
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        server.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => (keep('toServer', chunk), server.write(chunk)));
    server.on('data', (chunk: Buffer) => (keep('toClient', chunk), client.write(chunk)));
  };
  const listener: Server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, relay) : createServer(relay);
  listener.on('tlsClientError', () => undefined);
  listener.on('error', () => undefined);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as { port: number }).port;
  return {
    uri: `thrift://127.0.0.1:${port}`,
    port,
    toServer: () => Buffer.concat(recorded.toServer),
    toClient: () => Buffer.concat(recorded.toClient),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
