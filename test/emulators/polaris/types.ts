// Public option and handle types of the Polaris emulator. Kept apart from the implementation so
// callers (demo, tests, benchmarks) can import them without pulling in the server.

/** The kinds of request the emulator distinguishes, for fault targeting and stats. */
export type RequestKind = 'notification' | 'loadTable' | 'config' | 'token' | 'list';

export interface FaultOptions {
  /** Added to every faulted-kind request before answering (held inside the per-table lock for upserts). */
  latencyMs?: number;
  /** Probability (0..1) of a 429 with a Retry-After header. */
  rate429?: number;
  retryAfterSeconds?: number;
  rate500?: number;
  rate503?: number;
  /** Probability of destroying the socket without answering (request not processed). */
  rateReset?: number;
  /** Probability of a slow answer: the request IS processed, the response is held for slowMs. */
  rateSlow?: number;
  slowMs?: number;
  /** Apply the random faults and latency to the token endpoint too. */
  tokenEndpoint?: boolean;
}

export interface PolarisEmulatorOptions {
  host?: string;
  port?: number;
  /** The one realm served. A Polaris-Realm header naming another realm → 404 MissingOrInvalidRealm. */
  realm?: string;
  tokenTtlSeconds?: number;
  faults?: FaultOptions;
  /** Seed of the fault RNG, so random faults are reproducible. */
  seed?: number;
  /** Check notification bodies against the OpenAPI schema (default true). */
  validateBodies?: boolean;
  /** Status for expired (but otherwise valid) tokens: 401 (default) or 419 (AuthenticationTimeout). */
  expiredTokenStatus?: 401 | 419;
  /**
   * Credentials of a bootstrap root principal (named `root`, holding the `service_admin` principal
   * role), like Polaris's POLARIS_BOOTSTRAP_CREDENTIALS: its token may use the management API.
   */
  rootCredentials?: { clientId: string; clientSecret: string };
  /**
   * Polaris's `polaris.authentication.type`: 'internal' (default) issues tokens at /v1/oauth/tokens;
   * 'external' (an identity provider issues them) answers that endpoint 501 with an empty body. Tokens
   * from `issueToken` stand in for the identity provider's.
   */
  authentication?: 'internal' | 'external';
  /**
   * Polaris's `LIST_PAGINATION_ENABLED` feature (default false, as in Polaris): listings then answer at
   * most `pageSize` items with a `next-page-token`; without it every item comes in one answer.
   */
  listPagination?: boolean;
  /** Polaris's request rate limiter: beyond it, 429 TooManyRequestsException "Rate exceeded", no Retry-After. */
  rateLimit?: { requestsPerSecond: number; burst?: number };
}

/** A hold on the requests of one kind: those arriving while it is on wait for release(). */
export interface RequestHold {
  /** Resolves when the first held request has arrived. */
  readonly arrived: Promise<void>;
  /** Lets every held request (and later ones) through. */
  release(): void;
}

export interface FailNextResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  reset?: boolean;
  /**
   * Processed as usual, then its own answer held for this long (status and body are ignored): what a
   * client that times out first cannot tell from a request that was never handled.
   */
  slowMs?: number;
  /** Which kinds the injection applies to; default: every kind but 'token'. */
  kinds?: RequestKind[];
}

export interface CatalogSpec {
  name: string;
  type?: 'EXTERNAL' | 'INTERNAL';
  allowedLocations: string[];
  /** EXTERNAL catalog with a connection config: notifications are accepted and ignored. */
  federated?: boolean;
  /** Default true; false → VALIDATE answers 400 (no storage config in the hierarchy). */
  storageConfigured?: boolean;
  /**
   * The catalog property default-base-location (default: the first allowed location). Polaris 1.7
   * places a new top-level namespace at `<default-base-location>/<name>/` and refuses it (400) unless
   * that is `<an allowed location>/<name>/` or `polaris.config.namespace-custom-location.enabled` is set.
   */
  defaultBaseLocation?: string;
  /**
   * Catalog properties, e.g. `polaris.config.namespace-custom-location.enabled` or
   * `polaris.config.allow.external.metadata.file.location` ("true").
   */
  properties?: Record<string, string>;
  /** The storage role (shown in the STS error after denyStorageRole). */
  roleArn?: string;
}

