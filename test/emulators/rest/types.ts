// Public option and handle types of the Iceberg REST catalog emulator, apart from the implementation
// so tests and benchmarks can import them without the server.
import type { FixtureName } from '../polaris/fixture-warehouse.js';
import type { PagingMisbehavior } from './routes.js';

export type { PagingMisbehavior };

/** The calls the emulator tells apart, for fault targeting and stats. */
export type RestOperation = 'config' | 'token' | 'listNamespaces' | 'listTables' | 'loadTable' | 'headTable' | 'events' | 'other';

export interface RestAuthOptions {
  /** OAuth2 client credentials accepted by POST /v1/oauth/tokens. */
  clients?: Array<{ clientId: string; clientSecret: string }>;
  /** Static bearer tokens that never expire. */
  tokens?: string[];
  /** Lifetime of issued tokens (expires_in). Default 3600. */
  tokenTtlSeconds?: number;
  /** Status for an expired token: 401 NotAuthorizedException (default, the spec's preference) or 419. */
  expiredStatus?: 401 | 419;
}

export interface RestEmulatorOptions {
  host?: string;
  port?: number;
  /** Path before /v1. Default '/api/catalog'. */
  basePath?: string;
  /** `overrides.prefix` from /v1/config; may hold '/' (Glue: 'catalogs/123'). null: no prefix. Default 'main'. */
  prefix?: string | null;
  /** When set, /v1/config requires ?warehouse= this value (404 NoSuchWarehouseException otherwise). */
  warehouse?: string;
  /** The largest page the server answers. Default 100. */
  maxPageSize?: number;
  /** false: a server without paging (ignores pageToken, omits next-page-token). Default true. */
  paging?: boolean;
  /** false: no ETag headers and no 304. Default true. */
  etags?: boolean;
  /** What /v1/config advertises: every endpoint served (default), none (field omitted), or this list. */
  endpoints?: 'served' | 'omitted' | readonly string[];
  /** Adds `POST /v1/{prefix}/events` (apache/iceberg#12584) to the advertised endpoints. */
  advertiseEvents?: boolean;
  /** Requests need a bearer token when set. */
  auth?: RestAuthOptions;
  /** URI under which table locations are made. Default 's3://rest-emulator/warehouse'. */
  tableRoot?: string;
  /** Called with each metadata file written (to put it where a Polaris emulator can read it). */
  writeMetadata?: (uri: string, text: string) => void | Promise<void>;
  /** Fixture the tables' metadata is made from. Default 'TableMetadataV2Valid.json'. */
  fixture?: FixtureName;
  /** Added to every answer. */
  latencyMs?: number;
  /** How many requests `requests()` keeps (the newest). Default 10,000. */
  requestLogSize?: number;
}

/** An injected failure: requests matching every given field are answered with `status` (or reset). */
export interface FaultRule {
  operation?: RestOperation;
  namespace?: string[];
  table?: string;
  /** 1-based page of a paged listing (the page asked for with '' is page 1). */
  page?: number;
  status?: number;
  /** Error type in the body (default: the spec example's type for the status). */
  type?: string;
  /** A body answered as is instead of the error body (e.g. a malformed 200). */
  body?: unknown;
  /** Destroy the connection without answering. */
  reset?: boolean;
  /** How many matching requests fail; default: every one until clearFaults(). */
  times?: number;
  retryAfterSeconds?: number;
}

export interface TableInfo {
  namespace: string[];
  name: string;
  uuid: string;
  metadataLocation: string;
  lastUpdatedMs: number;
  /** Metadata versions written for this table (1 after create). */
  version: number;
}

export interface RequestRecord {
  method: string;
  operation: RestOperation;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The If-None-Match header sent, if any. */
  ifNoneMatch?: string;
  /** Every request header (names lower-case; repeated headers joined with ', '). */
  headers: Record<string, string>;
  /** When the answer was sent (ms). */
  at: number;
}

export interface RestEmulatorStats {
  requests: number;
  /** operation → status → count, e.g. { loadTable: { '200': 5, '304': 20 } }. */
  byOperation: Record<string, Record<string, number>>;
  tokensIssued: number;
}

export interface RestCatalogEmulator {
  /** The catalog's base URI (the part before /v1). */
  readonly url: string;
  close(): Promise<void>;
  /** Creates the namespace and any missing parent. */
  createNamespace(levels: string[]): void;
  /** Drops an empty namespace (throws when it holds tables or namespaces). */
  dropNamespace(levels: string[]): void;
  /** Creates a table (and its namespace); writes metadata version 1. */
  createTable(namespace: string[], name: string, options?: { uuid?: string; lastUpdatedMs?: number }): Promise<TableInfo>;
  /** A commit: a new snapshot and a new metadata file. */
  updateTable(namespace: string[], name: string, options?: { lastUpdatedMs?: number }): Promise<TableInfo>;
  /** Serves an existing metadata file as the table's current one (benchmarks, bulk set-up). */
  registerTable(namespace: string[], name: string, metadataLocation: string, metadataText: string): TableInfo;
  /** Same table (UUID, metadata) under a new identifier, as POST /v1/{prefix}/tables/rename does. */
  renameTable(from: { namespace: string[]; name: string }, to: { namespace: string[]; name: string }): void;
  dropTable(namespace: string[], name: string): void;
  table(namespace: string[], name: string): TableInfo | undefined;
  tables(): TableInfo[];
  /** Every issued token expires now (static tokens stay valid). */
  expireTokens(): void;
  /** The scope of each token request, in order. */
  tokenScopes(): string[];
  /** Every access token issued, in order. */
  issuedTokens(): string[];
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Listings that never end from now on (undefined: back to the spec). */
  misbehave(mode: PagingMisbehavior | undefined): void;
  stats(): RestEmulatorStats;
  resetStats(): void;
  /** The newest requests, oldest first. */
  requests(): RequestRecord[];
}
