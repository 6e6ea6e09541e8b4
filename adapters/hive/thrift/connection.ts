import { connect, type Socket } from 'node:net';
import thrift from 'thrift';
import type { TProtocol } from 'thrift';
import { ThriftApplicationError, ThriftTransportError } from './errors.js';
import { DEFAULT_MAX_REPLY_BYTES, ReplyReader, ThriftProtocolError, ThriftReplyTooLargeError } from './message-scanner.js';
import { readStruct } from './struct-reader.js';
import { MessageType, TType } from './wire-types.js';

export type TransportKind = 'buffered' | 'framed';

export interface ConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly transport: TransportKind;
  readonly connectTimeoutMs: number;
  /** Replies larger than this are refused (a misdirected connection must not buffer forever). */
  readonly maxReplyBytes?: number;
}

interface PendingCall {
  readonly read: (protocol: TProtocol) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}


/**
 * One TCP connection speaking TBinaryProtocol over a buffered or framed transport. The thrift package
 * encodes and decodes (TBinaryProtocol over its transports); this class owns the socket, finds where
 * each reply ends, matches replies to calls by sequence id, and enforces the call timeout. Any
 * transport failure or timeout closes the connection and fails every call on it: the caller
 * reconnects (see HmsClient), so a reply can never be matched to the wrong call after a hiccup.
 */
export class ThriftConnection {
  private readonly pending = new Map<number, PendingCall>();
  /** Splits the received bytes into whole replies, incrementally and bounded (message-scanner.ts). */
  private readonly replies: ReplyReader;
  private seqid = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.replies = new ReplyReader(options.transport, options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(new ThriftTransportError(`connection to ${this.address} failed: ${error.message}`, { cause: error })));
    socket.on('close', () => this.fail(new ThriftTransportError(`connection to ${this.address} closed`)));
  }

  static open(options: ConnectionOptions): Promise<ThriftConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: options.host, port: options.port });
      const address = `${options.host}:${options.port}`;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ThriftTransportError(`could not connect to ${address} within ${options.connectTimeoutMs} ms`));
      }, options.connectTimeoutMs);
      const onError = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new ThriftTransportError(`could not connect to ${address}: ${error.message}`, { cause: error }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        // An idle connection must not keep the process alive (e.g. `plan` ends without closing sources).
        socket.unref();
        resolve(new ThriftConnection(socket, options));
      });
    });
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
        this.socket.write(this.encodeCall(method, seqid, writeArgs));
      } catch (error) {
        this.fail(new ThriftTransportError(`could not send ${method}: ${String(error)}`, { cause: error }));
      }
    });
  }

  close(): void {
    this.fail(new ThriftTransportError(`connection to ${this.address} closed by the client`));
  }

  private encodeCall(method: string, seqid: number, writeArgs: (protocol: TProtocol) => void): Buffer {
    let bytes: Buffer | undefined;
    const onFlush = (message?: Buffer) => {
      bytes = message;
    };
    const transport = this.options.transport === 'framed' ? new thrift.TFramedTransport(undefined, onFlush) : new thrift.TBufferedTransport(undefined, onFlush);
    const protocol = new thrift.TBinaryProtocol(transport);
    protocol.writeMessageBegin(method, MessageType.CALL, seqid);
    protocol.writeStructBegin(`${method}_args`);
    writeArgs(protocol);
    protocol.writeFieldStop();
    protocol.writeStructEnd();
    protocol.writeMessageEnd();
    protocol.flush();
    if (!bytes) throw new Error(`${method}: nothing was encoded`);
    return bytes;
  }

  private onData(chunk: Buffer): void {
    try {
      for (const message of this.replies.push(chunk)) this.dispatch(message);
    } catch (error) {
      this.fail(describeReplyError(error, this.address));
    }
  }

  private dispatch(message: Buffer): void {
    // TFramedTransport constructed over a buffer is thrift's reader of exactly that buffer.
    const protocol = new thrift.TBinaryProtocol(new thrift.TFramedTransport(message));
    const header = protocol.readMessageBegin();
    const call = this.pending.get(header.rseqid);
    if (!call) return; // a reply to a call that already failed: nothing waits for it
    this.pending.delete(header.rseqid);
    clearTimeout(call.timer);
    if (this.pending.size === 0) this.socket.unref();
    if (header.mtype === MessageType.EXCEPTION) {
      call.reject(readApplicationException(protocol));
      return;
    }
    try {
      call.resolve(call.read(protocol));
    } catch (error) {
      call.reject(error as Error);
    }
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

function readApplicationException(protocol: TProtocol): ThriftApplicationError {
  let message = 'unknown error';
  let type = 0;
  readStruct(protocol, (id, wireType) => {
    if (id === 1 && wireType === TType.STRING) message = protocol.readString();
    else if (id === 2 && wireType === TType.I32) type = protocol.readI32();
    else return false;
    return true;
  });
  return new ThriftApplicationError(message, type);
}
