import type { TProtocol } from 'thrift';
import { excerpt } from '../../../src/telemetry/safe-text.js';
import { readStruct } from '../thrift/struct-reader.js';
import { TType } from '../thrift/wire-types.js';

/**
 * An exception the metastore declared and threw (MetaException, NoSuchObjectException, ...): the
 * metastore is up and answered, so a fail-over would not change the answer.
 */
export class HmsException extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    // The metastore's text is remote: scrubbed, made printable and bounded before anything keeps it.
    super(`${kind}: ${excerpt(message)}`);
    this.name = 'HmsException';
  }

  /** A definite "does not exist" (the only answer that may confirm a table is gone). */
  get notFound(): boolean {
    return this.kind === 'NoSuchObjectException' || this.kind === 'UnknownDBException';
  }
}

/**
 * Reads a `<method>_result` struct: field 0 is the return value, fields 1..n the declared exceptions
 * (named by `exceptions`, by field id). Each exception struct carries its message in field 1.
 */
export function readResult<T>(
  protocol: TProtocol,
  method: string,
  success: { readonly type: number; read(protocol: TProtocol): T },
  exceptions: Readonly<Record<number, string>>,
): T {
  let value: { v: T } | undefined;
  let thrown: HmsException | undefined;
  readStruct(protocol, (id, type) => {
    if (id === 0) {
      if (type !== success.type) return false;
      value = { v: success.read(protocol) };
      return true;
    }
    if (type !== TType.STRUCT) return false;
    thrown = new HmsException(exceptions[id] ?? `exception field ${id}`, readExceptionMessage(protocol));
    return true;
  });
  if (thrown) throw thrown;
  if (!value) throw new HmsException('MissingResult', `${method} answered without a result`);
  return value.v;
}

function readExceptionMessage(protocol: TProtocol): string {
  let message = '';
  readStruct(protocol, (id, type) => {
    if (id !== 1 || type !== TType.STRING) return false;
    message = protocol.readString();
    return true;
  });
  return message;
}
