import { TType } from './wire-types.js';

/**
 * Where a TBinaryProtocol message ends, without decoding it. The buffered transport has no length
 * prefix, so a reply spread over many TCP chunks is only decodable once complete; decoding after each
 * chunk (what thrift's own TBufferedTransport.receiver does, rolling back on underrun) costs quadratic
 * time on the large get_next_notification replies. Walking the structure is cheap: strings are
 * jumped over, never copied.
 */
export class ThriftProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThriftProtocolError';
  }
}

const VERSION_MASK = 0xffff0000 | 0;
const VERSION_1 = 0x80010000 | 0;
const MAX_DEPTH = 64;

/** Fixed wire sizes; undefined for variable-size types. */
const FIXED: Partial<Record<number, number>> = {
  [TType.BOOL]: 1,
  [TType.BYTE]: 1,
  [TType.I16]: 2,
  [TType.I32]: 4,
  [TType.I64]: 8,
  [TType.DOUBLE]: 8,
};

/** Thrown internally when the buffer ends before the message does. */
const INCOMPLETE = Symbol('incomplete');

/**
 * The byte length of the message starting at buffer[0], or undefined while incomplete. Throws
 * ThriftProtocolError when the bytes cannot be a Thrift binary message (e.g. the peer is not a
 * metastore), or a size exceeds maxBytes.
 */
export function binaryMessageLength(buffer: Buffer, maxBytes: number): number | undefined {
  const scanner = new Scanner(buffer, maxBytes);
  try {
    scanner.messageHeader();
    scanner.value(TType.STRUCT, 0);
    return scanner.offset;
  } catch (error) {
    if (error === INCOMPLETE) return undefined;
    throw error;
  }
}

class Scanner {
  offset = 0;

  constructor(
    private readonly buffer: Buffer,
    private readonly maxBytes: number,
  ) {}

  messageHeader(): void {
    const size = this.i32();
    if (size < 0) {
      if ((size & VERSION_MASK) !== VERSION_1) throw new ThriftProtocolError(`bad Thrift message version ${size >>> 0}`);
      this.skipBytes(this.length());
    } else {
      // Old non-strict header: the name's length first, then the name, a type byte.
      this.skipBytes(this.checkedLength(size));
      this.skipBytes(1);
    }
    this.skipBytes(4); // seqid
  }

  value(type: number, depth: number): void {
    if (depth > MAX_DEPTH) throw new ThriftProtocolError('Thrift structure nested too deeply');
    const fixed = FIXED[type];
    if (fixed !== undefined) return this.skipBytes(fixed);
    switch (type) {
      case TType.STRING:
        return this.skipBytes(this.length());
      case TType.STRUCT:
        for (;;) {
          const fieldType = this.byte();
          if (fieldType === TType.STOP) return;
          this.skipBytes(2);
          this.value(fieldType, depth + 1);
        }
      case TType.MAP: {
        const keyType = this.byte();
        const valueType = this.byte();
        const count = this.length();
        this.elements(count, keyType, valueType, depth);
        return;
      }
      case TType.SET:
      case TType.LIST: {
        const elementType = this.byte();
        this.elements(this.length(), elementType, undefined, depth);
        return;
      }
      default:
        throw new ThriftProtocolError(`unknown Thrift type ${type}`);
    }
  }

  private elements(count: number, first: number, second: number | undefined, depth: number): void {
    const a = FIXED[first];
    const b = second === undefined ? 0 : FIXED[second];
    if (count > 0 && a !== undefined && b !== undefined) return this.skipBytes(count * (a + b));
    for (let i = 0; i < count; i++) {
      this.value(first, depth + 1);
      if (second !== undefined) this.value(second, depth + 1);
    }
  }

  private byte(): number {
    if (this.offset + 1 > this.buffer.length) throw INCOMPLETE;
    return this.buffer[this.offset++]!;
  }

  private i32(): number {
    if (this.offset + 4 > this.buffer.length) throw INCOMPLETE;
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  private length(): number {
    return this.checkedLength(this.i32());
  }

  private checkedLength(size: number): number {
    if (size < 0) throw new ThriftProtocolError(`negative Thrift size ${size}`);
    if (size > this.maxBytes) throw new ThriftProtocolError(`Thrift size ${size} exceeds the ${this.maxBytes}-byte message limit`);
    return size;
  }

  private skipBytes(count: number): void {
    if (this.offset + count > this.buffer.length) throw INCOMPLETE;
    this.offset += count;
  }
}
