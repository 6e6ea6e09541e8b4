import { z } from 'zod';
import { commonSourceFields, ingestRateLimitSchema, ingestSignatureSchema } from '../../src/config/source-schema.js';
import { SERVICE_PRINCIPAL_PATTERN } from './kerberos/service-principal.js';
import { parseHmsUri } from './metastore/hms-uri.js';
import { DEFAULT_MAX_REPLY_BYTES } from './thrift/message-scanner.js';

/**
 * How the connector authenticates to the metastore (`auth`), matching the metastore's settings:
 * - kerberos: SASL GSSAPI (hive.metastore.sasl.enabled=true), with the protection of
 *   hadoop.rpc.protection as `qop`; tickets from `keytab` (renewed by the connector) or the ticket cache.
 * - plain: SASL PLAIN, for metastores that check a user and password (LDAP).
 * - bearer: a token (JWT) on Thrift over HTTP (metastore.authentication=jwt).
 */
export const hiveAuthVariants = {
  none: z.strictObject({ type: z.literal('none') }),
  kerberos: z
      .strictObject({
        type: z.literal('kerberos'),
        /** hive.metastore.kerberos.principal; _HOST is replaced by the host of the uri being connected. */
        servicePrincipal: z.string().regex(SERVICE_PRINCIPAL_PATTERN, "must be the metastore's principal, service/host@REALM (hive.metastore.kerberos.principal, e.g. hive/_HOST@EXAMPLE.COM)"),
        /** The connector's principal; without a keytab it may be left out (the ticket cache's principal). */
        principal: z.string().min(1).optional(),
        /** Unset: tickets from the ticket cache (KRB5CCNAME), obtained with kinit outside the connector. */
        keytab: z.string().min(1).optional(),
        /** hadoop.rpc.protection: authentication = auth, integrity = auth-int, privacy = auth-conf. */
        qop: z.enum(['auth', 'auth-int', 'auth-conf'], { error: 'qop must be auth, auth-int or auth-conf (hadoop.rpc.protection authentication, integrity, privacy)' }).default('auth'),
      })
      .refine((auth) => auth.keytab === undefined || auth.principal !== undefined, { path: ['principal'], error: 'principal is required with keytab (the keytab may hold several)' }),
  plain: z.strictObject({ type: z.literal('plain'), username: z.string().min(1), password: z.string() }),
  bearer: z.strictObject({ type: z.literal('bearer'), token: z.string().min(1) }),
};

const hiveAuthSchema = z.discriminatedUnion('type', [hiveAuthVariants.none, hiveAuthVariants.kerberos, hiveAuthVariants.plain, hiveAuthVariants.bearer], {
  error: 'auth.type must be none, kerberos, plain or bearer',
});

/**
 * `type: hive` — Iceberg tables of a Hive Metastore: captured from its notification log over Thrift
 * (`uris`), and/or pushed by a metastore listener to the hook endpoint (`ingestToken`).
 */
