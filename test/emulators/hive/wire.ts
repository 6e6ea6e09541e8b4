// The emulator's side of the Thrift binary wire: writes Table / NotificationEvent structs the way each
// Hive version fills them (including fields the connector does not know, so its skipping is exercised:
// nested structs, lists of lists, maps keyed by lists, binary, i64), and reads request arguments.
// Uses thrift's TBinaryProtocol directly; independent of the connector's codec.
import thrift from 'thrift';
import type { TProtocol } from 'thrift';
import type { EmulatedTable, HiveVersion, LogEvent } from './types.js';

export const T = { STOP: 0, BOOL: 2, BYTE: 3, DOUBLE: 4, I16: 6, I32: 8, I64: 10, STRING: 11, STRUCT: 12, MAP: 13, SET: 14, LIST: 15 } as const;

export function writeI64(p: TProtocol, value: bigint): void {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(value);
  p.writeI64(new thrift.Int64(bytes));
}

export function readI64(p: TProtocol): bigint {
  const value = p.readI64();
  return value.buffer.readBigInt64BE(value.offset);
}

function field(p: TProtocol, type: number, id: number, write: () => void): void {
  p.writeFieldBegin('', type as never, id);
  write();
  p.writeFieldEnd();
}

const string = (p: TProtocol, id: number, value: string) => field(p, T.STRING, id, () => p.writeString(value));
const i32 = (p: TProtocol, id: number, value: number) => field(p, T.I32, id, () => p.writeI32(value));
const bool = (p: TProtocol, id: number, value: boolean) => field(p, T.BOOL, id, () => p.writeBool(value));

function stringMap(p: TProtocol, id: number, values: Readonly<Record<string, string>>): void {
  field(p, T.MAP, id, () => {
    const entries = Object.entries(values);
    p.writeMapBegin(T.STRING as never, T.STRING as never, entries.length);
    for (const [k, v] of entries) {
      p.writeString(k);
      p.writeString(v);
    }
    p.writeMapEnd();
  });
}

function struct(p: TProtocol, body: () => void): void {
  p.writeStructBegin('');
  body();
  p.writeFieldStop();
  p.writeStructEnd();
}

function storageDescriptor(p: TProtocol, table: EmulatedTable): void {
  struct(p, () => {
    field(p, T.LIST, 1, () => {
      p.writeListBegin(T.STRUCT as never, 2);
      for (const [name, type] of [['id', 'bigint'], ['data', 'string']]) struct(p, () => (string(p, 1, name!), string(p, 2, type!)));
      p.writeListEnd();
    });
    string(p, 2, table.location);
    string(p, 3, 'org.apache.iceberg.mr.hive.HiveIcebergInputFormat');
    string(p, 4, 'org.apache.iceberg.mr.hive.HiveIcebergOutputFormat');
    bool(p, 5, false);
    i32(p, 6, -1);
    field(p, T.STRUCT, 7, () => struct(p, () => (string(p, 2, 'org.apache.iceberg.mr.hive.HiveIcebergSerDe'), stringMap(p, 3, { 'serialization.format': '1' }))));
    field(p, T.LIST, 8, () => (p.writeListBegin(T.STRING as never, 0), p.writeListEnd()));
    field(p, T.LIST, 9, () => (p.writeListBegin(T.STRUCT as never, 0), p.writeListEnd()));
    stringMap(p, 10, {});
    // SkewedInfo: list<list<string>> and map<list<string>,string> — types a skipper must handle.
    field(p, T.STRUCT, 11, () =>
      struct(p, () => {
        field(p, T.LIST, 1, () => (p.writeListBegin(T.STRING as never, 1), p.writeString('c'), p.writeListEnd()));
        field(p, T.LIST, 2, () => {
          p.writeListBegin(T.LIST as never, 1);
          p.writeListBegin(T.STRING as never, 2);
          p.writeString('a');
          p.writeString('b');
          p.writeListEnd();
          p.writeListEnd();
        });
        field(p, T.MAP, 3, () => {
          p.writeMapBegin(T.LIST as never, T.STRING as never, 1);
          p.writeListBegin(T.STRING as never, 1);
          p.writeString('a');
          p.writeListEnd();
          p.writeString('s3://skewed');
          p.writeMapEnd();
        });
      }),
    );
    bool(p, 12, false);
  });
}

