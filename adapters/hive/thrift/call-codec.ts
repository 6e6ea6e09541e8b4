import thrift from 'thrift';
import type { TProtocol } from 'thrift';
import { ThriftApplicationError } from './errors.js';
import { readStruct } from './struct-reader.js';
import { MessageType, TType } from './wire-types.js';

export type TransportKind = 'buffered' | 'framed';

/**
 * One call as TBinaryProtocol bytes: the message header, the args struct `writeArgs` fills, and, for
 * the framed transport, the 4-byte frame length in front. Shared by the socket and HTTP transports.
 */
export function encodeCall(method: string, seqid: number, writeArgs: (protocol: TProtocol) => void, transport: TransportKind): Buffer {
  let bytes: Buffer | undefined;
  const onFlush = (message?: Buffer) => {
    bytes = message;
  };
  const carrier = transport === 'framed' ? new thrift.TFramedTransport(undefined, onFlush) : new thrift.TBufferedTransport(undefined, onFlush);
  const protocol = new thrift.TBinaryProtocol(carrier);
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

/**
 * Opens one complete reply message: its sequence id, and either the protocol positioned at the result
 * struct or the TApplicationException the server answered with.
 */
export function openReply(message: Buffer): { seqid: number; protocol: TProtocol; exception: ThriftApplicationError | undefined } {
  // TFramedTransport constructed over a buffer is thrift's reader of exactly that buffer.
  const protocol = new thrift.TBinaryProtocol(new thrift.TFramedTransport(message));
  const header = protocol.readMessageBegin();
  return { seqid: header.rseqid, protocol, exception: header.mtype === MessageType.EXCEPTION ? readApplicationException(protocol) : undefined };
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
