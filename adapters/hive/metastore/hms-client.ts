import type { TProtocol } from 'thrift';
import type { Logger } from '../../../src/telemetry/logger.js';
import type { Metrics } from '../../../src/telemetry/metrics.js';
import { MirrorError, messageOf } from '../../../src/util/errors.js';
import { sleep } from '../../../src/util/sleep.js';
import type { NotificationLogReader } from '../../hive-log/log-reader.js';
import type { MetastoreConnection } from '../thrift/connection.js';
import { ThriftApplicationError } from '../thrift/errors.js';
import { MetastoreAuthError } from '../transport/auth-error.js';
import type { MetastoreTransport } from '../transport/metastore-transport.js';
import { readStringList, writeStringField } from '../thrift/struct-reader.js';
import { ApplicationErrorType, TType } from '../thrift/wire-types.js';
import type { HmsAddress } from './hms-uri.js';
import { MessagePool } from './message-pool.js';
import { HmsException, readResult } from './results.js';
import {
  readCurrentEventId,
  readGetTableResult,
  readGetTablesResult,
  readNotificationEventResponse,
  writeGetTableRequest,
  writeGetTablesRequest,
  writeNotificationEventRequest,
  type HmsTable,
  type NotificationEvent,
} from './structs.js';

export interface HmsClientOptions {
  readonly source: string;
  readonly addresses: readonly HmsAddress[];
  /** Opens connections (socket, TLS, SASL, HTTP) and holds the source's Kerberos login. */
  readonly transport: MetastoreTransport;
  /** Hive 3+ catalog; undefined lets the metastore use its default catalog. */
  readonly catalogName: string | undefined;
  readonly connectTimeoutMs: number;
  readonly callTimeoutMs: number;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Full rounds over the addresses per call before the call fails (the caller backs off). */
  readonly rounds?: number;
  /** First pause between rounds (doubles each round). */
  readonly roundDelayMs?: number;
}

/** Names of the declared exceptions of the calls below, by result field id. */
const META = { 1: 'MetaException' } as const;
const GET_TABLE = { 1: 'MetaException', 2: 'NoSuchObjectException' } as const;
const GET_TABLES = { 1: 'MetaException', 2: 'InvalidOperationException', 3: 'UnknownDBException' } as const;
const LIST_OF_STRINGS = { type: TType.LIST, read: readStringList };

/**
 * The metastore calls this source makes (ThriftHiveMetastore), over one connection at a time with
 * fail-over: a transport failure or timeout moves to the next address in `uris` and retries there
 * (every call is a read, so a retry is safe); after `rounds` full rounds the call fails with a
 * retryable MirrorError. The address that answered last is kept for the next calls. An exception the
 * metastore declared (MetaException, NoSuchObjectException) is its answer and is thrown as
 * HmsException without fail-over. Calls are serialized: HMS serves one request per connection at a
 * time anyway, and a timeout then concerns exactly one call.
 *
 * An authentication failure is not a transport failure: when the connector's own login fails (keytab,
 * KDC, ticket cache) it is reported at once, since every metastore would refuse it alike; when a
 * metastore rejects the connector, the next address is tried and, if all refuse, the call fails with
 * the rejection and its hint. A rejected Kerberos ticket first costs one fresh login and one retry.
 */
export class HmsClient implements NotificationLogReader {
  private connection: MetastoreConnection | undefined;
  private current = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Where the notification log's messages wait until their batch is applied (see MessagePool). */
  private readonly messages = new MessagePool();

  constructor(private readonly options: HmsClientOptions) {
    if (options.addresses.length === 0) throw new Error('HmsClient needs at least one address');
  }

  /** The address calls go to now (after fail-overs, the one that answered last). */
  get currentUri(): string {
    return this.options.addresses[this.current]!.uri;
  }

  currentNotificationEventId(signal?: AbortSignal): Promise<bigint> {
    return this.call(
      'get_current_notificationEventId',
      () => undefined,
      (p) => readResult(p, 'get_current_notificationEventId', { type: TType.STRUCT, read: readCurrentEventId }, {}),
      signal,
    );
  }

