import { z } from 'zod';

/**
 * The Iceberg REST answers the source reads (fixtures/polaris-spec/iceberg-rest-catalog-open-api.yaml,
 * Iceberg 1.11), checked with zod. Objects are loose: servers add fields (and the metadata has many we
 * never read), and only the fields below decide anything. Checking the whole metadata would cost time
 * on every load and reject tables for fields the mirror does not use.
 */

/** GET /v1/config — CatalogConfig. */
export const catalogConfigSchema = z.looseObject({
  defaults: z.record(z.string(), z.unknown()).nullish(),
  overrides: z.record(z.string(), z.unknown()).nullish(),
  /** "<VERB> <path>" entries; absent means the spec's default set (which has no HEAD table). */
  endpoints: z.array(z.string()).nullish(),
});

const namespaceSchema = z.array(z.string());

/** PageToken: null or absent both mean "last page". */
const pageTokenSchema = z.string().nullish();

/** GET /v1/{prefix}/namespaces — ListNamespacesResponse. */
export const listNamespacesSchema = z.looseObject({
  'next-page-token': pageTokenSchema,
  namespaces: z.array(namespaceSchema).nullish(),
});

/** GET /v1/{prefix}/namespaces/{namespace}/tables — ListTablesResponse. */
export const listTablesSchema = z.looseObject({
  'next-page-token': pageTokenSchema,
  identifiers: z.array(z.looseObject({ namespace: namespaceSchema, name: z.string() })).nullish(),
});

/** GET …/tables/{table} — LoadTableResult, only what the mirror needs. */
export const loadTableSchema = z.looseObject({
  /** Null for a staged table (a create transaction not committed yet). */
  'metadata-location': z.string().min(1).nullish(),
  metadata: z.looseObject({
    'format-version': z.number().int(),
    'table-uuid': z.string().min(1),
    'last-updated-ms': z.number().nullish(),
    location: z.string().nullish(),
  }),
});

/** Every non-2xx answer — IcebergErrorResponse. Lenient: gateways answer with other bodies. */
export const errorResponseSchema = z.looseObject({
  error: z.looseObject({
    message: z.string().nullish(),
    type: z.string().nullish(),
    code: z.number().nullish(),
  }),
});

/** POST to the token endpoint — OAuthTokenResponse (or an identity provider's equivalent). */
export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().nullish(),
  expires_in: z.number().nullish(),
});

export const tokenErrorSchema = z.looseObject({
  error: z.string(),
  error_description: z.string().nullish(),
});

export type LoadTableResult = z.output<typeof loadTableSchema>;
