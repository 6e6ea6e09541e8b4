/**
 * The Thrift SASL transport's negotiation messages (TSaslTransport): a status byte, a 4-byte big-endian
 * payload length, the payload. After COMPLETE, data travels in frames: a 4-byte length and the payload.
 */
export const SaslStatus = { START: 1, OK: 2, BAD: 3, ERROR: 4, COMPLETE: 5 } as const;
export type SaslStatusCode = (typeof SaslStatus)[keyof typeof SaslStatus];

export interface SaslMessage {
  readonly status: number;
  readonly payload: Buffer;
}

/** Negotiation payloads are tokens and reasons, a few KB; more means the peer is not negotiating. */
export const MAX_NEGOTIATION_PAYLOAD = 1024 * 1024;

export function encodeSaslMessage(status: SaslStatusCode, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header[0] = status;
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

export function encodeFrame(payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

/** Not a negotiation message: the bytes say what the peer is instead (see describePeerBytes). */
export class SaslProtocolError extends Error {
  constructor(
    message: string,
    readonly received: Buffer,
  ) {
    super(message);
    this.name = 'SaslProtocolError';
  }
}

/**
 * The first complete message at the start of `buffer` and the bytes after it; undefined while
 * incomplete. Throws SaslProtocolError when the bytes cannot be a negotiation message.
 */
export function readSaslMessage(buffer: Buffer): { message: SaslMessage; rest: Buffer } | undefined {
  if (buffer.length === 0) return undefined;
  const status = buffer[0]!;
  if (status < SaslStatus.START || status > SaslStatus.COMPLETE) throw new SaslProtocolError(`invalid SASL status ${status}`, buffer);
  if (buffer.length < 5) return undefined;
  const length = buffer.readUInt32BE(1);
  if (length > MAX_NEGOTIATION_PAYLOAD) throw new SaslProtocolError(`SASL negotiation payload of ${length} bytes`, buffer);
  if (buffer.length < 5 + length) return undefined;
  return { message: { status, payload: Buffer.from(buffer.subarray(5, 5 + length)) }, rest: buffer.subarray(5 + length) };
}
