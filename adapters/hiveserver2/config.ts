import { z } from 'zod';
import { commonSourceFields } from '../../src/config/source-schema.js';
import { hiveAuthVariants } from '../hive/config.js';
import { DEFAULT_MAX_REPLY_BYTES } from '../hive/thrift/message-scanner.js';

/**
 * `type: hiveserver2` — Iceberg tables of a Hive catalog read through HiveServer2's SQL (TCLIService,
 * with the hive-driver package), for platforms that expose HiveServer2 but not the metastore's port.
 * `auth` has the keys of the hive source's auth (none | plain | kerberos).
 */
export const hiveServer2SourceSchema = z
  .strictObject({
    type: z.literal('hiveserver2'),
    ...commonSourceFields,
    host: z.string().min(1).regex(/^[A-Za-z0-9.:_\-[\]]+$/, 'must be a host name or IP address (e.g. hs2.example.com), without a scheme or port'),
    port: z.number().int().min(1).max(65_535).default(10_000),
    /** hive.server2.transport.mode. */
    transport: z.enum(['binary', 'http'], { error: 'transport must be binary or http (hive.server2.transport.mode)' }).default('binary'),
    /** hive.server2.thrift.http.path; used with transport: http only (the binary transport has no path). */
    httpPath: z.string().regex(/^\/?[A-Za-z0-9._~\-/]*$/, 'must be a URL path such as cliservice (hive.server2.thrift.http.path)').optional(),
    auth: z
      .discriminatedUnion('type', [hiveAuthVariants.none, hiveAuthVariants.plain, hiveAuthVariants.kerberos], {
        error: 'auth.type must be none, plain or kerberos (hive.server2.authentication NOSASL, LDAP/CUSTOM/PAM, KERBEROS)',
      })
      .default({ type: 'none' }),
    /** TLS (hive.server2.use.SSL); caFile: a private CA (PEM). */
    tls: z.strictObject({ caFile: z.string().min(1).optional() }).optional(),
    /** auto: read sys.notification_log over SQL when this user may; off: periodic scans only. */
    changeLog: z.enum(['auto', 'off'], { error: 'changeLog must be auto or off' }).default('auto'),
    /** How often `run` scans the catalog in full when there is no change log (and reconciles with it). */
    scanIntervalSeconds: z.number().int().positive().default(900),
    /** HiveServer2 sessions used at once by a listing (each runs one statement at a time). */
    sessions: z.number().int().min(1).max(32).default(4),
    /** Pause between reads of sys.notification_log once caught up. */
    pollIntervalMs: z.number().int().min(10).default(1000),
    /** Events per read of sys.notification_log (and per ledger commit). */
    batchSize: z.number().int().min(1).max(10_000).default(500),
    connectTimeoutMs: z.number().int().min(100).default(10_000),
    /** Per statement, from ExecuteStatement to the last row fetched. */
    statementTimeoutMs: z.number().int().min(100).default(60_000),
    /** The largest TCLIService reply read; a larger one fails the statement (a wrong port, a hostile peer). */
    maxReplyBytes: z.number().int().min(64 * 1024).default(DEFAULT_MAX_REPLY_BYTES),
  })
  .superRefine((source, ctx) => {
    if (source.auth.type === 'kerberos' && source.transport === 'http') {
      ctx.addIssue({ code: 'custom', path: ['auth', 'type'], message: 'kerberos is supported on transport: binary (SASL GSSAPI); HTTP (SPNEGO) is not supported yet' });
    }
    if (source.auth.type === 'kerberos' && source.auth.qop !== 'auth') {
      ctx.addIssue({ code: 'custom', path: ['auth', 'qop'], message: 'only qop: auth (hive.server2.thrift.sasl.qop=auth) is supported by the HiveServer2 client; integrity and privacy layers are not' });
    }
  });

export type HiveServer2SourceConfig = z.output<typeof hiveServer2SourceSchema>;