/** A cloud storage error for reads under a prefix (see storage.ts for Polaris's answer to each). */
export type StorageFault = 'access-denied' | 'server-error' | 'redirect' | 'timeout' | 'throttled';

export interface PrincipalSpec {
  /** Principal name (management API paths, 403 messages); default: the client id. */
  name?: string;
  clientId: string;
  clientSecret: string;
  /**
   * Shortcut for tests: principal role name → catalog name → privileges granted through that role
   * (private to this principal; the management API builds the same thing from shared roles).
   */
  roles?: Record<string, Record<string, string[]>>;
  /** Assign the realm's `service_admin` principal role: the management API is open to this principal. */
  serviceAdmin?: boolean;
}

export interface TableSummary {
  namespace: string[];
  name: string;
  metadataLocation: string;
  timestamp: number;
}

export interface HistoryEntry {
  type: string;
  timestamp: number;
  metadataLocation: string;
  status: number;
  at: number;
  /** The X-Request-ID the notification carried. */
  requestId?: string;
}

/** One answered request, as Polaris's log shows it (the last 10,000 are kept). */
export interface RequestLogEntry {
  method: string;
  /** The path, without the query string. */
  path: string;
  kind: RequestKind | 'other';
  status: number;
  /** The X-Request-ID header (Polaris logs it with every line of the request). */
  requestId: string | undefined;
}

export interface EmulatorStats {
  requests: number;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
  notifications: Record<string, number>;
  tokensIssued: number;
  concurrentPerTableViolations: number;
}

export interface PolarisEmulator {
  /** Base URI up to and including '/api/catalog'. */
  readonly url: string;
  /** The server's root, e.g. http://127.0.0.1:<port> (a real Polaris's POLARIS_URI). */
  readonly rootUrl: string;
  /** Base URI of the management API: `${rootUrl}/api/management/v1`. */
  readonly managementUrl: string;
  close(): Promise<void>;
  setFaults(f: FaultOptions): void;
  failNext(n: number, response: FailNextResponse): void;
  /** Holds the requests of this kind before they are handled, until release() (see holds.ts). */
  hold(kind: RequestKind): RequestHold;
  createCatalog(c: CatalogSpec): void;
  createPrincipal(p: PrincipalSpec): void;
  issueToken(clientId: string): string;
  expireAllTokens(): void;
  /** Changes a catalog's default-base-location or adds/overrides properties (as an operator would). */
  updateCatalog(name: string, update: { defaultBaseLocation?: string; properties?: Record<string, string> }): void;
  createView(catalog: string, namespace: string[], name: string): void;
  createGenericTable(catalog: string, namespace: string[], name: string): void;
  /** An object in memory (any non-file scheme; `s3a://` is the same object as `s3://`). */
  putObject(uri: string, content: string | Buffer): void;
  deleteObject(uri: string): void;
  /** Objects under `prefix` (e.g. `s3://lake/wh`) are the files under the local directory `dir`. */
  mountBucket(prefix: string, dir: string): void;
  /** Reads under `prefix` fail as the cloud would (undefined clears it). */
  storageFault(prefix: string, fault: StorageFault | undefined): void;
  /** The catalog's storage role cannot be assumed (STS): VALIDATE, CREATE/UPDATE, loadTable answer 500. */
  denyStorageRole(catalog: string, denied?: boolean): void;
  tables(catalog: string): TableSummary[];
  namespaces(catalog: string): string[][];
  history(catalog: string, namespace: string[], name: string): HistoryEntry[];
  stats(): EmulatorStats;
  /** The latest answered requests with their X-Request-ID, oldest first. */
  requests(): RequestLogEntry[];
}
