// The hand-written Thrift client's codec: where a binary message ends, reading metastore structs with
// unknown fields (Hive 2.3 / 3 / 4), i64 event ids beyond 2^53, declared exceptions. The bytes are
// written by the emulator's independent writer (test/emulators/hive/wire.ts) with thrift's protocol.
import thrift from 'thrift';
import type { TProtocol } from 'thrift';
import { describe, expect, it } from 'vitest';
import { HmsException, readResult } from '../../adapters/hive/metastore/results.js';
import { MessagePool } from '../../adapters/hive/metastore/message-pool.js';
import { readNotificationEventResponse, readTable, writeNotificationEventRequest } from '../../adapters/hive/metastore/structs.js';
import { parseEventId, readI64 } from '../../adapters/hive/thrift/i64.js';
import { binaryMessageLength, ReplyReader, ThriftProtocolError } from '../../adapters/hive/thrift/message-scanner.js';
import { TType } from '../../adapters/hive/thrift/wire-types.js';
import type { EmulatedTable, HiveVersion, LogEvent } from '../emulators/hive/types.js';
import { readFields, writeNotificationEvent, writeTable } from '../emulators/hive/wire.js';

/** Encodes with thrift's TBinaryProtocol over a buffered transport and returns the bytes. */
function encode(write: (p: TProtocol) => void): Buffer {
  let bytes: Buffer | undefined;
  const protocol = new thrift.TBinaryProtocol(new thrift.TBufferedTransport(undefined, (b) => (bytes = b)));
  write(protocol);
  protocol.flush();
  return bytes!;
}

const reader = (bytes: Buffer) => new thrift.TBinaryProtocol(new thrift.TFramedTransport(bytes));

/** An ALTER_TABLE event of sales.orders as the emulator logs it. */
const alterEvent = (eventId: bigint, message: string): LogEvent => ({
  eventId,
  eventTime: 1_700_000_000,
  eventType: 'ALTER_TABLE',
  dbName: 'sales',
  tableName: 'orders',
  catName: 'hive',
  render: () => ({ message, messageFormat: 'json-0.2' }),
});

/** A NotificationEventResponse (1: list<NotificationEvent>) holding `events`, as Hive 4 writes it. */
function responseBytes(events: readonly LogEvent[]): Buffer {
  return encode((p) => {
    p.writeStructBegin('');
    p.writeFieldBegin('', TType.LIST as never, 1);
    p.writeListBegin(TType.STRUCT as never, events.length);
    for (const event of events) writeNotificationEvent(p, event, '4');
    p.writeListEnd();
    p.writeFieldEnd();
    p.writeFieldStop();
    p.writeStructEnd();
  });
}

/** A `<method>_result` reply message with field 0 (or an exception field) written by `body`. */
function reply(method: string, body: (p: TProtocol) => void): Buffer {
  return encode((p) => {
    p.writeMessageBegin(method, 2 as never, 7);
    p.writeStructBegin('');
    body(p);
    p.writeFieldStop();
    p.writeStructEnd();
    p.writeMessageEnd();
  });
}

const TABLE: EmulatedTable = {
  dbName: 'sales',
  tableName: 'orders',
  owner: 'hive',
  createTime: 1_700_000_000,
  tableType: 'EXTERNAL_TABLE',
  location: 's3://lake/sales/orders',
  parameters: { table_type: 'ICEBERG', metadata_location: 's3://lake/sales/orders/metadata/00003-a.metadata.json', uuid: 'u-1', ['__proto__']: 'kept as a key' },
  catName: 'hive',
  id: 2n ** 60n,
};

describe('binaryMessageLength (where a buffered-transport reply ends)', () => {
  const message = reply('get_table_req', (p) => {
    p.writeFieldBegin('', TType.STRUCT as never, 0);
    p.writeStructBegin('');
    p.writeFieldBegin('', TType.STRUCT as never, 1);
    writeTable(p, TABLE, '4');
    p.writeFieldEnd();
    p.writeFieldStop();
    p.writeStructEnd();
    p.writeFieldEnd();
  });

  it('is undefined for every proper prefix and the full length once complete', () => {
    for (let cut = 0; cut < message.length; cut++) expect(binaryMessageLength(message.subarray(0, cut), 1 << 20), `prefix ${cut}`).toBeUndefined();
    expect(binaryMessageLength(message, 1 << 20)).toBe(message.length);
  });

  it('stops at the end of the first message when two arrive together', () => {
    expect(binaryMessageLength(Buffer.concat([message, message]), 1 << 20)).toBe(message.length);
  });

  it('refuses bytes that are not Thrift binary (an HTTP server on that port) and oversized strings', () => {
    expect(() => binaryMessageLength(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), 1 << 20)).toThrow(ThriftProtocolError);
    expect(() => binaryMessageLength(Buffer.from([0x80, 0x01, 0x00, 0x02, 0x7f, 0xff, 0xff, 0xff]), 1 << 20)).toThrow(/exceeds/);
    expect(() => binaryMessageLength(Buffer.from([0x81, 0x01, 0x00, 0x02, 0, 0, 0, 0]), 1 << 20)).toThrow(/version/);
  });
});

