// Splitting a metastore's byte stream into Thrift replies: any cut of the stream into chunks yields the
// same replies; a reply larger than the limit fails as soon as that much of it is buffered (a 1 GiB
// reply used to be accepted); and each chunk is scanned from where the last one stopped, never from the
// start of the reply again (that was quadratic in the reply's size).
import thrift from 'thrift';
import type { TProtocol } from 'thrift';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HmsClient } from '../../adapters/hive/metastore/hms-client.js';
import { parseHmsUri } from '../../adapters/hive/metastore/hms-uri.js';
import { DEFAULT_MAX_REPLY_BYTES, ReplyReader, ThriftProtocolError, ThriftReplyTooLargeError } from '../../adapters/hive/thrift/message-scanner.js';
import { MetastoreTransport } from '../../adapters/hive/transport/metastore-transport.js';
import { TType } from '../../adapters/hive/thrift/wire-types.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { startHiveMetastoreEmulator, type HiveMetastoreEmulator } from '../emulators/hive/index.js';

/** A reply message whose result struct is written by `body`, as thrift's own writer encodes it. */
function reply(body: (p: TProtocol) => void, seqid = 7): Buffer {
  let bytes: Buffer | undefined;
  const protocol = new thrift.TBinaryProtocol(new thrift.TBufferedTransport(undefined, (b) => (bytes = b)));
  protocol.writeMessageBegin('get_next_notification', 2 as never, seqid);
  protocol.writeStructBegin('');
  body(protocol);
  protocol.writeFieldStop();
  protocol.writeStructEnd();
  protocol.writeMessageEnd();
  protocol.flush();
  return bytes!;
}

function framed(message: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(message.length);
  return Buffer.concat([prefix, message]);
}

/** A Thrift value of any shape, written field 0 of the result struct. */
type Value = { t: 'i32'; v: number } | { t: 'str'; v: string } | { t: 'list'; v: Value[] } | { t: 'map'; v: Array<[string, Value]> } | { t: 'struct'; v: Value[] };
const value: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer().map((v) => ({ t: 'i32' as const, v })),
    fc.string({ maxLength: 40 }).map((v) => ({ t: 'str' as const, v })),
    fc.array(tie('value'), { maxLength: 4 }).map((v) => ({ t: 'list' as const, v })),
    fc.array(fc.tuple(fc.string({ maxLength: 8 }), tie('value')), { maxLength: 3 }).map((v) => ({ t: 'map' as const, v })),
    fc.array(tie('value'), { maxLength: 4 }).map((v) => ({ t: 'struct' as const, v })),
  ),
})).value;

function typeOf(value: Value): number {
  return { i32: TType.I32, str: TType.STRING, list: TType.LIST, map: TType.MAP, struct: TType.STRUCT }[value.t];
}

function write(p: TProtocol, value: Value): void {
  switch (value.t) {
    case 'i32':
      return p.writeI32(value.v);
    case 'str':
      return p.writeString(value.v);
    case 'list':
      // A list holds one element type: its elements are written as strings of their JSON when mixed.
      p.writeListBegin(TType.STRING as never, value.v.length);
      for (const item of value.v) p.writeString(JSON.stringify(item));
      return p.writeListEnd();
    case 'map':
      p.writeMapBegin(TType.STRING as never, TType.STRUCT as never, value.v.length);
      for (const [key, item] of value.v) {
        p.writeString(key);
        p.writeStructBegin('');
        p.writeFieldBegin('', typeOf(item) as never, 1);
        write(p, item);
        p.writeFieldEnd();
        p.writeFieldStop();
        p.writeStructEnd();
      }
      return p.writeMapEnd();
    case 'struct':
      p.writeStructBegin('');
      value.v.forEach((item, i) => {
        p.writeFieldBegin('', typeOf(item) as never, i + 1);
        write(p, item);
        p.writeFieldEnd();
      });
      p.writeFieldStop();
      return p.writeStructEnd();
  }
}

function messageOf(v: Value, seqid: number): Buffer {
  return reply((p) => {
    p.writeFieldBegin('', typeOf(v) as never, 0);
    write(p, v);
    p.writeFieldEnd();
  }, seqid);
}