/** A Table struct with the fields `version` sends; Hive 4 adds several the connector does not read. */
export function writeTable(p: TProtocol, table: EmulatedTable, version: HiveVersion): void {
  struct(p, () => {
    string(p, 1, table.tableName);
    string(p, 2, table.dbName);
    string(p, 3, table.owner);
    i32(p, 4, table.createTime);
    i32(p, 5, 0);
    i32(p, 6, 0);
    field(p, T.STRUCT, 7, () => storageDescriptor(p, table));
    field(p, T.LIST, 8, () => (p.writeListBegin(T.STRUCT as never, 0), p.writeListEnd()));
    stringMap(p, 9, table.parameters);
    string(p, 12, table.tableType);
    bool(p, 14, false);
    if (version !== '2.3') {
      bool(p, 15, false);
      string(p, 17, table.catName);
      i32(p, 18, 1);
    }
    if (version === '4') {
      field(p, T.I64, 19, () => writeI64(p, 0n));
      field(p, T.BYTE, 22, () => p.writeByte(8));
      field(p, T.LIST, 23, () => (p.writeListBegin(T.STRING as never, 1), p.writeString('HIVEFULLACIDWRITE'), p.writeListEnd()));
      field(p, T.I64, 25, () => writeI64(p, table.id));
      // ObjectDictionary { 1: map<string, list<binary>> }
      field(p, T.STRUCT, 27, () =>
        struct(p, () =>
          field(p, T.MAP, 1, () => {
            p.writeMapBegin(T.STRING as never, T.LIST as never, 1);
            p.writeString('k');
            p.writeListBegin(T.STRING as never, 1);
            p.writeBinary(Buffer.from([0, 1, 2, 255]));
            p.writeListEnd();
            p.writeMapEnd();
          }),
        ),
      );
      field(p, T.DOUBLE, 40, () => p.writeDouble(1.5));
      field(p, T.SET, 41, () => (p.writeSetBegin(T.I64 as never, 1), writeI64(p, 2n ** 62n), p.writeSetEnd()));
    }
  });
}

export function writeNotificationEvent(p: TProtocol, event: LogEvent, version: HiveVersion): void {
  // Encoded at the append: the binary protocol is the concatenation of what it writes, so the bytes go
  // out as they are (thrift writes each header byte and integer as a new Buffer of its own).
  if (event.wire) return (p as unknown as { trans: { write(bytes: Buffer): void } }).trans.write(event.wire);
  const { message, messageFormat } = event.render();
  struct(p, () => {
    field(p, T.I64, 1, () => writeI64(p, event.eventId));
    i32(p, 2, event.eventTime);
    string(p, 3, event.eventType);
    if (event.dbName !== undefined) string(p, 4, event.dbName);
    if (event.tableName !== undefined) string(p, 5, event.tableName);
    string(p, 6, message);
    string(p, 7, messageFormat);
    if (version !== '2.3') string(p, 8, event.catName);
  });
}

/** The NotificationEvent struct's bytes, as writeNotificationEvent puts them on the wire. */
export function encodeNotificationEvent(event: LogEvent, version: HiveVersion): Buffer {
  const parts: Buffer[] = [];
  const transport = new thrift.TBufferedTransport(undefined, (bytes?: Buffer) => {
    if (bytes) parts.push(bytes);
  });
  writeNotificationEvent(new thrift.TBinaryProtocol(transport), event, version);
  transport.flush();
  return Buffer.concat(parts);
}

/** Reads a struct, handing each field to `read` (return false to skip it). */
export function readFields(p: TProtocol, read: (id: number, type: number) => boolean): void {
  p.readStructBegin();
  for (;;) {
    const header = p.readFieldBegin();
    if (header.ftype === (T.STOP as number)) break;
    if (!read(header.fid, header.ftype)) p.skip(header.ftype);
    p.readFieldEnd();
  }
  p.readStructEnd();
}

export function writeStringList(p: TProtocol, values: readonly string[]): void {
  p.writeListBegin(T.STRING as never, values.length);
  for (const value of values) p.writeString(value);
  p.writeListEnd();
}

export { field, struct, string as writeStringField };
