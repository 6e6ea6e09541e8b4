import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP, type Socket } from 'node:net';
import hive from 'hive-driver';
import type { IKerberosAuthProcess } from 'hive-driver/dist/connection/contracts/IKerberosAuthProcess.js';
import { createRequire } from 'node:module';
import { classifyHs2Error, Hs2Error } from './hs2-errors.js';
import type { Hs2Session } from './tcli-types.js';

/** hive-driver's own thrift runtime (its generated code and connections are built on that version). */
const driverThrift = createRequire(createRequire(import.meta.url).resolve('hive-driver'))('thrift') as { TBufferedTransport: unknown };
const { TCLIService, TCLIService_types } = hive.thrift;

export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly transport: 'binary' | 'http';
  readonly httpPath: string;
  readonly auth: { readonly type: 'none' } | { readonly type: 'plain'; readonly username: string; readonly password: string } | { readonly type: 'kerberos' };
  /** The private CA of tls.caFile; `tls` unset: no TLS. */
  readonly tls: { readonly ca: Buffer | undefined } | undefined;
  readonly connectTimeoutMs: number;
  readonly maxReplyBytes: number;
  /** The SASL GSSAPI exchange for auth.type kerberos (binary transport). */
  readonly kerberos?: () => IKerberosAuthProcess;
}

/**
 * One HiveServer2 connection through hive-driver, with the bounds hive-driver lacks: connecting and
 * every call are raced against a deadline and against the connection failing (hive-driver reports a
 * failed HTTP call or a closed socket only as an 'error' or 'close' event of the client, and the call
 * never settles); and the bytes a reply may take are counted on the socket itself, so a hostile or
 * wrong peer cannot make the client buffer without end. A connection that failed or timed out is
 * closed and never reused.
 */
export class Hs2Connection {
  private broken: Error | undefined;
  private readonly breakListeners = new Set<(error: Error) => void>();
  /** Bytes received since the current call started. */
  private received = 0;

  private constructor(
    private readonly client: InstanceType<typeof hive.HiveClient>,
    private readonly settings: ConnectionSettings,
    /** HTTP: the agent holding the keep-alive sockets (destroyed with the connection). */
    private readonly agent: HttpAgent | undefined,
  ) {}

  static async open(settings: ConnectionSettings): Promise<Hs2Connection> {
    const client = new hive.HiveClient(TCLIService, TCLIService_types);
    let connection: Hs2Connection | undefined;
    const counted = (socket: Socket) => {
      socket.on('data', (chunk: Buffer) => connection?.count(chunk.length, socket));
      return socket;
    };
    // Until `connection` exists (during the SASL handshake) the deadline below bounds the exchange.
    client.on('error', (error: unknown) => connection?.fail(classifyHs2Error(error, settings)));
    client.on('close', () =>
      connection?.fail(
        new Hs2Error('connection', `HiveServer2 at ${settings.host}:${settings.port} closed the connection`, {
          retryable: true,
          hint: 'check that auth matches hive.server2.authentication (a server expecting SASL closes connections without it) and transport matches hive.server2.transport.mode',
        }),
      ),
    );
    const options = connectOptions(settings, counted);
    const agent = (options.options as { nodeOptions?: { agent?: HttpAgent } }).nodeOptions?.agent;
    const opening = client.connect(options, connectionProvider(settings), authProvider(settings));
    opening.catch(() => client.close());
    try {
      await deadline(opening, settings.connectTimeoutMs, () => new Hs2Error('connection', `connecting to HiveServer2 at ${settings.host}:${settings.port} timed out after ${settings.connectTimeoutMs} ms`, { retryable: true, hint: hintForTimeout(settings) }));
    } catch (error) {
      client.close();
      agent?.destroy();
      throw classifyHs2Error(error, settings);
    }
    connection = new Hs2Connection(client, settings, agent);
    if (settings.transport === 'binary') {
      const socket = (client as unknown as { connection: { getConnection(): { connection: Socket } } }).connection.getConnection().connection;
      counted(socket);
    }
    return connection;
  }

  get usable(): boolean {
    return this.broken === undefined;
  }

  openSession(timeoutMs: number): Promise<Hs2Session> {
    return this.call(async () => (await this.client.openSession({ client_protocol: TCLIService_types.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 })) as unknown as Hs2Session, timeoutMs, 'OpenSession');
  }

