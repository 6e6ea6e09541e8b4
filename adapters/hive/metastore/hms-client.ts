import type { TProtocol } from 'thrift';
import type { Logger } from '../../../src/telemetry/logger.js';
import type { Metrics } from '../../../src/telemetry/metrics.js';
import { MirrorError, messageOf } from '../../../src/util/errors.js';
import { sleep } from '../../../src/util/sleep.js';
import { ThriftConnection, type TransportKind } from '../thrift/connection.js';
import { ThriftApplicationError } from '../thrift/errors.js';
import { readStringList, writeStringField } from '../thrift/struct-reader.js';
import { ApplicationErrorType, TType } from '../thrift/wire-types.js';
import type { HmsAddress } from './hms-uri.js';
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
  readonly transport: TransportKind;
  /** Hive 3+ catalog; undefined lets the metastore use its default catalog. */
  readonly catalogName: string | undefined;
  readonly connectTimeoutMs: number;
  readonly callTimeoutMs: number;
  /** Replies larger than this fail the connection (see ReplyReader). */
  readonly maxReplyBytes?: number;
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
 */
export class HmsClient {
  private connection: ThriftConnection | undefined;
  private current = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

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
      (p) => readResult(p, 'get_next_notification', { type: TType.STRUCT, read: readNotificationEventResponse }, {}),
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
    const attempts = addresses.length * rounds;
    let lastError: unknown;
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
    throw new MirrorError(`the Hive Metastore did not answer ${method} (${addresses.map((a) => a.uri).join(', ')}): ${messageOf(lastError)}`, {
      retryable: true,
      hint: 'check that the metastore is running and reachable on its Thrift port, and that `transport` (buffered or framed) matches hive.metastore.thrift.framed.transport.enabled',
      cause: lastError,
    });
  }

  private async connect(address: HmsAddress): Promise<ThriftConnection> {
    if (this.connection?.usable) return this.connection;
    this.connection = await ThriftConnection.open({
      host: address.host,
      port: address.port,
      transport: this.options.transport,
      connectTimeoutMs: this.options.connectTimeoutMs,
      maxReplyBytes: this.options.maxReplyBytes,
    });
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
