import { Agent, request } from 'undici';
import type { TProtocol } from 'thrift';
import { messageOf } from '../../../src/util/errors.js';
import { encodeCall, openReply } from '../thrift/call-codec.js';
import type { MetastoreConnection } from '../thrift/connection.js';
import { ThriftTransportError } from '../thrift/errors.js';
import { MetastoreAuthError } from './auth-error.js';
import { CERTIFICATE_ERRORS } from './socket.js';

export interface HttpConnectionOptions {
  /** http(s)://host:port/path of the metastore's Thrift servlet. */
  readonly url: string;
  /** Sent with every call (authorization, x-actor-username, gateway headers). */
  readonly headers: Readonly<Record<string, string>>;
  readonly ca?: Buffer;
  readonly connectTimeoutMs: number;
  readonly maxMessageBytes: number;
}

/**
 * Thrift over HTTP (Hive 4's metastore.server.thrift.transport.mode=http, THttpClient's wire): every
 * call is one POST of the TBinaryProtocol message, and the response body is the reply. Connections are
 * kept alive by undici; a call that gets no answer in time fails like a socket timeout, a 401/403 is an
 * authentication failure, and a body larger than maxMessageBytes is refused.
 */
export class HttpThriftConnection implements MetastoreConnection {
  private readonly agent: Agent;
  private seqid = 0;
  private closed = false;

  constructor(private readonly options: HttpConnectionOptions) {
    this.agent = new Agent({ connections: 1, keepAliveTimeout: 30_000, connectTimeout: options.connectTimeoutMs, connect: options.ca ? { ca: options.ca } : undefined });
  }

  get usable(): boolean {
    return !this.closed;
  }

  async call<T>(method: string, writeArgs: (protocol: TProtocol) => void, read: (protocol: TProtocol) => T, timeoutMs: number): Promise<T> {
    if (this.closed) throw new ThriftTransportError(`the connection to ${this.options.url} is closed`);
    const seqid = (this.seqid = (this.seqid + 1) | 0);
    const body = await this.post(method, encodeCall(method, seqid, writeArgs, 'buffered'), timeoutMs);
    const reply = openReply(body);
    if (reply.seqid !== seqid) throw new ThriftTransportError(`${this.options.url} answered ${method} with the reply to another call (sequence id ${reply.seqid}, not ${seqid})`);
    if (reply.exception) throw reply.exception;
    return read(reply.protocol);
  }

  close(): void {
    this.closed = true;
    void this.agent.destroy().catch(() => undefined);
  }

  private async post(method: string, message: Buffer, timeoutMs: number): Promise<Buffer> {
    const { url } = this.options;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-thrift', accept: 'application/x-thrift', ...this.options.headers },
        body: message,
        dispatcher: this.agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (error) {
      throw this.requestError(method, error, timeoutMs);
    }
    if (response.statusCode === 401 || response.statusCode === 403) {
      const reason = (await boundedText(response.body, 300)).trim();
      throw new MetastoreAuthError(`the metastore at ${url} refused ${method} with HTTP ${response.statusCode}${reason ? `: ${reason}` : ''}`, {
        scope: 'metastore',
        hint: 'check auth.token (a JWT the metastore accepts: metastore.authentication=jwt) or, without a token, the x-actor-username header; gateways may need extra headers',
      });
    }
    if (response.statusCode !== 200) {
      const reason = (await boundedText(response.body, 300)).trim();
      const advice = response.statusCode === 404 ? '; check the uri path (the metastore\'s metastore.server.thrift.http.path, default /metastore)' : '';
      throw new ThriftTransportError(`the metastore at ${url} answered ${method} with HTTP ${response.statusCode}${reason ? `: ${reason}` : ''}${advice}`);
    }
    return readBounded(response.body, this.options.maxMessageBytes, url).catch((error: unknown) => {
      throw error instanceof ThriftTransportError ? error : this.requestError(method, error, timeoutMs);
    });
  }

  private requestError(method: string, error: unknown, timeoutMs: number): Error {
    const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code ?? '';
    if (CERTIFICATE_ERRORS.test(code)) {
      return new MetastoreAuthError(`the TLS certificate of ${this.options.url} is not trusted: ${messageOf((error as { cause?: unknown }).cause ?? error)}`, {
        scope: 'metastore',
        hint: 'set tls.caFile to the CA that signed the metastore\'s certificate (PEM), and use the host name the certificate names in the uri',
        cause: error,
      });
    }
    const what = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? `no answer within ${timeoutMs} ms` : messageOf(error);
    return new ThriftTransportError(`${method} to ${this.options.url} failed: ${what}`, { cause: error });
  }
}

async function readBounded(body: AsyncIterable<Buffer> & { destroy(): unknown }, limit: number, url: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw new ThriftTransportError(`${url} sent a reply larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function boundedText(body: AsyncIterable<Buffer> & { destroy(): unknown }, limit: number): Promise<string> {
  try {
    return (await readBounded(body, 64 * 1024, '')).subarray(0, limit).toString('utf8');
  } catch {
    return '';
  }
}
