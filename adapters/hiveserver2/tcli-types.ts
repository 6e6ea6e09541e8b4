/**
 * The parts of hive-driver's session and operation objects this source uses, and the TCLIService
 * structs they hand back (TRowSet, TTableSchema) — typed here because hive-driver types them loosely.
 */

export interface Hs2Session {
  executeStatement(statement: string, options?: { runAsync?: boolean }): Promise<Hs2Operation>;
  close(): Promise<unknown>;
}

export interface Hs2Operation {
  /** GetOperationStatus; the state is a TOperationState. */
  status(progress: boolean): Promise<{ operationState?: number; errorMessage?: string; errorCode?: number }>;
  /** GetResultSetMetadata once, then FetchResults (FETCH_FIRST, then FETCH_NEXT) into getData(). */
  fetch(): Promise<unknown>;
  hasMoreRows(): boolean;
  setMaxRows(rows: number): void;
  getData(): TRowSet[];
  flush(): void;
  close(): Promise<unknown>;
}

/** One column of a columnar TRowSet: exactly one of the typed fields is set. */
export interface TColumn {
  readonly boolVal?: TypedColumn<boolean>;
  readonly byteVal?: TypedColumn<number>;
  readonly i16Val?: TypedColumn<number>;
  readonly i32Val?: TypedColumn<number>;
  /** node-int64 values (hive-driver's thrift runtime). */
  readonly i64Val?: TypedColumn<{ buffer: Buffer; offset: number }>;
  readonly doubleVal?: TypedColumn<number>;
  readonly stringVal?: TypedColumn<string>;
  readonly binaryVal?: TypedColumn<Buffer>;
}

export interface TypedColumn<T> {
  readonly values: readonly T[];
  /** Bit i set: row i is NULL. */
  readonly nulls: Buffer;
}

export interface TRowSet {
  readonly columns?: readonly TColumn[] | null;
}
