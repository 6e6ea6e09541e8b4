import type { TProtocol } from 'thrift';
import { MetastoreAuthError } from '../transport/auth-error.js';
import type { ByteChannel } from '../transport/byte-channel.js';
import { describePeerBytes } from '../transport/peer-bytes.js';
import { openSocket } from '../transport/socket.js';
import { encodeCall, openReply, type TransportKind } from './call-codec.js';
import { ThriftTransportError } from './errors.js';
import { DEFAULT_MAX_REPLY_BYTES, ReplyReader, ThriftProtocolError, ThriftReplyTooLargeError } from './message-scanner.js';

export type { TransportKind } from './call-codec.js';

export interface ConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly transport: TransportKind;
  readonly connectTimeoutMs: number;
  /** Replies larger than this are refused (a misdirected connection must not buffer forever). */
  readonly maxReplyBytes?: number;
}

/** What a call needs from a connection, whatever carries it (a socket stack, or HTTP). */
export interface MetastoreConnection {
  readonly usable: boolean;
  call<T>(method: string, writeArgs: (protocol: TProtocol) => void, read: (protocol: TProtocol) => T, timeoutMs: number): Promise<T>;
  close(): void;
}

interface PendingCall {
  readonly read: (protocol: TProtocol) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}


/**
 * One connection speaking TBinaryProtocol over a buffered or framed transport, on a byte channel: a TCP
 * or TLS socket, or a SASL channel on one (see transport/). The thrift package encodes and decodes
 * (TBinaryProtocol over its transports); this class owns the channel, finds where each reply ends,
 * matches replies to calls by sequence id, and enforces the call timeout. Any transport failure or
 * timeout closes the connection and fails every call on it: the caller reconnects (see HmsClient), so
 * a reply can never be matched to the wrong call after a hiccup.
 */
export class ThriftConnection implements MetastoreConnection {
  private readonly pending = new Map<number, PendingCall>();
  /** Splits the received bytes into whole replies, incrementally and bounded (message-scanner.ts). */
  private readonly replies: ReplyReader;
  private seqid = 0;
  private failure: Error | undefined;

  constructor(
    private readonly socket: ByteChannel,
    private readonly options: ConnectionOptions,
  ) {
    this.replies = new ReplyReader(options.transport, options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(new ThriftTransportError(`connection to ${this.address} failed: ${error.message}`, { cause: error })));
    socket.on('close', () => this.fail(this.peerMismatch() ?? new ThriftTransportError(`connection to ${this.address} closed`)));
  }

  /** A plain TCP connection (no TLS, no SASL). */
  static async open(options: ConnectionOptions): Promise<ThriftConnection> {
    return new ThriftConnection(await openSocket({ host: options.host, port: options.port, connectTimeoutMs: options.connectTimeoutMs }), options);
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  get usable(): boolean {
    return this.failure === undefined;
  }

  /**
   * Sends one call and resolves with what `read` decodes from the result struct (field 0 = success,
   * other fields = declared exceptions; `read` throws for those).
   */
  call<T>(method: string, writeArgs: (protocol: TProtocol) => void, read: (protocol: TProtocol) => T, timeoutMs: number): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const seqid = (this.seqid = (this.seqid + 1) | 0);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new ThriftTransportError(`${method} on ${this.address} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      if (this.pending.size === 0) this.socket.ref();
      this.pending.set(seqid, { read, resolve: resolve as (value: unknown) => void, reject, timer });
      try {
        this.socket.write(encodeCall(method, seqid, writeArgs, this.options.transport));
      } catch (error) {
        this.fail(new ThriftTransportError(`could not send ${method}: ${String(error)}`, { cause: error }));
      }
    });
  }

  close(): void {
    this.fail(new ThriftTransportError(`connection to ${this.address} closed by the client`));
  }

  private onData(chunk: Buffer): void {
    try {
      this.replies.push(chunk, (message) => this.dispatch(message));
    } catch (error) {
      this.fail((error instanceof ThriftProtocolError && this.peerMismatch()) || describeReplyError(error, this.address));
    }
  }

  private dispatch(message: Buffer): void {
    const { seqid, protocol, exception } = openReply(message);
    const call = this.pending.get(seqid);
    if (!call) return; // a reply to a call that already failed: nothing waits for it
    this.pending.delete(seqid);
    clearTimeout(call.timer);
    if (this.pending.size === 0) this.socket.unref();
    if (exception) {
      call.reject(exception);
      return;
    }
    try {
      call.resolve(call.read(protocol));
    } catch (error) {
      call.reject(error as Error);
    }
  }

  /**
   * The peer answered in another protocol (SASL, TLS, HTTP on this port): the source's auth or tls
   * does not match the metastore's set-up. That is not a transport failure, and it says what to change.
   */
  private peerMismatch(): MetastoreAuthError | undefined {
    const peer = describePeerBytes(this.replies.unread());
    // Thrift's own bytes are no mismatch here (a too-large reply is still Thrift): only other protocols are.
    if (peer?.speaks.startsWith('plain Thrift')) return undefined;
    return peer && new MetastoreAuthError(`the metastore at ${this.address} answered in ${peer.speaks}`, { scope: 'metastore', hint: peer.hint });
  }

  private fail(error: Error): void {
    if (!this.failure) this.failure = error;
    this.socket.destroy();
    for (const [seqid, call] of this.pending) {
      clearTimeout(call.timer);
      this.pending.delete(seqid);
      call.reject(this.failure);
    }
  }
}

/** What a reply that cannot be framed means for the operator. */
function describeReplyError(error: unknown, address: string): Error {
  if (error instanceof ThriftReplyTooLargeError) {
    return new ThriftTransportError(`${address} sent ${error.message}; raise maxReplyBytes (or lower batchSize) if the metastore's replies really are that large`, { cause: error });
  }
  if (error instanceof ThriftProtocolError) {
    return new ThriftTransportError(`${address} sent bytes that are not a Thrift binary reply (${error.message}); check the port and the transport (buffered or framed)`, { cause: error });
  }
  return error as Error;
}

