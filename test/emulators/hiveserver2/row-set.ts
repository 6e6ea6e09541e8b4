// Result sets as HiveServer2 (protocol V6+) sends them: a TTableSchema for GetResultSetMetadata and a
// columnar TRowSet per FetchResults, one TColumn per column with a null bitmap.
import { T, thrift } from './tcli.js';

export type ColumnType = 'string' | 'bigint' | 'int';

export interface ResultSet {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: ColumnType }>;
  readonly rows: ReadonlyArray<ReadonlyArray<string | bigint | number | null>>;
}

const TYPE_IDS: Record<ColumnType, number> = { string: T.TTypeId.STRING_TYPE, bigint: T.TTypeId.BIGINT_TYPE, int: T.TTypeId.INT_TYPE };

export function tableSchema(result: ResultSet): unknown {
  return new T.TTableSchema({
    columns: result.columns.map(
      (column, i) =>
        new T.TColumnDesc({
          columnName: column.name,
          position: i + 1,
          typeDesc: new T.TTypeDesc({ types: [new T.TTypeEntry({ primitiveEntry: new T.TPrimitiveTypeEntry({ type: TYPE_IDS[column.type] }) })] }),
        }),
    ),
  });
}

/** Rows [start, start + count) as one columnar TRowSet. */
export function rowSet(result: ResultSet, start: number, count: number): unknown {
  const rows = result.rows.slice(start, start + count);
  return new T.TRowSet({
    startRowOffset: new thrift.Int64(start),
    rows: [],
    columns: result.columns.map((column, c) => {
      const nulls = Buffer.alloc(Math.ceil(rows.length / 8));
      const values = rows.map((row, r) => {
        const value = row[c];
        if (value === null || value === undefined) nulls[r >> 3]! |= 1 << (r & 7);
        return value;
      });
      switch (column.type) {
        case 'string':
          return new T.TColumn({ stringVal: new T.TStringColumn({ values: values.map((v) => (v === null ? '' : String(v))), nulls }) });
        case 'bigint':
          return new T.TColumn({ i64Val: new T.TI64Column({ values: values.map((v) => int64(v === null ? 0n : BigInt(v as bigint))), nulls }) });
        case 'int':
          return new T.TColumn({ i32Val: new T.TI32Column({ values: values.map((v) => (v === null ? 0 : Number(v))), nulls }) });
      }
    }),
  });
}

function int64(value: bigint): unknown {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt.asIntN(64, value));
  return new thrift.Int64(bytes);
}
