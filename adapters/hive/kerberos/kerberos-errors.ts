import { MetastoreAuthError } from '../transport/auth-error.js';
import type { GssError } from './gssapi.js';

export interface KerberosErrorContext {
  /** The connector's principal (configured, or the ticket cache's). */
  readonly principal: string | undefined;
  readonly keytab: string | undefined;
  /** Set once a metastore is being authenticated to. */
  readonly servicePrincipal?: string;
  readonly uri?: string;
}

/** Read when an error is made: the environment is the one the library used. */
const krb5ConfigHint = () => `krb5.conf comes from KRB5_CONFIG (now ${process.env.KRB5_CONFIG ?? 'unset'}) or /etc/krb5.conf`;

/**
 * Turns what MIT Kerberos says into what an operator can act on. The library's words stay in the
 * message (they are what its documentation and forums use); the hint says what to change.
 */
export function kerberosError(error: GssError, context: KerberosErrorContext): MetastoreAuthError {
  const said = error.mechanismMessage || error.message;
  const who = context.principal ?? 'the ticket cache\'s principal';
  const keytab = context.keytab;
  const is = (pattern: RegExp) => pattern.test(said);

  if (is(/Cannot contact any KDC|Cannot find KDC|Cannot resolve network address for KDC|unable to reach any KDC/i)) {
    return new MetastoreAuthError(`no KDC answered: ${said}`, {
      scope: 'credentials',
      hint: `check the realm's kdc entries in krb5.conf and that the KDC is up and reachable from this host (port 88); ${krb5ConfigHint()}`,
      cause: error,
    });
  }
  if (is(/Server (\S+ )?not found in Kerberos database/i)) {
    return new MetastoreAuthError(`the KDC does not know the metastore's principal ${context.servicePrincipal ?? ''}: ${said}`.replace('  ', ' '), {
      scope: 'metastore',
      hint: 'servicePrincipal must be the metastore\'s hive.metastore.kerberos.principal (e.g. hive/_HOST@EXAMPLE.COM), and the host in the uri the name that principal uses (_HOST is replaced by it: a DNS name, not an IP address or an alias)',
      cause: error,
    });
  }
  if (is(/Client (\S+ )?not found in Kerberos database/i)) {
    return new MetastoreAuthError(`the KDC does not know ${who}: ${said}`, { scope: 'credentials', hint: 'check auth.principal (principal@REALM, the realm in capitals)', cause: error });
  }
  if (keytab && is(/Decrypt integrity check failed|Preauthentication failed|Password incorrect|Key version|kvno|No matching key/i)) {
    return new MetastoreAuthError(`the KDC refused the keytab for ${who} (${said})`, {
      scope: 'credentials',
      hint: `the key in ${keytab} no longer matches the KDC's (the principal was re-keyed, e.g. by another ktadd or a password change): export a fresh keytab (kadmin: ktadd -k ${keytab} ${who}; add -norandkey where other keytabs must stay valid)`,
      cause: error,
    });
  }
  if (is(/Ticket expired|credential has expired|credentials have expired/i)) {
    return new MetastoreAuthError(`the Kerberos ticket of ${who} has expired (${said})`, {
      scope: 'credentials',
      reloginMayHelp: true,
      hint: keytab ? `the connector logs in again from ${keytab}; if this persists, check the clocks and the principal's ticket lifetime` : 'run kinit again (or kinit -R before it expires), or set auth.keytab so the connector logs in and renews by itself',
      cause: error,
    });
  }
  if (is(/No Kerberos credentials available|No credentials cache found|Can't find client principal|No credentials were supplied|Matching credential not found/i) && !keytab) {
    return new MetastoreAuthError(`no Kerberos ticket for ${who} in the ticket cache (${said})`, {
      scope: 'credentials',
      hint: `run kinit ${context.principal ?? '<principal>'} as the user the connector runs as (KRB5CCNAME selects the cache), or set auth.keytab`,
      cause: error,
    });
  }
  if (is(/Clock skew too great/i)) {
    return new MetastoreAuthError(`the clocks of this host and the KDC or metastore differ too much (${said})`, { scope: 'credentials', hint: 'synchronise the clocks (NTP)', cause: error });
  }
  return new MetastoreAuthError(`Kerberos ${context.servicePrincipal ? `authentication to ${context.servicePrincipal}` : `login of ${who}`} failed: ${said}`, {
    scope: context.servicePrincipal ? 'metastore' : 'credentials',
    reloginMayHelp: context.servicePrincipal !== undefined,
    hint: `check auth.principal, auth.keytab and auth.servicePrincipal; ${krb5ConfigHint()}`,
    cause: error,
  });
}
