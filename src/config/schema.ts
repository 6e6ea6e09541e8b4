import { z } from 'zod';
import { sourceSchemas } from '../../adapters/schemas.js';
import { polarisInstanceName } from './source-schema.js';
import { DEFAULT_POLARIS, resolveTargets, targetIssues } from './targets.js';

/**
 * The configuration file, a contract: tests and deployments outside this repo write these keys.
 * Extend it; never rename a key. Every object is strict so a misspelt key is an error, not a silent
 * default.
 */

const oauthOrTokenSchema = z
  .strictObject({
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /** Mandatory for Polaris: each entry is PRINCIPAL_ROLE:<name>. */
    scope: z.string().min(1).default('PRINCIPAL_ROLE:ALL'),
    /** Default {polaris.uri}/v1/oauth/tokens; set it for an external identity provider. */
    tokenUri: z.url().optional(),
    /** How the client credentials travel: form fields (default) or HTTP Basic. */
    clientAuth: z.enum(['post', 'basic']).default('post'),
    /** A static bearer token instead of client credentials. */
    token: z.string().min(1).optional(),
  })
  .superRefine((auth, ctx) => {
    const hasClient = auth.clientId !== undefined || auth.clientSecret !== undefined;
    if (auth.token !== undefined && hasClient) {
      ctx.addIssue({ code: 'custom', message: 'give either token or clientId + clientSecret, not both' });
    } else if (auth.token === undefined && !hasClient) {
      ctx.addIssue({ code: 'custom', message: 'credentials are missing: set clientId + clientSecret, or token' });
    } else if (hasClient && (auth.clientId === undefined || auth.clientSecret === undefined)) {
      const missing = auth.clientId === undefined ? 'clientId' : 'clientSecret';
      ctx.addIssue({ code: 'custom', path: [missing], message: `${missing} is required with client credentials` });
    }
  });

const retrySchema = z.strictObject({
  /** Transient failures (429, 5xx, network) in a row before a table is marked failed; it keeps retrying. */
  maxAttempts: z.number().int().min(1).default(8),
  baseDelayMs: z.number().int().min(1).default(500),
  maxDelayMs: z.number().int().min(1).default(60_000),
});

const polarisSchema = z.strictObject({
  /** Base URI: the part before /v1, e.g. http://127.0.0.1:8181/api/catalog. */
  uri: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:8181/api/catalog' }),
  /** Sent as the Polaris-Realm header. */
  realm: z.string().min(1).optional(),
  auth: oauthOrTokenSchema,
  /** Table operations in flight at once. */
  concurrency: z.number().int().min(1).max(1024).default(16),
  /** Client-side limit on requests to Polaris; 0 = none. */
  requestsPerSecond: z.number().min(0).default(0),
  requestTimeoutMs: z.number().int().min(100).default(30_000),
  /** Extra CA certificates (PEM file) for a Polaris behind a private CA. */
  tls: z.strictObject({ caFile: z.string().min(1) }).optional(),
  retry: retrySchema.default({ maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 60_000 }),
  /** `run` checks that Polaris answers this often (for /readyz), even when there is nothing to send. */
  probeIntervalSeconds: z.number().min(1).default(15),
});

export const DEFAULT_STATE_PATH = './.polaris-mirror/state.db';

/**
 * Where the ledger lives: a SQLite file (`path`, one process) or a PostgreSQL database (`url`, shared by
 * several replicas). Exclusive; with neither, the default SQLite file.
 */
const stateSchema = z
  .strictObject({
    /** The SQLite ledger; relative paths are resolved against the config file's directory. */
    path: z.string().min(1).optional(),
    /** The PostgreSQL ledger: postgresql://user:${PG_PASSWORD}@host:5432/database */
    url: z
      .string()
      .max(2048)
      .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a postgresql:// URL, e.g. postgresql://mirror:${PG_PASSWORD}@pg.example.com:5432/mirror')
      .optional(),
    /** The PostgreSQL schema holding the ledger's tables (created when missing); default: public. */
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a plain lower-case PostgreSQL identifier (letters, digits, _), e.g. polaris_mirror')
      .optional(),
    /** Verify the PostgreSQL server against this CA (PEM file), host name included (sslmode=verify-full). */
    tls: z.strictObject({ caFile: z.string().min(1) }).optional(),
  })
  .superRefine((state, ctx) => {
    if (state.path !== undefined && state.url !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'state.path (SQLite) and state.url (PostgreSQL) are exclusive: keep the one ledger you mean' });
    }
    if (state.url === undefined && (state.schema !== undefined || state.tls !== undefined)) {
      ctx.addIssue({ code: 'custom', path: [state.schema !== undefined ? 'schema' : 'tls'], message: 'state.schema and state.tls apply to a PostgreSQL ledger: set state.url too, or remove them' });
    }
  })
  .transform((state) => (state.url === undefined ? { ...state, path: state.path ?? DEFAULT_STATE_PATH } : state));

const serverSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(9470),
  /** Ingest requests above this size are refused with 413. */
  maxBodyBytes: z.number().int().min(1024).default(1024 * 1024),
  /** Ingest requests holding more events than this are refused with 413 before any is read. */
  maxEventsPerRequest: z.number().int().min(1).max(100_000).default(1000),
  /** Serve HTTPS with this certificate and key (PEM files; relative to the config file). */
  tls: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
  /**
   * The web console (/ui/) and the control API (/v1/refresh, /v1/retry). Without a token here, the
   * token of any ingest endpoint opens them; without either, they are refused.
   */
  console: z
    .strictObject({
      token: z.string().min(16, 'the console token must be at least 16 characters (e.g. `openssl rand -hex 24`)').max(1024).optional(),
    })
    .optional(),
});

/** OpenTelemetry traces (off unless this block is present). */
const tracingSchema = z.strictObject({
  /** The OTLP/HTTP traces endpoint of a collector. */
  endpoint: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:4318/v1/traces' }).default('http://127.0.0.1:4318/v1/traces'),
  serviceName: z.string().min(1).max(256).default('polaris-mirror'),
  /** Extra headers of the export requests (e.g. a collector's authorization); scrubbed from output like other secrets. */
  headers: z.record(z.string().min(1), z.string()).optional(),
});

const logSchema = z.strictObject({
  /** Default: info for `run`, error for one-shot commands (their summary is the output). LOG_LEVEL overrides. */
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});

const sourceTypes = Object.keys(sourceSchemas) as [keyof typeof sourceSchemas, ...(keyof typeof sourceSchemas)[]];

const sourceSchema = z.discriminatedUnion(
  'type',
  sourceTypes.map((type) => sourceSchemas[type]) as unknown as [
    (typeof sourceSchemas)[keyof typeof sourceSchemas],
    ...(typeof sourceSchemas)[keyof typeof sourceSchemas][],
  ],
);

const configShape = z.strictObject({
  polaris: polarisSchema,
  /** More Polaris instances (or realms) by name; sources reach them through `targets[].polaris`. */
  polarisInstances: z
    .record(polarisInstanceName, polarisSchema)
    .refine((instances) => !(DEFAULT_POLARIS in instances), { error: `"${DEFAULT_POLARIS}" is the instance of the polaris block: give this one another name` })
    .optional(),
  state: stateSchema.default({ path: DEFAULT_STATE_PATH }),
  server: serverSchema.optional(),
  log: logSchema.default({}),
  tracing: tracingSchema.optional(),
  sources: z.array(sourceSchema).min(1, 'at least one source is needed'),
});

/** The file as validated, each source with its targets resolved (`target` → one target on "default"). */
export const configSchema = configShape
  .superRefine((config, ctx) => {
    for (const issue of targetIssues(config.sources, Object.keys(config.polarisInstances ?? {}))) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, params: { hint: issue.hint } });
    }
  })
  .transform((config) => ({
    ...config,
    sources: config.sources.map((source) => {
      const targets = resolveTargets(source);
      return { ...source, targets, target: source.target ?? { catalog: targets[0]!.catalog, namespacePrefix: targets[0]!.namespacePrefix } };
    }),
  }));

export type MirrorConfig = z.output<typeof configSchema>;
export type PolarisConfig = MirrorConfig['polaris'];

/** Every Polaris instance by name: "default" (the polaris block) first, then polarisInstances. */
export function polarisInstancesOf(config: Pick<MirrorConfig, 'polaris' | 'polarisInstances'>): Map<string, PolarisConfig> {
  return new Map([[DEFAULT_POLARIS, config.polaris], ...Object.entries(config.polarisInstances ?? {})]);
}
export type ServerConfig = z.output<typeof serverSchema>;
export type TracingConfig = z.output<typeof tracingSchema>;
export type SourceConfig = MirrorConfig['sources'][number];