  /**
   * Runs one TCLIService call (or a short sequence of them) bounded in time and reply size; a failure
   * of the connection fails it at once. Errors come back classified (Hs2Error).
   */
  async call<T>(run: () => Promise<T>, timeoutMs: number, what: string): Promise<T> {
    if (this.broken) throw this.broken;
    this.received = 0;
    let unsubscribe = () => {};
    const failure = new Promise<never>((_, reject) => {
      const listener = (error: Error) => reject(error);
      this.breakListeners.add(listener);
      unsubscribe = () => this.breakListeners.delete(listener);
    });
    try {
      return await deadline(Promise.race([run(), failure]), timeoutMs, () => {
        const error = new Hs2Error('connection', `HiveServer2 at ${this.settings.host}:${this.settings.port} did not answer ${what} within ${timeoutMs} ms`, { retryable: true, hint: 'raise statementTimeoutMs if HiveServer2 is busy; check that host and port are HiveServer2\'s' });
        this.fail(error);
        return error;
      });
    } catch (error) {
      throw classifyHs2Error(error, this.settings);
    } finally {
      unsubscribe();
    }
  }

  close(): void {
    this.fail(new Hs2Error('connection', 'the connection was closed', { retryable: true }));
  }

  private count(bytes: number, socket: Socket): void {
    this.received += bytes;
    if (this.received > this.settings.maxReplyBytes) {
      socket.destroy();
      this.fail(new Hs2Error('connection', `HiveServer2 at ${this.settings.host}:${this.settings.port} sent a reply larger than maxReplyBytes (${this.settings.maxReplyBytes} bytes)`, {
        retryable: true,
        hint: 'check that host and port are HiveServer2\'s; lower batchSize if notification messages are large, or raise maxReplyBytes',
      }));
    }
  }

  private fail(error: Error): void {
    if (this.broken) return;
    this.broken = error;
    for (const listener of this.breakListeners) listener(error);
    this.breakListeners.clear();
    try {
      this.client.close();
    } catch {
      // Closing a half-open connection may throw inside hive-driver; it is gone either way.
    }
    // Keep-alive sockets of HTTP must not outlive the connection (nor hold a one-shot command's process).
    this.agent?.destroy();
  }
}

function connectOptions(settings: ConnectionSettings, counted: (socket: Socket) => Socket) {
  const tls = settings.tls;
  // hive-driver turns certificate checks off for TLS unless told otherwise: they are always on here.
  const verify = tls ? { ca: tls.ca, rejectUnauthorized: true, servername: isIP(settings.host) ? undefined : settings.host } : {};
  if (settings.transport === 'http') {
    const agentOptions = { keepAlive: true, maxSockets: 1, ...verify };
    const agent = tls ? new CountingHttpsAgent(agentOptions, counted) : new CountingHttpAgent(agentOptions, counted);
    return { host: settings.host, port: settings.port, options: { path: `/${settings.httpPath.replace(/^\/+/, '')}`, https: tls !== undefined, nodeOptions: { agent, ...verify } } };
  }
  return {
    host: settings.host,
    port: settings.port,
    // NOSASL HiveServer2 speaks unframed Thrift; after a SASL handshake, frames (hive-driver's default).
    options: { ...(settings.auth.type === 'none' ? { transport: driverThrift.TBufferedTransport } : {}), ...(tls ? { ssl: true, ...verify } : {}) },
  };
}

function connectionProvider(settings: ConnectionSettings) {
  return settings.transport === 'http' ? new hive.connections.HttpConnection() : new hive.connections.TcpConnection();
}

function authProvider(settings: ConnectionSettings) {
  const auth = settings.auth;
  if (auth.type === 'plain') {
    return settings.transport === 'http'
      ? new hive.auth.PlainHttpAuthentication({ username: auth.username, password: auth.password })
      : new hive.auth.PlainTcpAuthentication({ username: auth.username, password: auth.password });
  }
  if (auth.type === 'kerberos') {
    if (!settings.kerberos) throw new Error('kerberos authentication needs a GSSAPI exchange');
    return new hive.auth.KerberosTcpAuthentication({}, settings.kerberos());
  }
  return new hive.auth.NoSaslAuthentication();
}

class CountingHttpAgent extends HttpAgent {
  constructor(options: ConstructorParameters<typeof HttpAgent>[0], private readonly counted: (socket: Socket) => Socket) {
    super(options);
  }
  override createConnection(...args: Parameters<HttpAgent['createConnection']>): ReturnType<HttpAgent['createConnection']> {
    return this.counted(super.createConnection(...args) as Socket);
  }
}

class CountingHttpsAgent extends HttpsAgent {
  constructor(options: ConstructorParameters<typeof HttpsAgent>[0], private readonly counted: (socket: Socket) => Socket) {
    super(options);
  }
  override createConnection(...args: Parameters<HttpsAgent['createConnection']>): ReturnType<HttpsAgent['createConnection']> {
    return this.counted(super.createConnection(...args) as Socket);
  }
}

function hintForTimeout(settings: ConnectionSettings): string {
  return settings.auth.type === 'none'
    ? 'check host and port; a HiveServer2 with authentication waits for a SASL handshake: set auth to match hive.server2.authentication'
    : 'check host and port, and that transport and tls match hive.server2.transport.mode and hive.server2.use.SSL';
}

async function deadline<T>(work: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(timedOut()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
