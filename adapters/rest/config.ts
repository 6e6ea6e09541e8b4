import { z } from 'zod';
import { commonSourceFields } from '../../src/config/source-schema.js';

/**
 * How the connector authenticates to the source catalog: a static bearer token, or OAuth2 client
 * credentials (renewed before expiry and after a 401/419), or nothing (catalogs without auth).
 */
const restAuthSchema = z
  .strictObject({
    /** A static bearer token. It cannot be renewed: a 401 with it is reported, not retried. */
    token: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /** Iceberg's own clients ask for `catalog`; Polaris as a source wants PRINCIPAL_ROLE:ALL. */
    scope: z.string().min(1).default('catalog'),
    /** Default {uri}/v1/oauth/tokens (deprecated upstream but common); set it for an identity provider. */
    tokenUri: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** How the client credentials travel: form fields (default) or HTTP Basic. */
    clientAuth: z.enum(['post', 'basic']).default('post'),
  })
  .superRefine((auth, ctx) => {
    const hasClient = auth.clientId !== undefined || auth.clientSecret !== undefined;
    if (auth.token !== undefined && hasClient) {
      ctx.addIssue({ code: 'custom', message: 'give either token or clientId + clientSecret, not both' });
    } else if (auth.token === undefined && !hasClient) {
      ctx.addIssue({ code: 'custom', message: 'credentials are missing: set token, or clientId + clientSecret (or leave auth out)' });
    } else if (hasClient && (auth.clientId === undefined || auth.clientSecret === undefined)) {
      const missing = auth.clientId === undefined ? 'clientId' : 'clientSecret';
      ctx.addIssue({ code: 'custom', path: [missing], message: `${missing} is required with client credentials` });
    }
  });

/** `type: rest` — an Iceberg REST catalog (Nessie, Lakekeeper, Gravitino, Unity, Glue's endpoint, Polaris). */
export const restSourceSchema = z.strictObject({
  type: z.literal('rest'),
  ...commonSourceFields,
  /** The catalog's base URI: the part before /v1. */
  uri: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://catalog.example.com/api/catalog' }),
  /** Sent as ?warehouse= to /v1/config; the server answers the prefix of every later path. */
  warehouse: z.string().min(1).optional(),
  auth: restAuthSchema.optional(),
  /** Extra headers on every catalog request (gateways, Polaris-Realm, X-Iceberg-Access-Delegation, ...). */
  headers: z.record(z.string().min(1), z.string()).default({}),
  /** How often `run` polls the catalog (a complete listing with conditional table loads). */
  pollIntervalSeconds: z.number().positive().default(60),
  /** Requests in flight at once during a poll (listings and table loads). */
  concurrency: z.number().int().min(1).max(256).default(8),
  /** Sent as pageSize on listings; servers may cap it. Unset: the server's default page size. */
  pageSize: z.number().int().min(1).optional(),
  requestTimeoutMs: z.number().int().min(100).default(30_000),
  /** Extra CA certificates (PEM file) for a catalog behind a private CA. */
  tls: z.strictObject({ caFile: z.string().min(1) }).optional(),
  /** Retries of one request after 429, 5xx or no answer, before the poll (or re-read) fails. */
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).default(3),
      baseDelayMs: z.number().int().min(1).default(250),
      maxDelayMs: z.number().int().min(1).default(5_000),
    })
    .default({ maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 5_000 }),
});

export type RestSourceConfig = z.output<typeof restSourceSchema>;
export type RestAuthConfig = NonNullable<RestSourceConfig['auth']>;
