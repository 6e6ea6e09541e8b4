import thrift from 'thrift';
import type { TProtocol } from 'thrift';

/**
 * Thrift i64 values without precision loss. The thrift package reads an i64 as a node-int64 object
 * whose toNumber() is imprecise beyond 2^53; Hive event ids are i64 and a long-lived metastore (or one
 * whose sequence was seeded high) must not break the cursor. So i64 values are bigint in memory and
 * decimal strings in the ledger.
 */
export function readI64(protocol: TProtocol): bigint {
  const value = protocol.readI64();
  return value.buffer.readBigInt64BE(value.offset);
}

export function writeI64(protocol: TProtocol, value: bigint): void {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt.asIntN(64, value));
  protocol.writeI64(new thrift.Int64(bytes));
}

export { parseEventId } from '../../hive-log/event-id.js';