  /** Events with id > lastEvent, oldest first, at most maxEvents. */
  nextNotifications(lastEvent: bigint, maxEvents: number): Promise<NotificationEvent[]> {
    return this.call(
      'get_next_notification',
      (p) => {
        p.writeFieldBegin('rqst', TType.STRUCT, 1);
        writeNotificationEventRequest(p, lastEvent, maxEvents);
        p.writeFieldEnd();
      },
      (p) => readResult(p, 'get_next_notification', { type: TType.STRUCT, read: (p) => readNotificationEventResponse(p, this.messages) }, {}),
    );
  }

  allDatabases(signal?: AbortSignal): Promise<string[]> {
    return this.call('get_all_databases', () => undefined, (p) => readResult(p, 'get_all_databases', LIST_OF_STRINGS, META), signal);
  }

  allTables(dbName: string, signal?: AbortSignal): Promise<string[]> {
    return this.call(
      'get_all_tables',
      (p) => writeStringField(p, 1, dbName),
      (p) => readResult(p, 'get_all_tables', LIST_OF_STRINGS, META),
      signal,
    );
  }

  /** The table, or undefined on NoSuchObjectException (a definite "not found"). */
  async table(dbName: string, tableName: string, signal?: AbortSignal): Promise<HmsTable | undefined> {
    try {
      return await this.call(
        'get_table_req',
        (p) => {
          p.writeFieldBegin('req', TType.STRUCT, 1);
          writeGetTableRequest(p, dbName, tableName, this.options.catalogName);
          p.writeFieldEnd();
        },
        (p) => readResult(p, 'get_table_req', { type: TType.STRUCT, read: readGetTableResult }, GET_TABLE),
        signal,
      );
    } catch (error) {
      if (error instanceof HmsException && error.kind === 'NoSuchObjectException') return undefined;
      throw error;
    }
  }

  /** The tables of `dbName` among `tableNames` that exist (the metastore leaves out missing ones). */
  tablesByName(dbName: string, tableNames: readonly string[], signal?: AbortSignal): Promise<HmsTable[]> {
    return this.call(
      'get_table_objects_by_name_req',
      (p) => {
        p.writeFieldBegin('req', TType.STRUCT, 1);
        writeGetTablesRequest(p, dbName, tableNames, this.options.catalogName);
        p.writeFieldEnd();
      },
      (p) => readResult(p, 'get_table_objects_by_name_req', { type: TType.STRUCT, read: readGetTablesResult }, GET_TABLES),
      signal,
    );
  }

  /** Final: fails the call in flight and every later call (shutdown, the end of a watch). */
  /** A declared metastore exception (MetaException: e.g. no permission on the table) is its answer, not an outage. */
  isTableRefusal(error: unknown): boolean {
    return error instanceof HmsException;
  }

  close(): void {
    this.closed = true;
    this.dropConnection();
  }

  private dropConnection(): void {
    this.connection?.close();
    this.connection = undefined;
  }

