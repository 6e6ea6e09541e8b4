// The emulator's buffered transport: thrift's TBufferedTransport, except that a reply is not copied into
// one new buffer before it is written.
import type { Socket } from 'node:net';
import thrift from 'thrift';

/** Chunks at least this long (a log event's message, stored as bytes) are written as they are. */
const PASS_THROUGH_BYTES = 1024;

interface BufferedInternals {
  outBuffers: Buffer[];
  outCount: number;
  _seqid: number | null;
  onFlush?: (buf: Buffer, seqid?: number | null) => void;
}

/**
 * thrift's TBufferedTransport.flush copies every chunk of a reply into a fresh zero-filled buffer: for
 * a batch of 500 log events (1.5 MB) that copy, and the kernel mapping the fresh pages in, took half of
 * the emulator's CPU while a client read the log, on the same two cores as the client being measured.
 * A metastore runs on a machine of its own. Here the small chunks (field headers, ids) are joined and the
 * large ones handed to the socket as they are; corkWhileProcessing makes the reply one write.
 */
export class StreamingBufferedTransport extends thrift.TBufferedTransport {
  override flush(): void {
    const self = this as unknown as BufferedInternals;
    const seqid = self._seqid;
    self._seqid = null;
    if (self.outCount < 1 || !self.onFlush) return;
    let small: Buffer[] = [];
    let smallBytes = 0;
    const parts: Buffer[] = [];
    for (const chunk of self.outBuffers) {
      if (chunk.length < PASS_THROUGH_BYTES) {
        small.push(chunk);
        smallBytes += chunk.length;
        continue;
      }
      if (small.length > 0) parts.push(Buffer.concat(small, smallBytes));
      small = [];
      smallBytes = 0;
      parts.push(chunk);
    }
    if (small.length > 0) parts.push(Buffer.concat(small, smallBytes));
    self.outBuffers = [];
    self.outCount = 0;
    for (const part of parts) self.onFlush(part, seqid);
  }
}

/**
 * The replies to a request written while it is processed go out as one write (writev) instead of one
 * per chunk. thrift's server adds its 'data' listener before ours, so this one is put in front of it.
 */
export function corkWhileProcessing(socket: Socket): void {
  socket.prependListener('data', () => {
    socket.cork();
    process.nextTick(() => socket.uncork());
  });
}
