import { MirrorError } from '../../../src/util/errors.js';

/**
 * Who failed when a metastore connection could not be authenticated (or secured):
 * - `credentials`: the connector's own login (keytab, ticket cache, KDC). Every metastore would fail
 *   the same way, so the client does not fail over: it reports at once.
 * - `metastore`: this metastore refused the connector or wants another set-up (a service principal,
 *   protection, SASL, TLS, a token): the next address in `uris` may still accept it.
 */
export type AuthFailureScope = 'credentials' | 'metastore';

/**
 * An authentication or security failure: not a transport failure (the metastore answered, or the KDC
 * did), so it is reported as what it is, with a hint, instead of "the metastore did not answer".
 * Retryable: a long `run` keeps trying with backoff (a KDC comes back, a keytab is replaced).
 */
export class MetastoreAuthError extends MirrorError {
  readonly scope: AuthFailureScope;
  /** A fresh Kerberos login may help (a rejected or expired ticket): the client logs in again once. */
  readonly reloginMayHelp: boolean;

  constructor(message: string, options: { scope: AuthFailureScope; hint?: string; reloginMayHelp?: boolean; cause?: unknown }) {
    super(message, { retryable: true, hint: options.hint, cause: options.cause });
    this.name = 'MetastoreAuthError';
    this.scope = options.scope;
    this.reloginMayHelp = options.reloginMayHelp ?? false;
  }
}
