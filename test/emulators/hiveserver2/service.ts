// The TCLIService handler: sessions, statements run at once (compile errors answered by ExecuteStatement,
// as HiveServer2 compiles synchronously even for runAsync), operation status, columnar fetches, closes.
// Each connection has its own authenticated user (SASL PLAIN, HTTP Basic), or the one OpenSession names.
import { randomBytes } from 'node:crypto';
import type { HiveMetastore } from '../hive/metastore.js';
import { rowSet, tableSchema, type ResultSet } from './row-set.js';
import { runStatement, StatementError, type StatementPolicy } from './statements.js';
import { T } from './tcli.js';

export interface ServiceStats {
  /** Every statement received, in order, as sent. */
  readonly statements: string[];
  sessionsOpened: number;
  /** Sessions and operations not closed yet (a client must close what it opens). */
  readonly openSessions: Set<string>;
  readonly openOperations: Set<string>;
  /** The most sessions open at one time. */
  peakSessions: number;
}

export interface ServicePolicy extends StatementPolicy {
  /** GetOperationStatus answers RUNNING this many times before FINISHED (a client must poll). */
  readonly runningPolls: number;
}

interface Operation {
  readonly result: ResultSet;
  next: number;
  polls: number;
}

const ok = () => new T.TStatus({ statusCode: T.TStatusCode.SUCCESS_STATUS });
const failed = (message: string, sqlState?: string, errorCode?: number) => new T.TStatus({ statusCode: T.TStatusCode.ERROR_STATUS, errorMessage: message, sqlState, errorCode });
const key = (handle: { guid?: Buffer } | undefined) => (handle?.guid ? Buffer.from(handle.guid).toString('hex') : '');

export class CliService {
  readonly stats: ServiceStats = { statements: [], sessionsOpened: 0, openSessions: new Set(), openOperations: new Set(), peakSessions: 0 };
  private readonly sessions = new Map<string, string>();
  private readonly operations = new Map<string, Operation>();

  constructor(
    private readonly metastore: HiveMetastore,
    private readonly policy: () => ServicePolicy,
  ) {}

  /**
   * The handler of one connection (binary) or request (HTTP): sessions are the server's, so an HTTP
   * client's next request finds its session; the user is the one the transport authenticated, if any.
   */
  handlerFor(authenticatedUser: string | undefined): Record<string, (req: never) => unknown> {
    const methods = ['CloseSession', 'ExecuteStatement', 'GetOperationStatus', 'GetResultSetMetadata', 'FetchResults', 'CloseOperation', 'CancelOperation'] as const;
    const handler: Record<string, (req: never) => unknown> = { OpenSession: (req: never) => this.OpenSession(req, authenticatedUser) };
    for (const method of methods) handler[method] = (req: never) => this[method](req);
    return handler;
  }

  OpenSession(req: { username?: string; client_protocol: number }, authenticatedUser: string | undefined) {
    const id = { guid: randomBytes(16), secret: randomBytes(16) };
    const user = authenticatedUser ?? req.username ?? 'anonymous';
    this.sessions.set(key(id), user);
    this.stats.sessionsOpened++;
    this.stats.openSessions.add(key(id));
    this.stats.peakSessions = Math.max(this.stats.peakSessions, this.stats.openSessions.size);
    return new T.TOpenSessionResp({
      status: ok(),
      serverProtocolVersion: Math.min(req.client_protocol, T.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10),
      sessionHandle: new T.TSessionHandle({ sessionId: new T.THandleIdentifier(id) }),
    });
  }

  CloseSession(req: { sessionHandle: { sessionId: { guid: Buffer } } }) {
    const id = key(req.sessionHandle?.sessionId);
    if (!this.sessions.delete(id)) return new T.TCloseSessionResp({ status: failed('Invalid SessionHandle') });
    this.stats.openSessions.delete(id);
    return new T.TCloseSessionResp({ status: ok() });
  }

  ExecuteStatement(req: { sessionHandle: { sessionId: { guid: Buffer } }; statement: string }) {
    const user = this.sessions.get(key(req.sessionHandle?.sessionId));
    if (user === undefined) return new T.TExecuteStatementResp({ status: failed('Invalid SessionHandle: the session does not exist or was closed', 'HY000', 0) });
    this.stats.statements.push(req.statement);
    let result: ResultSet;
    try {
      result = runStatement(this.metastore, req.statement, user, this.policy());
    } catch (error) {
      if (!(error instanceof StatementError)) throw error;
      return new T.TExecuteStatementResp({ status: failed(error.message, error.sqlState, error.errorCode) });
    }
    const id = { guid: randomBytes(16), secret: randomBytes(16) };
    this.operations.set(key(id), { result, next: 0, polls: 0 });
    this.stats.openOperations.add(key(id));
    return new T.TExecuteStatementResp({
      status: ok(),
      operationHandle: new T.TOperationHandle({ operationId: new T.THandleIdentifier(id), operationType: T.TOperationType.EXECUTE_STATEMENT, hasResultSet: true }),
    });
  }

  GetOperationStatus(req: { operationHandle: { operationId: { guid: Buffer } } }) {
    const operation = this.operations.get(key(req.operationHandle?.operationId));
    if (!operation) return new T.TGetOperationStatusResp({ status: failed('Invalid OperationHandle') });
    const running = operation.polls++ < this.policy().runningPolls;
    return new T.TGetOperationStatusResp({ status: ok(), operationState: running ? T.TOperationState.RUNNING_STATE : T.TOperationState.FINISHED_STATE, hasResultSet: true });
  }

  GetResultSetMetadata(req: { operationHandle: { operationId: { guid: Buffer } } }) {
    const operation = this.operations.get(key(req.operationHandle?.operationId));
    if (!operation) return new T.TGetResultSetMetadataResp({ status: failed('Invalid OperationHandle') });
    return new T.TGetResultSetMetadataResp({ status: ok(), schema: tableSchema(operation.result) });
  }

  FetchResults(req: { operationHandle: { operationId: { guid: Buffer } }; orientation: number; maxRows: { toNumber(): number } | number }) {
    const operation = this.operations.get(key(req.operationHandle?.operationId));
    if (!operation) return new T.TFetchResultsResp({ status: failed('Invalid OperationHandle') });
    if (req.orientation === T.TFetchOrientation.FETCH_FIRST) operation.next = 0;
    const maxRows = Math.max(1, Math.min(10_000, typeof req.maxRows === 'number' ? req.maxRows : req.maxRows.toNumber()));
    const start = operation.next;
    operation.next = Math.min(operation.result.rows.length, start + maxRows);
    return new T.TFetchResultsResp({ status: ok(), hasMoreRows: operation.next < operation.result.rows.length, results: rowSet(operation.result, start, maxRows) });
  }

  CloseOperation(req: { operationHandle: { operationId: { guid: Buffer } } }) {
    const id = key(req.operationHandle?.operationId);
    if (!this.operations.delete(id)) return new T.TCloseOperationResp({ status: failed('Invalid OperationHandle') });
    this.stats.openOperations.delete(id);
    return new T.TCloseOperationResp({ status: ok() });
  }

  CancelOperation(req: { operationHandle: { operationId: { guid: Buffer } } }) {
    return new T.TCancelOperationResp({ status: this.operations.has(key(req.operationHandle?.operationId)) ? ok() : failed('Invalid OperationHandle') });
  }
}