  private call<T>(method: string, writeArgs: (p: TProtocol) => void, read: (p: TProtocol) => T, signal?: AbortSignal): Promise<T> {
    const run = this.tail.then(() => this.invoke(method, writeArgs, read, signal));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * One call with fail-over. An abort drops the connection, which fails the call in flight at once
   * (calls are serialized, so it is this one); the next call reconnects.
   */
  private async invoke<T>(method: string, writeArgs: (p: TProtocol) => void, read: (p: TProtocol) => T, signal?: AbortSignal): Promise<T> {
    const { addresses, metrics, source } = this.options;
    const rounds = this.options.rounds ?? 2;
    let attempts = addresses.length * rounds;
    let lastError: unknown;
    let refusal: MetastoreAuthError | undefined;
    let reloggedIn = false;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0 && attempt % addresses.length === 0) await sleep((this.options.roundDelayMs ?? 250) * 2 ** (attempt / addresses.length - 1));
      if (this.closed) break;
      if (signal?.aborted) throw new MirrorError(`${method} was interrupted`, { retryable: true });
      const address = addresses[this.current]!;
      const onAbort = () => this.dropConnection();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const connection = await this.connect(address);
        if (signal?.aborted) throw new MirrorError(`${method} was interrupted`, { retryable: true });
        const result = await connection.call(method, writeArgs, read, this.options.callTimeoutMs);
        metrics.sourceCalls.inc({ source, operation: method, outcome: 'ok' });
        return result;
      } catch (error) {
        if (signal?.aborted) throw new MirrorError(`${method} was interrupted`, { retryable: true, cause: error });
        if (error instanceof HmsException) {
          metrics.sourceCalls.inc({ source, operation: method, outcome: error.notFound ? 'not_found' : 'error' });
          throw error;
        }
        metrics.sourceCalls.inc({ source, operation: method, outcome: 'error' });
        if (error instanceof ThriftApplicationError) throw applicationError(error, method, address.uri);
        lastError = error;
        this.dropConnection();
        if (error instanceof MetastoreAuthError) {
          if (error.reloginMayHelp && !reloggedIn) {
            // A rejected or expired ticket: log in afresh and try the same metastore once more.
            reloggedIn = true;
            attempts++;
            this.options.transport.relogin();
            this.options.logger.warn({ source, uri: address.uri, err: error.message }, `${error.message}; logging in to Kerberos again and retrying ${address.uri}`);
            continue;
          }
          if (error.scope === 'credentials') throw error;
          refusal ??= error;
        }
        const next = (this.current + 1) % addresses.length;
        if (addresses.length > 1) {
          this.options.logger.warn({ source, uri: address.uri, next: addresses[next]!.uri, err: messageOf(error) }, `Hive Metastore ${address.uri} failed (${messageOf(error)}); trying ${addresses[next]!.uri}`);
        }
        this.current = next;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    }
    if (this.closed) throw new MirrorError(`the Hive Metastore client of source ${source} is closed`, { retryable: true, cause: lastError });
    // Every metastore refused the connector (or some refused and the rest did not answer): the refusal is what to fix.
    if (refusal) throw refusal;
    throw new MirrorError(`the Hive Metastore did not answer ${method} (${addresses.map((a) => a.uri).join(', ')}): ${messageOf(lastError)}`, {
      retryable: true,
      hint: 'check that the metastore is running and reachable on its Thrift port, that `transport` (buffered or framed) matches hive.metastore.thrift.framed.transport.enabled, and that auth and tls match hive.metastore.sasl.enabled and hive.metastore.use.SSL',
      cause: lastError,
    });
  }

  private async connect(address: HmsAddress): Promise<MetastoreConnection> {
    if (this.connection?.usable) return this.connection;
    this.connection = await this.options.transport.open(address);
    return this.connection;
  }
}

function applicationError(error: ThriftApplicationError, method: string, uri: string): MirrorError {
  if (error.type === ApplicationErrorType.UNKNOWN_METHOD) {
    return new MirrorError(`the metastore at ${uri} does not know ${method}: ${error.message}`, {
      retryable: false,
      hint: 'this source needs Hive Metastore 2.3 or later (get_table_req, get_next_notification)',
      cause: error,
    });
  }
  const notificationApi = method === 'get_next_notification' || method === 'get_current_notificationEventId';
  return new MirrorError(`the metastore at ${uri} failed ${method}: ${error.message}`, {
    retryable: true,
    // HMS refuses the notification API this way when hive.metastore.event.db.notification.api.auth holds.
    hint: notificationApi
      ? 'if the metastore log says "User <name> is not allowed to perform this API call": give that user proxy privileges for the connector\'s host (hadoop.proxyuser.<name>.hosts/.groups), or set hive.metastore.event.db.notification.api.auth=false'
      : undefined,
    cause: error,
  });
}