/** Cuts bytes at the given fractions (sorted, deduplicated). */
function cut(bytes: Buffer, fractions: number[]): Buffer[] {
  const points = [...new Set(fractions.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    if (point > from) chunks.push(bytes.subarray(from, point));
    from = Math.max(from, point);
  }
  chunks.push(bytes.subarray(from));
  return chunks.filter((c) => c.length > 0);
}

/** The replies a chunk completes, copied out (each is a view of the reader's buffer only during its callback). */
function push(reader: ReplyReader, chunk: Buffer): Buffer[] {
  const replies: Buffer[] = [];
  reader.push(chunk, (reply) => replies.push(Buffer.from(reply)));
  return replies;
}

describe('ReplyReader', () => {
  it('property: however the stream is cut into chunks, the same replies come out, in order (both transports)', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }), fc.boolean(), (values, fractions, isFramed) => {
        const messages = values.map((v, i) => messageOf(v, i + 1));
        const stream = Buffer.concat(messages.map((m) => (isFramed ? framed(m) : m)));
        const reader = new ReplyReader(isFramed ? 'framed' : 'buffered', 1 << 20);
        const out = cut(stream, fractions).flatMap((chunk) => push(reader, chunk));
        expect(out).toEqual(messages);
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('a reply above the limit fails as soon as that much of it is buffered, without waiting for the rest', () => {
    // A list of many small strings: each size is fine, the total is not.
    const big = reply((p) => {
      p.writeFieldBegin('', TType.LIST as never, 0);
      p.writeListBegin(TType.STRING as never, 40_000);
      for (let i = 0; i < 40_000; i++) p.writeString(`event-message-${i}`);
      p.writeListEnd();
      p.writeFieldEnd();
    });
    expect(big.length).toBeGreaterThan(800_000);
    const limit = 256 * 1024;
    for (const framing of ['buffered', 'framed'] as const) {
      const reader = new ReplyReader(framing, limit);
      const stream = framing === 'framed' ? framed(big) : big;
      let fed = 0;
      const feed = () => {
        for (let at = 0; at < stream.length; at += 16 * 1024) {
          push(reader, stream.subarray(at, at + 16 * 1024));
          fed = at + 16 * 1024;
        }
      };
      expect(feed).toThrow(ThriftReplyTooLargeError);
      expect(fed).toBeLessThanOrEqual(limit + 32 * 1024);
    }
  });

  it('each chunk continues the scan where the last one stopped: work grows with the reply, not with reply × chunks', () => {
    const count = 20_000;
    const big = reply((p) => {
      p.writeFieldBegin('', TType.LIST as never, 0);
      p.writeListBegin(TType.STRUCT as never, count);
      for (let i = 0; i < count; i++) {
        p.writeStructBegin('');
        p.writeFieldBegin('', TType.STRING as never, 3);
        p.writeString('ALTER_TABLE');
        p.writeFieldEnd();
        p.writeFieldStop();
        p.writeStructEnd();
      }
      p.writeListEnd();
      p.writeFieldEnd();
    });
    const reader = new ReplyReader('buffered', 64 << 20);
    // Every string length is read with readInt32BE: count those reads over the whole reply.
    const reads = vi.spyOn(Buffer.prototype, 'readInt32BE');
    try {
      const out: Buffer[] = [];
      for (let at = 0; at < big.length; at += 1024) out.push(...push(reader, big.subarray(at, at + 1024)));
      expect(out).toEqual([big]);
      const chunks = Math.ceil(big.length / 1024);
      // Rescanning from the start on every chunk would read about count × chunks / 2 lengths (~3 million).
      expect(reads.mock.calls.length).toBeLessThan(count + 4 * chunks);
    } finally {
      reads.mockRestore();
    }
  }, 120_000);

  it('bytes that are not Thrift binary are refused', () => {
    expect(() => push(new ReplyReader('buffered', 1 << 20), Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))).toThrow(ThriftProtocolError);
    expect(() => push(new ReplyReader('framed', 1 << 20), Buffer.from([0x7f, 0xff, 0xff, 0xff]))).toThrow(/frame size 2147483647 exceeds/);
    const message = messageOf({ t: 'i32', v: 1 }, 1);
    message[message.length - 8] = 99; // the type byte of field 0 (type, id, i32, stop): no such Thrift type
    expect(() => push(new ReplyReader('buffered', 1 << 20), message)).toThrow(/unknown Thrift type 99/);
  });

  it('property: random bytes never throw anything but ThriftProtocolError, and never return more than was sent', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (bytes, isFramed) => {
        const reader = new ReplyReader(isFramed ? 'framed' : 'buffered', 4096);
        try {
          const out = push(reader, Buffer.from(bytes));
          expect(out.reduce((n, m) => n + m.length, 0)).toBeLessThanOrEqual(bytes.length);
        } catch (error) {
          expect(error).toBeInstanceOf(ThriftProtocolError);
        }
      }),
      { numRuns: 2_000 },
    );
  }, 120_000);
});

describe('a metastore reply larger than maxReplyBytes', () => {
  let hms: HiveMetastoreEmulator | undefined;
  afterEach(async () => {
    await hms?.close();
  });

  it('fails the call with the limit named, and the same call succeeds within the default limit', async () => {
    hms = await startHiveMetastoreEmulator();
    hms.metastore.createDatabase('db');
    hms.metastore.createIcebergTable('db', 't', { metadataLocation: 's3://lake/db/t/metadata/v1.metadata.json', extraParameters: { padding: 'x'.repeat(200_000) } });
    const client = (maxReplyBytes = DEFAULT_MAX_REPLY_BYTES) =>
      new HmsClient({
        source: 'hms',
        addresses: [parseHmsUri(hms!.uri)!],
        transport: new MetastoreTransport({ name: 'hms', transport: 'buffered', auth: { type: 'none' }, tls: undefined, headers: {}, connectTimeoutMs: 5_000, maxReplyBytes }),
        catalogName: undefined,
        connectTimeoutMs: 5_000,
        callTimeoutMs: 10_000,
        metrics: new Metrics(),
        logger: silentLogger(),
        rounds: 1,
        roundDelayMs: 1,
      });
    const small = client(64 * 1024);
    try {
      await expect(small.table('db', 't')).rejects.toThrow(/exceeds the 65536-byte message limit; raise maxReplyBytes/);
    } finally {
      small.close();
    }
    const ample = client();
    try {
      expect((await ample.table('db', 't'))?.parameters.get('padding')).toHaveLength(200_000);
    } finally {
      ample.close();
    }
  }, 120_000);
});
