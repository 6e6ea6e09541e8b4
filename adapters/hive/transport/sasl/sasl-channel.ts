import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { messageOf } from '../../../../src/util/errors.js';
import { ThriftTransportError } from '../../thrift/errors.js';
import type { ByteChannel } from '../byte-channel.js';
import { encodeFrame } from './sasl-messages.js';
import type { SecurityLayer } from './sasl-mechanism.js';

/**
 * The data phase of the Thrift SASL transport over a socket: every write goes out as frames (a 4-byte
 * length and the payload, wrapped by the security layer when one was negotiated); incoming frames are
 * unwrapped and emitted as one byte stream, so the Thrift framing above (buffered or framed) reads
 * them as it reads a socket. A frame larger than maxFrameBytes, or one that fails its integrity check,
 * fails the channel.
 */
export class SaslChannel extends EventEmitter implements ByteChannel {
  /** Bytes of the frame being received, kept as chunks: a large reply is joined once, not per chunk. */
  private chunks: Buffer[] = [];
  private received = 0;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly layer: SecurityLayer | undefined,
    private readonly maxFrameBytes: number,
    private readonly uri: string,
    leftover: Buffer,
  ) {
    super();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.emit('error', error));
    socket.on('close', () => this.onClose());
    if (leftover.length > 0) queueMicrotask(() => this.onData(leftover));
  }

  get qop(): 'auth' | 'auth-int' | 'auth-conf' {
    return this.layer?.qop ?? 'auth';
  }

  write(data: Buffer): boolean {
    const frames = this.layer ? this.layer.wrap(data).map(encodeFrame) : [encodeFrame(data)];
    return this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }

  destroy(): void {
    this.socket.destroy();
    this.onClose();
  }

  ref(): this {
    this.socket.ref();
    return this;
  }

  unref(): this {
    this.socket.unref();
    return this;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.received += chunk.length;
    try {
      for (;;) {
        const frame = this.nextFrame();
        if (!frame) return;
        this.emit('data', this.layer ? this.layer.unwrap(frame) : frame);
      }
    } catch (error) {
      this.emit('error', error instanceof ThriftTransportError ? error : new ThriftTransportError(`a SASL frame from ${this.uri} could not be unwrapped: ${messageOf(error)}`, { cause: error }));
      this.destroy();
    }
  }

  private nextFrame(): Buffer | undefined {
    if (this.received < 4) return undefined;
    if (this.chunks[0]!.length < 4) this.chunks = [Buffer.concat(this.chunks)];
    const length = this.chunks[0]!.readUInt32BE(0);
    if (length > this.maxFrameBytes) throw new ThriftTransportError(`${this.uri} sent a SASL frame of ${length} bytes, over the ${this.maxFrameBytes}-byte limit`);
    if (this.received < 4 + length) return undefined;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const frame = Buffer.from(all.subarray(4, 4 + length));
    const rest = all.subarray(4 + length);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.received = rest.length;
    return frame;
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.layer?.dispose();
    this.emit('close');
  }
}
