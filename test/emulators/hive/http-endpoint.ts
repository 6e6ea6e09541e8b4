// Thrift over HTTP as Hive 4's metastore serves it (metastore.server.thrift.transport.mode=http,
// HmsThriftHttpServlet): POST <path> with a TBinaryProtocol message, the reply as the body. With a
// token it plays metastore.authentication=jwt (Authorization: Bearer, else 401); without, the caller
// is the x-actor-username header (else 401), as in Hive. Optional TLS and required extra headers (a
// gateway's). Answers from a HiveMetastore through the same processor as the socket emulator.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import thrift from 'thrift';
import type { HiveMetastore } from './metastore.js';
import { MetastoreProcessor, type CallStats } from './processor.js';

export interface HttpMetastore {
  readonly uri: string;
  readonly stats: CallStats;
  /** The headers of every request, in order. */
  readonly requests: Array<Record<string, string | string[] | undefined>>;
  close(): Promise<void>;
}

export interface HttpMetastoreOptions {
  readonly metastore: HiveMetastore;
  readonly path?: string;
  /** The JWT the metastore accepts; unset: x-actor-username identifies the caller. */
  readonly token?: string;
  /** Headers a gateway in front requires (name in lower case → value). */
  readonly requiredHeaders?: Readonly<Record<string, string>>;
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

export async function startHttpMetastore(options: HttpMetastoreOptions): Promise<HttpMetastore> {
  const path = options.path ?? '/metastore';
  const requests: HttpMetastore['requests'] = [];
  let server: Server;
  const processor = new MetastoreProcessor(options.metastore, () => server.closeAllConnections());
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    requests.push(request.headers);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const refusal = refuse(request, path, options);
      if (refusal) {
        response.writeHead(refusal.status, { 'content-type': 'text/plain' }).end(`${refusal.text}\n`);
        return;
      }
      const input = new thrift.TBinaryProtocol(new thrift.TFramedTransport(Buffer.concat(chunks)));
      const output = new thrift.TBinaryProtocol(
        new thrift.TBufferedTransport(undefined, (reply?: Buffer) => {
          response.writeHead(200, { 'content-type': 'application/x-thrift' }).end(reply);
        }),
      );
      try {
        processor.process(input, output);
      } catch (error) {
        response.writeHead(500).end(String(error));
      }
    });
  };
  server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle) : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    uri: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}${path}`,
    stats: processor.stats,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function refuse(request: IncomingMessage, path: string, options: HttpMetastoreOptions): { status: number; text: string } | undefined {
  if (request.method !== 'POST' || request.url !== path) return { status: 404, text: `no servlet at ${request.method} ${request.url}` };
  const authorization = request.headers.authorization;
  if (options.token !== undefined) {
    if (!authorization?.startsWith('Bearer ')) return { status: 401, text: "Authentication error: Couldn't find bearer token in the auth header in the request" };
    if (authorization.slice(7) !== options.token) return { status: 401, text: 'Authentication error: Failed to validate JWT from Bearer token in Authentication header' };
  } else if (!request.headers['x-actor-username']) {
    return { status: 401, text: 'Authentication error: User header x-actor-username missing in request' };
  }
  for (const [name, value] of Object.entries(options.requiredHeaders ?? {})) {
    if (request.headers[name] !== value) return { status: 403, text: `the gateway requires the header ${name}` };
  }
  return undefined;
}