export const hiveSourceSchema = z
  .strictObject({
    type: z.literal('hive'),
    ...commonSourceFields,
    /**
     * thrift://host:port, or http(s)://host:port/path for Thrift over HTTP; tried in order with
     * fail-over. Empty: hook-only (no listing, no log).
     */
    uris: z
      .array(
        z.string().refine((uri) => parseHmsUri(uri) !== undefined, {
          error: 'must be thrift://host:port (e.g. thrift://hms-1:9083), or http(s)://host:port/path for Thrift over HTTP',
        }),
      )
      .default([]),
    auth: hiveAuthSchema.default({ type: 'none' }),
    /** TLS on the metastore socket (hive.metastore.use.SSL) or for https:// uris; caFile: a private CA (PEM). */
    tls: z.strictObject({ caFile: z.string().min(1).optional() }).optional(),
    /** Extra headers on every call over http(s):// (gateways, x-actor-username, catalog selectors). */
    headers: z.record(z.string().min(1), z.string()).default({}),
    /** Must match the metastore's hive.metastore.thrift.framed.transport.enabled. */
    transport: z.enum(['buffered', 'framed'], { error: 'transport must be buffered or framed' }).default('buffered'),
    /** Hive 3+ catalog to mirror; unset: the metastore's default catalog (events of every catalog are read). */
    catalogName: z.string().min(1).optional(),
    /** Pause between polls of the notification log once caught up. */
    pollIntervalMs: z.number().int().min(10).default(1000),
    /** Events per get_next_notification call (and per ledger commit). */
    batchSize: z.number().int().min(1).max(10_000).default(500),
    connectTimeoutMs: z.number().int().min(100).default(10_000),
    /** Per Thrift call; a large get_next_notification reply must fit in it. */
    callTimeoutMs: z.number().int().min(100).default(60_000),
    /** The largest Thrift reply read; a larger one fails the call (a wrong port, a hostile peer, a huge batch). */
    maxReplyBytes: z.number().int().min(64 * 1024).default(DEFAULT_MAX_REPLY_BYTES),
    /** Bearer token of POST /v1/sources/{name}/hive-events; unset: no hook endpoint. */
    ingestToken: z.string().min(1).optional(),
    /** The hook endpoint's optional HMAC-SHA256 body signature, as for a webhook source. */
    signature: ingestSignatureSchema.optional(),
    /** The hook endpoint's optional request rate limit (429 with Retry-After beyond it), as for a webhook source. */
    rateLimit: ingestRateLimitSchema.optional(),
  })
  .superRefine((source, ctx) => {
    for (const key of ['signature', 'rateLimit'] as const) {
      if (source[key] !== undefined && source.ingestToken === undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies to the hook endpoint, which needs ingestToken` });
      }
    }
    if (source.uris.length === 0 && source.ingestToken === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['uris'],
        message: 'give uris (the metastore to read), or ingestToken (hook-only: a metastore listener pushes events), or both',
      });
    }
    for (const issue of transportIssues(source)) ctx.addIssue({ code: 'custom', ...issue });
  });

/** Keys that only make sense with one kind of uri. */
function transportIssues(source: { uris: string[]; auth: { type: string }; headers: Record<string, string>; transport: string; tls?: unknown }): Array<{ path: string[]; message: string }> {
  const schemes = new Set(source.uris.map((uri) => parseHmsUri(uri)?.scheme).filter((scheme) => scheme !== undefined));
  const http = schemes.has('http') || schemes.has('https');
  const issues: Array<{ path: string[]; message: string }> = [];
  if (http && schemes.has('thrift')) issues.push({ path: ['uris'], message: 'uris mix thrift:// and http(s):// addresses: list the metastores of one transport mode' });
  else if (source.uris.length === 0 && (source.auth.type !== 'none' || source.tls !== undefined)) {
    issues.push({ path: ['auth'], message: 'auth and tls apply to the metastores in uris; this source has none (hook-only)' });
  } else if (http) {
    if (source.auth.type === 'kerberos' || source.auth.type === 'plain') {
      issues.push({ path: ['auth', 'type'], message: `${source.auth.type} authenticates with SASL on thrift:// uris; Thrift over HTTP takes bearer (or none)` });
    }
    if (source.transport === 'framed') issues.push({ path: ['transport'], message: 'Thrift over HTTP has no framing: remove transport (it applies to thrift:// uris)' });
  } else if (source.uris.length > 0) {
    if (source.auth.type === 'bearer') issues.push({ path: ['auth', 'type'], message: 'bearer is for http(s):// uris (Thrift over HTTP); a thrift:// metastore takes kerberos, plain or none' });
    if (Object.keys(source.headers).length > 0) issues.push({ path: ['headers'], message: 'headers are sent on http(s):// uris only' });
  }
  return issues;
}

export type HiveSourceConfig = z.output<typeof hiveSourceSchema>;
