// The ThriftHiveMetastore calls the connector makes, served from a HiveMetastore: a hand-written
// processor for thrift.createServer (what generated code would provide), with fault injection.
import type { TProtocol } from 'thrift';
import type { HiveMetastore } from './metastore.js';
import { readFields, readI64, T, writeI64, writeNotificationEvent, writeStringField, writeStringList, writeTable } from './wire.js';

const REPLY = 2;
const EXCEPTION = 3;

/** One-shot faults, consumed by the next matching calls. */
export type FaultAction = { kind: 'delay'; ms: number } | { kind: 'meta-error'; message: string } | { kind: 'drop-connection' };

export interface FaultRule {
  /** Only calls of this method (default: any). */
  readonly method?: string;
  /** How many calls it applies to (default 1). */
  count?: number;
  readonly action: FaultAction;
}

export interface CallStats {
  /** Calls received per method. */
  readonly calls: Record<string, number>;
  /** The lastEvent of every get_next_notification, in order: what the client had committed. */
  readonly nextNotificationRequests: bigint[];
  /** Every call's method, in arrival order. */
  readonly sequence: string[];
}

type Reply = (output: TProtocol) => void;
/** Reads the whole args struct from `input` (even when empty), then answers. */
type Handler = (input: TProtocol) => { kind: 'ok'; type: number; write: Reply } | { kind: 'error'; field: number; message: string };

