// Public types of the Glue + SQS emulator, apart from the implementation so tests and benchmarks can
// import them without pulling in the server.

/** A table as a test describes it; `glue-tables.ts` has builders for every kind Glue holds. */
export interface TableSpec {
  name: string;
  /** Glue's TableType: EXTERNAL_TABLE, MANAGED_TABLE, VIRTUAL_VIEW, or none (resource links). */
  tableType?: string;
  parameters?: Record<string, string>;
  /** StorageDescriptor.Location. */
  location?: string;
  /** Set on resource links: the table the link points at. */
  targetTable?: { CatalogId?: string; DatabaseName: string; Name: string; Region?: string };
  /** Set on tables of a federated catalog (e.g. a Redshift or Snowflake connection). */
  federatedTable?: { Identifier: string; DatabaseIdentifier: string; ConnectionName: string; ConnectionType?: string };
  /** Set on (Hive/Presto/Athena) views. */
  viewOriginalText?: string;
  /** Multi-dialect Data Catalog views. */
  isMultiDialectView?: boolean;
}

export interface DatabaseSpec {
  name: string;
  /** A database resource link (its tables belong to another database). */
  targetDatabase?: { CatalogId?: string; DatabaseName: string; Region?: string };
}

/** Fault injection for the Glue API. */
export interface GlueFaults {
  /** Probability (0..1) that a Glue call answers ThrottlingException "Rate exceeded". */
  throttleRate?: number;
  /**
   * Tables ("db.table") or databases ("db") whose calls answer AccessDeniedException; denied tables are
   * also left out of GetTables pages, as Lake Formation does.
   */
  accessDenied?: string[];
  /** Added to every Glue call before answering. */
  latencyMs?: number;
}

export interface QueueSpec {
  name: string;
  /** The queue's default visibility timeout (SQS default 30 s). */
  visibilityTimeoutSeconds?: number;
  /** After this many receives a message moves to the dead-letter queue on its next receive. */
  redrive?: { maxReceiveCount: number; deadLetterQueue: string };
}

/** What a test can see of a queued message (never its receipt handle: those are secrets). */
export interface MessageView {
  messageId: string;
  body: string;
  receiveCount: number;
  /** Visible now (not in flight). */
  visible: boolean;
  sentAt: number;
}

/** The account and region the emulator pretends to be. */
export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';
