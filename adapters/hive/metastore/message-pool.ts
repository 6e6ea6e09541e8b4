/**
 * Memory for the notification messages of get_next_notification replies, reused from batch to batch.
 *
 * A reply is decoded from the connection's receive buffer, which the next reply overwrites, so its
 * messages must be copied out until their batch is applied. Copied into fresh memory (a Buffer per
 * message, or one per reply), the copy cost its page faults: the kernel maps and zeroes every new
 * page on first touch, about 7% of the daemon's CPU on the Hive events benchmark. Copied into a buffer
 * already in use, it costs the copy.
 *
 * A reply's messages go into one lent buffer; the log watcher gives it back (MessageLease.release)
 * once it has read the batch's messages. A message read after that throws instead of reading
 * another batch's bytes. A lease never given back (a batch dropped on an error) is simply collected.
 */
export class MessagePool {
  private readonly free: Buffer[] = [];
  private freeBytes = 0;

  constructor(
    /**
     * How much memory waits between batches at most. A commit gathers up to four batches of ~1.5 MB
     * (rounded up to 2 MB) and one more is read meanwhile; a burst of huge messages is not kept.
     */
    private readonly keepBytes = 16 * 1024 * 1024,
  ) {}

  /** A buffer of at least `bytes`, lent until released. */
  lease(bytes: number): MessageLease {
    const index = this.free.findIndex((buffer) => buffer.length >= bytes);
    let buffer: Buffer;
    if (index >= 0) {
      buffer = this.free.splice(index, 1)[0]!;
      this.freeBytes -= buffer.length;
    } else {
      // Rounded up to a power of two, so that the next batches, of about the same size, fit too.
      buffer = Buffer.allocUnsafeSlow(2 ** Math.ceil(Math.log2(Math.max(bytes, 64 * 1024))));
    }
    return new MessageLease(buffer, (returned) => {
      if (this.freeBytes + returned.length > this.keepBytes) return;
      this.free.push(returned);
      this.freeBytes += returned.length;
    });
  }

  /** Buffers waiting to be lent (for tests). */
  get kept(): number {
    return this.free.length;
  }
}

export class MessageLease {
  private released = false;
  /** Bytes added so far: where the next message goes. */
  used = 0;

  constructor(
    private readonly buffer: Buffer,
    private readonly giveBack: (buffer: Buffer) => void,
  ) {}

  /** Copies `bytes` in at `used`; returns where they end (text() reads them back). */
  add(bytes: Buffer): number {
    this.used += bytes.copy(this.buffer, this.used);
    return this.used;
  }

  /** The UTF-8 text of a message added earlier. Throws once released. */
  text(start: number, end: number): string {
    if (this.released) throw new Error('a notification message was read after its batch gave its memory back');
    return this.buffer.toString('utf8', start, end);
  }

  /** Gives the buffer back for the next batch; later calls do nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.giveBack(this.buffer);
  }
}