/** NoSuchObjectException is field 2 of get_table_req_result; MetaException field 1 everywhere. */
class Thrown extends Error {
  constructor(
    readonly field: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An exception the method does not declare: libthrift's processor answers TApplicationException
 * INTERNAL_ERROR (6) "Internal error processing <method>" — how Hive refuses the notification API
 * (authorizeProxyPrivilege fails, HMSHandler throws a bare TException).
 */
class Internal extends Error {}

export class MetastoreProcessor {
  readonly stats: CallStats = { calls: {}, nextNotificationRequests: [], sequence: [] };
  readonly faults: FaultRule[] = [];
  /** hive.metastore.event.db.notification.api.auth refusing this user. */
  denyNotifications = false;
  private readonly handlers: Record<string, Handler>;

  constructor(
    private readonly metastore: HiveMetastore,
    private readonly dropConnections: () => void,
  ) {
    this.handlers = {
      get_current_notificationEventId: (input) => (readArgs(input, {}), this.notifications(() => ok(T.STRUCT, (o) => struct(o, () => i64Field(o, 1, this.metastore.currentEventId))))),
      get_next_notification: (input) => {
        let lastEvent = 0n;
        let maxEvents = 0;
        readArgs(input, { 1: (p) => readFields(p, (id, type) => (id === 1 && type === T.I64 ? ((lastEvent = readI64(p)), true) : id === 2 && type === T.I32 ? ((maxEvents = p.readI32()), true) : false)) });
        this.stats.nextNotificationRequests.push(lastEvent);
        return this.notifications(() => {
          const events = this.metastore.eventsAfter(lastEvent, maxEvents);
          return ok(T.STRUCT, (o) =>
            struct(o, () => {
              o.writeFieldBegin('events', T.LIST as never, 1);
              o.writeListBegin(T.STRUCT as never, events.length);
              for (const event of events) writeNotificationEvent(o, event, this.metastore.version);
              o.writeListEnd();
              o.writeFieldEnd();
            }),
          );
        });
      },
      get_all_databases: (input) => (readArgs(input, {}), ok(T.LIST, (o) => writeStringList(o, this.metastore.databaseNames()))),
      get_all_tables: (input) => {
        let db = '';
        readArgs(input, { 1: (p) => (db = p.readString()) });
        return ok(T.LIST, (o) => writeStringList(o, this.metastore.tableNames(db)));
      },
      get_table_req: (input) => {
        const request = readTableRequest(input);
        const table = this.metastore.table(request.db, request.names[0] ?? '');
        if (!table) throw new Thrown(2, `${request.db}.${request.names[0]} table not found`);
        return ok(T.STRUCT, (o) => struct(o, () => (o.writeFieldBegin('table', T.STRUCT as never, 1), writeTable(o, table, this.metastore.version), o.writeFieldEnd())));
      },
      get_table_objects_by_name_req: (input) => {
        const request = readTableRequest(input);
        if (!this.metastore.hasDatabase(request.db)) throw new Thrown(3, `Could not find database ${request.db}`);
        const tables = request.names.map((name) => this.metastore.table(request.db, name)).filter((t) => t !== undefined);
        return ok(T.STRUCT, (o) =>
          struct(o, () => {
            o.writeFieldBegin('tables', T.LIST as never, 1);
            o.writeListBegin(T.STRUCT as never, tables.length);
            for (const table of tables) writeTable(o, table, this.metastore.version);
            o.writeListEnd();
            o.writeFieldEnd();
          }),
        );
      },
    };
  }

  /** thrift's server calls this for each complete request in the connection's buffer. */
  process(input: TProtocol, output: TProtocol): void {
    const header = input.readMessageBegin();
    const name = header.fname;
    this.stats.calls[name] = (this.stats.calls[name] ?? 0) + 1;
    this.stats.sequence.push(name);
    const handler = this.handlers[name];
    if (!handler) {
      input.skip(T.STRUCT as never);
      input.readMessageEnd();
      // A real metastore answers an unknown method with TApplicationException UNKNOWN_METHOD (1).
      return reply(output, name, EXCEPTION, header.rseqid, (o) => struct(o, () => (writeStringField(o, 1, `Invalid method name: '${name}'`), o.writeFieldBegin('type', T.I32 as never, 2), o.writeI32(1), o.writeFieldEnd())));
    }
    let result: ReturnType<Handler>;
    try {
      result = handler(input);
    } catch (error) {
      if (error instanceof Internal) {
        input.readMessageEnd();
        return reply(output, name, EXCEPTION, header.rseqid, (o) => struct(o, () => (writeStringField(o, 1, `Internal error processing ${name}`), o.writeFieldBegin('type', T.I32 as never, 2), o.writeI32(6), o.writeFieldEnd())));
      }
      if (!(error instanceof Thrown)) throw error;
      result = { kind: 'error', field: error.field, message: error.message };
    }
    input.readMessageEnd();
    const fault = this.takeFault(name);
    if (fault?.kind === 'meta-error') result = { kind: 'error', field: 1, message: fault.message };
    if (fault?.kind === 'drop-connection') return this.dropConnections();
    const send = () => reply(output, name, REPLY, header.rseqid, (o) => writeResult(o, result));
    if (fault?.kind === 'delay') setTimeout(send, fault.ms);
    else send();
  }

  private notifications(serve: () => ReturnType<Handler>): ReturnType<Handler> {
    if (this.denyNotifications) throw new Internal('User polaris is not allowed to perform this API call');
    return serve();
  }

  private takeFault(method: string): FaultAction | undefined {
    const index = this.faults.findIndex((rule) => rule.method === undefined || rule.method === method);
    if (index < 0) return undefined;
    const rule = this.faults[index]!;
    rule.count = (rule.count ?? 1) - 1;
    if (rule.count <= 0) this.faults.splice(index, 1);
    return rule.action;
  }
}

function ok(type: number, write: Reply): ReturnType<Handler> {
  return { kind: 'ok', type, write };
}

function writeResult(o: TProtocol, result: ReturnType<Handler>): void {
  struct(o, () => {
    if (result.kind === 'ok') {
      o.writeFieldBegin('success', result.type as never, 0);
      result.write(o);
      o.writeFieldEnd();
    } else {
      o.writeFieldBegin('o', T.STRUCT as never, result.field);
      struct(o, () => writeStringField(o, 1, result.message));
      o.writeFieldEnd();
    }
  });
}

function reply(output: TProtocol, name: string, type: number, seqid: number, body: Reply): void {
  output.writeMessageBegin(name, type as never, seqid);
  body(output);
  output.writeMessageEnd();
  output.flush();
}

function struct(o: TProtocol, body: () => void): void {
  o.writeStructBegin('');
  body();
  o.writeFieldStop();
  o.writeStructEnd();
}

function i64Field(o: TProtocol, id: number, value: bigint): void {
  o.writeFieldBegin('', T.I64 as never, id);
  writeI64(o, value);
  o.writeFieldEnd();
}

/** Reads an args struct: field id → reader of that field's value. */
function readArgs(input: TProtocol, readers: Record<number, (p: TProtocol) => unknown>): void {
  readFields(input, (id) => {
    const read = readers[id];
    if (!read) return false;
    read(input);
    return true;
  });
}

/** GetTableRequest / GetTablesRequest: 1 dbName, 2 tblName (string) or tblNames (list<string>). */
function readTableRequest(input: TProtocol): { db: string; names: string[] } {
  const request = { db: '', names: [] as string[] };
  readArgs(input, {
    1: (p) =>
      readFields(p, (id, type) => {
        if (id === 1 && type === T.STRING) request.db = p.readString();
        else if (id === 2 && type === T.STRING) request.names = [p.readString()];
        else if (id === 2 && type === T.LIST) {
          const list = p.readListBegin();
          for (let i = 0; i < list.size; i++) request.names.push(p.readString());
          p.readListEnd();
        } else return false;
        return true;
      }),
  });
  return request;
}
