// A minimal S3-compatible endpoint (path-style REST: PUT and DELETE of objects) for the live scenario's
// rehearsal: the real AWS SDK S3 client uploads a warehouse's metadata files here, and they land in an
// object store the Polaris emulator reads — so the S3 variant of `npm run test:live` runs, uploads and
// purges included, inside `npm test`. Signatures are not checked (any credentials pass); everything
// else answers S3's XML error shape with 501.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where objects go: `s3://<bucket>/<key>` URIs (the Polaris emulator's putObject/deleteObject fit). */
export interface ObjectSink {
  putObject(uri: string, content: Buffer): void;
  deleteObject(uri: string): void;
}

export interface S3Emulator {
  /** Endpoint for the SDK (use forcePathStyle). */
  readonly url: string;
  /** PutObject/DeleteObject calls answered, as "PUT s3://b/k". */
  readonly calls: string[];
  close(): Promise<void>;
}

const MAX_OBJECT = 16 * 1024 * 1024;

export async function startS3Emulator(sink: ObjectSink): Promise<S3Emulator> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => answer(req, res, body, sink, calls))
      .catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(req: IncomingMessage, res: ServerResponse, body: Buffer | null, sink: ObjectSink, calls: string[]): void {
  const path = (req.url ?? '/').split('?')[0]!;
  const [bucket, ...keyParts] = path.replace(/^\/+/, '').split('/').map(decodeURIComponent);
  const key = keyParts.join('/');
  if (!bucket || !key) return error(res, 501, 'NotImplemented', 'Only object PUT and DELETE are emulated');
  const uri = `s3://${bucket}/${key}`;
  if (req.method === 'PUT') {
    if (body === null) return error(res, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
    sink.putObject(uri, body);
    calls.push(`PUT ${uri}`);
    res.writeHead(200, { etag: `"${body.length.toString(16)}"`, 'content-length': 0 }).end();
    return;
  }
  if (req.method === 'DELETE') {
    sink.deleteObject(uri);
    calls.push(`DELETE ${uri}`);
    res.writeHead(204).end();
    return;
  }
  error(res, 501, 'NotImplemented', `${req.method} is not emulated`);
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>emulator</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) }).end(xml);
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_OBJECT) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_OBJECT ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
