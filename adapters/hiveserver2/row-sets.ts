import { Hs2Error } from './hs2-errors.js';
import type { TColumn, TRowSet } from './tcli-types.js';

/** A cell as this source reads it: i64 values exactly (event ids), everything else as text. */
export type Cell = string | bigint | null;

/**
 * Rows of columnar TRowSets (HiveServer2 protocol V6+). The reply is remote input: every row set must
 * have `width` columns of equal length, or it is refused rather than misread.
 */
export function decodeRowSets(rowSets: readonly TRowSet[], width: number): Cell[][] {
  const rows: Cell[][] = [];
  for (const rowSet of rowSets) {
    const columns = rowSet.columns ?? [];
    if (columns.length === 0) continue;
    if (columns.length !== width) throw malformed(`a row set with ${columns.length} columns, expected ${width}`);
    const decoded = columns.map(decodeColumn);
    const height = decoded[0]!.length;
    if (decoded.some((column) => column.length !== height)) throw malformed('columns of different lengths in one row set');
    for (let r = 0; r < height; r++) rows.push(decoded.map((column) => column[r]!));
  }
  return rows;
}

function decodeColumn(column: TColumn): Cell[] {
  const typed = column.stringVal ?? column.i64Val ?? column.i32Val ?? column.i16Val ?? column.byteVal ?? column.boolVal ?? column.doubleVal ?? column.binaryVal;
  if (!typed || !Array.isArray(typed.values)) throw malformed('a column without values');
  const nulls = Buffer.isBuffer(typed.nulls) ? typed.nulls : Buffer.alloc(0);
  return typed.values.map((value: unknown, i: number) => {
    if (((nulls[i >> 3] ?? 0) >> (i & 7)) & 1) return null;
    if (column.i64Val) {
      const int64 = value as { buffer: Buffer; offset: number };
      return int64.buffer.readBigInt64BE(int64.offset);
    }
    return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  });
}

function malformed(what: string): Hs2Error {
  return new Hs2Error('sql', `HiveServer2 sent a malformed result: ${what}`, { retryable: true, hint: 'check that host and port are HiveServer2\'s' });
}
