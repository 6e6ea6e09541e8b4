/**
 * What a Thrift connection needs from the layer beneath it: a byte stream it writes to and reads
 * 'data' from, that reports 'error' and 'close', can be destroyed, and holds the process open only
 * while a call waits (ref/unref). A net.Socket or tls.TLSSocket is one; so is a SASL channel.
 */
export interface ByteChannel {
  write(data: Buffer): unknown;
  destroy(): void;
  ref(): unknown;
  unref(): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
}
