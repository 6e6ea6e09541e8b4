import { excerpt } from '../../src/telemetry/safe-text.js';
import { MirrorError, messageOf } from '../../src/util/errors.js';
import { MetastoreAuthError } from '../hive/transport/auth-error.js';

/** What went wrong talking to HiveServer2, for the hint and for what the source does next. */
export type Hs2ErrorKind = 'authentication' | 'authorization' | 'connection' | 'sql';

/** Hive's ErrorMsg codes that say definitely "no such object" (INVALID_TABLE, DATABASE_NOT_EXISTS). */
const NOT_FOUND_CODES = new Set([10001, 10072]);
const AUTHORIZATION = /HiveAccessControlException|AuthorizationException|Permission denied|does not have \[?\w*\]? ?privilege|not authorized/i;
const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(VERIFY|GET))/;

export class Hs2Error extends MirrorError {
  readonly kind: Hs2ErrorKind;
  /** Hive's error code (ErrorMsg), when HiveServer2 answered with one. */
  readonly errorCode: number | undefined;

  constructor(kind: Hs2ErrorKind, message: string, options: { retryable: boolean; hint?: string; errorCode?: number; cause?: unknown }) {
    super(message, { retryable: options.retryable, hint: options.hint, cause: options.cause });
    this.name = 'Hs2Error';
    this.kind = kind;
    this.errorCode = options.errorCode;
  }

  /** A definite "table not found" / "database does not exist": the only answer that confirms a drop. */
  get notFound(): boolean {
    return this.kind === 'sql' && this.errorCode !== undefined && NOT_FOUND_CODES.has(this.errorCode);
  }
}

/**
 * Any failure of hive-driver or the socket under it, as an Hs2Error with a hint. HiveServer2's own
 * text is remote input: scrubbed, made printable and bounded (excerpt) before it is kept.
 */
export function classifyHs2Error(error: unknown, where: { readonly host: string; readonly port: number; readonly auth: { readonly type: string } }): Hs2Error {
  if (error instanceof Hs2Error) return error;
  // The Kerberos login and GSSAPI exchange (shared with the hive source) say what failed and how to fix it.
  if (error instanceof MetastoreAuthError) return new Hs2Error('authentication', error.message.replaceAll('metastore', 'HiveServer2'), { retryable: true, hint: error.hint, cause: error });
  const at = `HiveServer2 at ${where.host}:${where.port}`;
  const e = (error ?? {}) as { name?: string; message?: string; code?: unknown; statusCode?: unknown; response?: { errorMessage?: string; errorCode?: number } };
  const text = excerpt(typeof e.message === 'string' ? e.message : printable(error));
  if (typeof e.statusCode === 'number') {
    if (e.statusCode === 401) return new Hs2Error('authentication', `${at} refused the credentials (HTTP 401)`, { retryable: true, hint: 'check auth.username and auth.password (LDAP) for HiveServer2' });
    if (e.statusCode === 403) return new Hs2Error('authorization', `${at} refused access (HTTP 403)`, { retryable: true, hint: 'the user authenticated but may not use HiveServer2 over HTTP: check the gateway (Knox) and HiveServer2 policies' });
    return new Hs2Error('connection', `${at} answered HTTP ${e.statusCode}`, { retryable: true, hint: 'check httpPath (hive.server2.thrift.http.path) and that port is the HTTP port (hive.server2.thrift.http.port)' });
  }
  if (text.startsWith('Authentication error')) {
    return new Hs2Error('authentication', `${at} refused the login: ${text}`, {
      retryable: true,
      hint: where.auth.type === 'plain' ? 'check auth.username and auth.password (hive.server2.authentication LDAP or CUSTOM)' : 'check auth against hive.server2.authentication',
    });
  }
  if (e.name === 'Status Error' || e.response !== undefined) {
    const message = excerpt(e.response?.errorMessage ?? text);
    const errorCode = typeof e.code === 'number' ? e.code : e.response?.errorCode;
    if (AUTHORIZATION.test(message)) {
      return new Hs2Error('authorization', `${at} refused a statement: ${message}`, { retryable: true, errorCode, hint: 'grant the connector\'s user the access it needs (see the README: metadata access on the databases, SELECT on sys.notification_log)' });
    }
    return new Hs2Error('sql', `${at} failed a statement: ${message}`, { retryable: true, errorCode, hint: 'HiveServer2 refused the statement; its message says why' });
  }
  const code = typeof e.code === 'string' ? e.code : '';
  if (TLS_CODES.test(code)) {
    return new Hs2Error('connection', `TLS with ${at} failed: ${text}`, { retryable: true, hint: 'set tls.caFile to the CA that signed HiveServer2\'s certificate (PEM), and use the host name the certificate names' });
  }
  if (code === 'EPROTO' || /wrong version number|packet length too long/i.test(text)) {
    return new Hs2Error('connection', `${at} does not speak TLS: ${text}`, { retryable: true, hint: 'remove tls, or check hive.server2.use.SSL' });
  }
  return new Hs2Error('connection', `cannot reach ${at}: ${text}`, { retryable: true, hint: 'check that HiveServer2 is running and reachable on host and port, and that transport (binary/http) matches hive.server2.transport.mode' });
}

/** Any thrown value as text, whatever it is (an object without a prototype cannot become a string). */
function printable(error: unknown): string {
  try {
    return messageOf(error);
  } catch {
    return 'an unreadable error';
  }
}