describe('reading metastore structs', () => {
  it.each<HiveVersion>(['2.3', '3', '4'])('a Hive %s Table: the needed fields, every unknown field skipped', (version) => {
    const bytes = encode((p) => {
      writeTable(p, TABLE, version);
      // A marker after the table proves the reader consumed exactly the table's bytes.
      p.writeI32(424242);
    });
    const protocol = reader(bytes);
    const table = readTable(protocol);
    expect(protocol.readI32()).toBe(424242);
    expect(table).toMatchObject({ tableName: 'orders', dbName: 'sales', tableType: 'EXTERNAL_TABLE', location: 's3://lake/sales/orders', catName: version === '2.3' ? undefined : 'hive' });
    expect(table.parameters.get('metadata_location')).toBe(TABLE.parameters.metadata_location);
    expect(table.parameters.get('__proto__')).toBe('kept as a key');
  });

  it('a known field id with an unexpected wire type is skipped, not misread', () => {
    const bytes = encode((p) => {
      p.writeStructBegin('');
      p.writeFieldBegin('', TType.I32 as never, 1); // tableName as i32: not what we know
      p.writeI32(5);
      p.writeFieldBegin('', TType.STRING as never, 2);
      p.writeString('db');
      p.writeFieldStop();
      p.writeStructEnd();
    });
    expect(readTable(reader(bytes))).toMatchObject({ tableName: '', dbName: 'db' });
  });

  it('event ids beyond 2^53 are exact (i64 as bigint), in both directions', () => {
    const ids = [1n, 2n ** 53n + 1n, 2n ** 63n - 1n];
    const read = readNotificationEventResponse(reader(responseBytes(ids.map((eventId) => alterEvent(eventId, '{}')))));
    expect(read.map((e) => e.eventId)).toEqual(ids);
    expect(read[1]).toMatchObject({ eventTime: 1_700_000_000, eventType: 'ALTER_TABLE', dbName: 'sales', tableName: 'orders', message: '{}', messageFormat: 'json-0.2', catName: 'hive' });

    const request = encode((p) => writeNotificationEventRequest(p, 2n ** 63n - 2n, 500));
    let lastEvent = 0n;
    let maxEvents = 0;
    const protocol = reader(request);
    readFields(protocol, (id, type) => {
      if (id === 1 && type === TType.I64) lastEvent = readI64(protocol);
      else if (id === 2) maxEvents = protocol.readI32();
      else return false;
      return true;
    });
    expect([lastEvent, maxEvents]).toEqual([2n ** 63n - 2n, 500]);
  });

  it("an event's message is kept as bytes and decoded as UTF-8 when read (multi-byte text and an empty message included)", () => {
    const messages = ['{"table":"bestellungen_ü","comment":"売上 🚀"}', ''];
    const read = readNotificationEventResponse(reader(responseBytes(messages.map((message, i) => alterEvent(BigInt(i + 1), message)))));
    // Not a string field: a batch's messages stay out of the JS heap until each is interpreted.
    expect(typeof Object.getOwnPropertyDescriptor(read[0], 'message')?.get).toBe('function');
    expect(read.map((e) => e.message)).toEqual(messages);
    expect(read[0]!.message).toBe(messages[0]); // read again: the same text
    expect({ ...read[0] }).toMatchObject({ message: messages[0], eventType: 'ALTER_TABLE' });
  });

  it("events keep their messages after the connection's receive buffer is reused for the next reply", () => {
    // A framed reply: a 4-byte big-endian length, then the response.
    const frame = (messages: string[]) => {
      const body = responseBytes(messages.map((message, i) => alterEvent(BigInt(i + 1), message)));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(body.length);
      return Buffer.concat([length, body]);
    };
    const first = ['{"a":"first batch, first message"}', '{"a":"first batch, second message"}'];
    const second = ['{"b":"SECOND BATCH, FIRST MESSAGE!"}', '{"b":"SECOND BATCH, SECOND MESSAGE"}'];
    const replies = new ReplyReader('framed', 1 << 20);
    const batches: Array<ReturnType<typeof readNotificationEventResponse>> = [];
    // Each reply is a view of the same buffer, decoded while it is handed over (as the connection does).
    for (const messages of [first, second]) replies.push(frame(messages), (view) => batches.push(readNotificationEventResponse(reader(view))));
    expect(batches.map((events) => events.map((e) => e.message))).toEqual([first, second]);
  });

  it('a batch lent memory by the pool keeps its messages until released; the next batch then reuses that memory', () => {
    const pool = new MessagePool();
    const replies = new ReplyReader('framed', 1 << 20);
    const read = (messages: string[]) => {
      const body = responseBytes(messages.map((message, i) => alterEvent(BigInt(i + 1), message)));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(body.length);
      let events: ReturnType<typeof readNotificationEventResponse> = [];
      replies.push(Buffer.concat([length, body]), (view) => (events = readNotificationEventResponse(reader(view), pool)));
      return events;
    };
    const first = read(['{"a":"first batch, first message"}', '{"a":"first batch, second message"}']);
    // Not released yet: the second batch gets memory of its own.
    const second = read(['{"b":"SECOND BATCH, FIRST MESSAGE!"}', '{"b":"SECOND BATCH, SECOND MESSAGE"}']);
    expect(first.map((e) => e.message)).toEqual(['{"a":"first batch, first message"}', '{"a":"first batch, second message"}']);
    expect(pool.kept).toBe(0);

    first[1]!.releaseMessage!();
    first[0]!.releaseMessage!(); // any event of the batch releases it, once
    expect(pool.kept).toBe(1);
    expect(() => first[0]!.message).toThrow(/read after its batch gave its memory back/);

    const third = read(['{"c":"third batch overwrites the first one\'s memory"}']);
    expect(pool.kept).toBe(0);
    expect(third.map((e) => e.message)).toEqual(['{"c":"third batch overwrites the first one\'s memory"}']);
    expect(second.map((e) => e.message)).toEqual(['{"b":"SECOND BATCH, FIRST MESSAGE!"}', '{"b":"SECOND BATCH, SECOND MESSAGE"}']);
  });

  it('a reply without messages (a caught-up log) takes no memory from the pool', () => {
    const pool = new MessagePool();
    pool.lease(100).release();
    expect(readNotificationEventResponse(reader(responseBytes([])), pool)).toEqual([]);
    expect(readNotificationEventResponse(reader(responseBytes([alterEvent(1n, '')])), pool).map((e) => e.message)).toEqual(['']);
    expect(pool.kept).toBe(1);
  });

  it('the pool keeps at most its limit in bytes between batches', () => {
    // Leases are at least 64 KiB, rounded up to a power of two: 64 + 64 KiB fit in 160 KiB, a third does not, nor 2 MiB.
    const pool = new MessagePool(160 * 1024);
    const leases = [pool.lease(100), pool.lease(100), pool.lease(100), pool.lease(2 << 20)];
    for (const lease of leases) lease.release();
    expect(pool.kept).toBe(2);
    // A released lease given back twice is kept once: one buffer is never lent to two batches.
    const again = pool.lease(100);
    again.release();
    again.release();
    expect(pool.kept).toBe(2);
  });

  it('parseEventId takes decimal i64 strings only', () => {
    expect(parseEventId('9223372036854775807')).toBe(2n ** 63n - 1n);
    expect(parseEventId('9223372036854775808')).toBeUndefined();
    for (const bad of ['', '-1', '1e3', ' 1', '0x10', '12a']) expect(parseEventId(bad), bad).toBeUndefined();
  });
});

