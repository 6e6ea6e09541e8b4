/**
 * Failures of a Thrift call, by what they mean for the caller:
 * - ThriftTransportError: the connection failed or timed out; the call may be retried on another
 *   metastore (every call this client makes is a read).
 * - ThriftApplicationError: the server answered with a TApplicationException (e.g. an unknown method
 *   on an older metastore): retrying elsewhere will not help.
 * - ThriftProtocolError (message-scanner.ts): the bytes are not Thrift binary (wrong port, wrong
 *   transport): treated like a transport error, the connection is unusable.
 */
export class ThriftTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ThriftTransportError';
  }
}

export class ThriftApplicationError extends Error {
  constructor(
    message: string,
    readonly type: number,
  ) {
    super(message);
    this.name = 'ThriftApplicationError';
  }
}
