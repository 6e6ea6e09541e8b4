import { TType } from './wire-types.js';

/**
 * Where the Thrift replies in a byte stream end, without decoding them: ReplyReader splits what a
 * metastore sends into whole replies, for either transport.
 *
 * - Framed: each reply has a 4-byte length prefix.
 * - Buffered: nothing says where a reply ends; only walking its structure does. thrift's own
 *   TBufferedTransport.receiver decodes the whole reply again after every TCP chunk (rolling back on
 *   underrun), which costs quadratic time on large get_next_notification replies. Here the walk is
 *   incremental: it keeps its place (a stack of open structs, lists and maps) between chunks, so each
 *   byte is looked at about once. Strings are jumped over, never copied.
 *
 * Both are bounded: a reply (or a frame) larger than maxReplyBytes fails the connection as soon as that
 * many bytes of it are buffered, so a misdirected or hostile peer cannot make the client buffer
 * without end. Nothing here knows sockets: any transport (TCP, TLS, SASL) feeds it the plain Thrift
 * bytes it received.
 */
export class ThriftProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThriftProtocolError';
  }
}

/** A reply (or a size inside it) beyond the limit: the bytes may be fine, there are just too many. */
export class ThriftReplyTooLargeError extends ThriftProtocolError {
  constructor(message: string) {
    super(message);
    this.name = 'ThriftReplyTooLargeError';
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

export type TransportFraming = 'buffered' | 'framed';

/** 256 MiB: a batch of 500 notification messages with large table objects fits; a runaway reply does not. */
export const DEFAULT_MAX_REPLY_BYTES = 256 * 1024 * 1024;

const INITIAL_BUFFER_BYTES = 64 * 1024;
/**
 * The receive buffer is kept between replies up to this size (a batch of the notification log is
 * 1-2 MiB): writing into memory already in use is cheaper than into a fresh allocation, whose pages
 * the kernel maps in on first touch. A buffer grown beyond it for a rare huge reply is let go.
 */
const KEPT_BUFFER_BYTES = 16 * 1024 * 1024;

export class ReplyReader {
  /** Bytes received and not yet returned: buffer[0, length), grown by doubling up to the limit. */
  private buffer: Buffer = Buffer.alloc(INITIAL_BUFFER_BYTES);
  private length = 0;
  private scanner: BinaryMessageScanner | undefined;

  constructor(
    private readonly framing: TransportFraming,
    private readonly maxReplyBytes: number,
  ) {}

  /** The bytes received and not yet part of a whole reply: what a peer speaking another protocol sent. */
  unread(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  /**
   * Hands each reply this chunk completes to `each`, in order. A reply is a view of the receive
   * buffer, valid only during that call: `each` decodes it at once (what it keeps, it copies), and the
   * buffer is reused for the next replies. Throws ThriftProtocolError.
   */
  push(chunk: Buffer, each: (reply: Buffer) => void): void {
    this.append(chunk);
    let consumed = 0;
    try {
      for (;;) {
        const reply = this.next(consumed);
        if (!reply) break;
        consumed = reply.end;
        each(this.buffer.subarray(reply.start, reply.end));
      }
    } finally {
      this.drop(consumed);
    }
    // Whatever is left is the start of one reply: it may not grow past the limit (plus a frame prefix).
    if (this.length > this.maxReplyBytes + 4) throw new ThriftReplyTooLargeError(`a reply larger than the ${this.maxReplyBytes}-byte limit`);
  }

  /** Where the reply starting at buffer[from] lies, once all of it is buffered. */
  private next(from: number): { start: number; end: number } | undefined {
    const bytes = this.buffer.subarray(from, this.length);
    if (this.framing === 'framed') {
      if (bytes.length < 4) return undefined;
      const size = bytes.readInt32BE(0);
      if (size < 0) throw new ThriftProtocolError(`negative frame size ${size}`);
      if (size > this.maxReplyBytes) throw new ThriftReplyTooLargeError(`frame size ${size} exceeds the ${this.maxReplyBytes}-byte reply limit`);
      if (bytes.length < 4 + size) return undefined;
      return { start: from + 4, end: from + 4 + size };
    }
    this.scanner ??= new BinaryMessageScanner(this.maxReplyBytes);
    const length = this.scanner.scan(bytes);
    if (length === undefined) return undefined;
    this.scanner = undefined;
    return { start: from, end: from + length };
  }

  /** Removes buffer[0, end): the rest moves to the front, into a smaller buffer after a rare huge reply. */
  private drop(end: number): void {
    if (end === 0) return;
    const rest = this.length - end;
    if (this.buffer.length > KEPT_BUFFER_BYTES) {
      const next = Buffer.allocUnsafe(Math.max(INITIAL_BUFFER_BYTES, rest));
      this.buffer.copy(next, 0, end, this.length);
      this.buffer = next;
    } else {
      this.buffer.copy(this.buffer, 0, end, this.length);
    }
    this.length = rest;
  }

  /** Appends without re-copying what is buffered more than a logarithmic number of times. */
  private append(chunk: Buffer): void {
    const needed = this.length + chunk.length;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    chunk.copy(this.buffer, this.length);
    this.length = needed;
  }
}

/** The byte length of the message at buffer[0], or undefined while incomplete (a one-off scan). */
export function binaryMessageLength(buffer: Buffer, maxBytes: number): number | undefined {
  return new BinaryMessageScanner(maxBytes).scan(buffer);
}

/** An open container of the walk: what the next bytes inside it are. */
type Frame =
  | { readonly kind: 'struct' }
  | { readonly kind: 'list'; readonly element: number; remaining: number }
  | { readonly kind: 'map'; readonly key: number; readonly value: number; remaining: number; atValue: boolean };

/**
 * Walks one TBinaryProtocol message from the start of the buffer it is given, resuming where it
 * stopped when called again with the same bytes plus more. Every step — a field header, a length and
 * the bytes it covers, a container header — is taken whole or not at all, so a step cut by the end of
 * a chunk is simply tried again (it costs a few bytes' look, not a rescan).
 */
export class BinaryMessageScanner {
  private offset = 0;
  private headerDone = false;
  private readonly stack: Frame[] = [];

  constructor(private readonly maxBytes: number) {}

  /** The message's byte length once complete, else undefined. Throws ThriftProtocolError. */
  scan(buffer: Buffer): number | undefined {
    if (!this.headerDone) {
      const end = this.header(buffer);
      if (end === undefined) return undefined;
      this.offset = end;
      this.headerDone = true;
      this.stack.push({ kind: 'struct' });
    }
    while (this.stack.length > 0) {
      if (!this.step(buffer)) return undefined;
    }
    return this.offset;
  }

  /** Where the message header ends, or undefined while incomplete. */
  private header(buffer: Buffer): number | undefined {
    if (buffer.length < 4) return undefined;
    const size = buffer.readInt32BE(0);
    let at: number;
    if (size < 0) {
      if ((size & VERSION_MASK) !== VERSION_1) throw new ThriftProtocolError(`bad Thrift message version ${size >>> 0}`);
      if (buffer.length < 8) return undefined;
      at = 8 + this.checkedLength(buffer.readInt32BE(4));
    } else {
      // Old non-strict header: the name's length first, then the name, a type byte.
      at = 4 + this.checkedLength(size) + 1;
    }
    at += 4; // seqid
    return at <= buffer.length ? at : undefined;
  }

  /** One step inside the innermost open container; false when the bytes for it have not arrived. */
  private step(buffer: Buffer): boolean {
    const frame = this.stack[this.stack.length - 1]!;
    if (frame.kind === 'struct') {
      if (this.offset + 1 > buffer.length) return false;
      const fieldType = buffer[this.offset]!;
      if (fieldType === TType.STOP) {
        this.offset += 1;
        this.stack.pop();
        return true;
      }
      if (this.offset + 3 > buffer.length) return false;
      return this.value(buffer, fieldType, 3);
    }
    if (frame.kind === 'list') {
      if (frame.remaining === 0) {
        this.stack.pop();
        return true;
      }
      if (!this.value(buffer, frame.element, 0)) return false;
      frame.remaining--;
      return true;
    }
    if (frame.remaining === 0) {
      this.stack.pop();
      return true;
    }
    if (!this.value(buffer, frame.atValue ? frame.value : frame.key, 0)) return false;
    if (frame.atValue) frame.remaining--;
    frame.atValue = !frame.atValue;
    return true;
  }

  /**
   * A value of `type` starting `prefix` bytes after the offset (the field header of a struct field):
   * scalars and strings are skipped whole; containers are opened (pushed) once their header is in.
   */
  private value(buffer: Buffer, type: number, prefix: number): boolean {
    const at = this.offset + prefix;
    const fixed = FIXED[type];
    if (fixed !== undefined) return this.advanceTo(buffer, at + fixed);
    switch (type) {
      case TType.STRING: {
        if (at + 4 > buffer.length) return false;
        return this.advanceTo(buffer, at + 4 + this.checkedLength(buffer.readInt32BE(at)));
      }
      case TType.STRUCT:
        return this.open(buffer, at, { kind: 'struct' });
      case TType.MAP: {
        if (at + 6 > buffer.length) return false;
        const key = buffer[at]!;
        const value = buffer[at + 1]!;
        const count = this.checkedLength(buffer.readInt32BE(at + 2));
        const a = FIXED[key];
        const b = FIXED[value];
        // All fixed-size entries: skipped in one step.
        if (a !== undefined && b !== undefined) return this.advanceTo(buffer, at + 6 + count * (a + b));
        return this.open(buffer, at + 6, { kind: 'map', key, value, remaining: count, atValue: false });
      }
      case TType.SET:
      case TType.LIST: {
        if (at + 5 > buffer.length) return false;
        const element = buffer[at]!;
        const count = this.checkedLength(buffer.readInt32BE(at + 1));
        const fixedElement = FIXED[element];
        if (fixedElement !== undefined) return this.advanceTo(buffer, at + 5 + count * fixedElement);
        return this.open(buffer, at + 5, { kind: 'list', element, remaining: count });
      }
      default:
        throw new ThriftProtocolError(`unknown Thrift type ${type}`);
    }
  }

  private open(buffer: Buffer, at: number, frame: Frame): boolean {
    if (this.stack.length >= MAX_DEPTH) throw new ThriftProtocolError('Thrift structure nested too deeply');
    if (!this.advanceTo(buffer, at)) return false;
    this.stack.push(frame);
    return true;
  }

  private advanceTo(buffer: Buffer, end: number): boolean {
    if (end > this.maxBytes) throw new ThriftReplyTooLargeError(`a reply larger than the ${this.maxBytes}-byte limit`);
    if (end > buffer.length) return false;
    this.offset = end;
    return true;
  }

  private checkedLength(size: number): number {
    if (size < 0) throw new ThriftProtocolError(`negative Thrift size ${size}`);
    if (size > this.maxBytes) throw new ThriftReplyTooLargeError(`Thrift size ${size} exceeds the ${this.maxBytes}-byte message limit`);
    return size;
  }
}