describe('result structs', () => {
  const GET_TABLE = { 1: 'MetaException', 2: 'NoSuchObjectException' };
  const decode = (bytes: Buffer) => {
    const protocol = reader(bytes);
    protocol.readMessageBegin();
    return readResult(protocol, 'get_all_tables', { type: TType.LIST, read: (p) => p.readListBegin().size }, GET_TABLE);
  };

  it('field 0 is the return value', () => {
    const bytes = reply('get_all_tables', (p) => {
      p.writeFieldBegin('', TType.LIST as never, 0);
      p.writeListBegin(TType.STRING as never, 0);
      p.writeListEnd();
      p.writeFieldEnd();
    });
    expect(decode(bytes)).toBe(0);
  });

  it('a declared exception is thrown by name; NoSuchObjectException is a definite not-found', () => {
    const exception = (field: number) =>
      reply('get_table_req', (p) => {
        p.writeFieldBegin('', TType.STRUCT as never, field);
        p.writeStructBegin('');
        p.writeFieldBegin('', TType.STRING as never, 1);
        p.writeString('sales.orders table not found');
        p.writeFieldEnd();
        p.writeFieldStop();
        p.writeStructEnd();
        p.writeFieldEnd();
      });
    const notFound = (() => {
      try {
        decode(exception(2));
      } catch (error) {
        return error as HmsException;
      }
    })();
    expect(notFound).toBeInstanceOf(HmsException);
    expect(notFound).toMatchObject({ kind: 'NoSuchObjectException', notFound: true, message: 'NoSuchObjectException: sales.orders table not found' });
    expect(() => decode(exception(1))).toThrow(expect.objectContaining({ kind: 'MetaException', notFound: false }));
  });

  it('a result without field 0 (or with the wrong type there) is an error, not undefined', () => {
    expect(() => decode(reply('get_all_tables', () => undefined))).toThrow(/without a result/);
    const wrongType = reply('get_all_tables', (p) => {
      p.writeFieldBegin('', TType.STRING as never, 0);
      p.writeString('x');
      p.writeFieldEnd();
    });
    expect(() => decode(wrongType)).toThrow(/without a result/);
  });
});
