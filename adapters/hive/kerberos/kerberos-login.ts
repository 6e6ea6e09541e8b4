import { messageOf } from '../../../src/util/errors.js';
import { MetastoreAuthError } from '../transport/auth-error.js';
import { GssError, Gssapi, GssUnavailableError, type GssHandle } from './gssapi.js';
import { kerberosError } from './kerberos-errors.js';
import { keytabPrincipals } from './keytab-file.js';

export interface KerberosIdentity {
  /** The connector's principal; unset: the default principal of the ticket cache. */
  readonly principal: string | undefined;
  /** Unset: tickets come from the ticket cache (KRB5CCNAME), obtained by kinit outside the connector. */
  readonly keytab: string | undefined;
}

/** Credentials for one metastore connection; release() once the security context is established. */
export interface LoginCredential {
  readonly gss: Gssapi;
  readonly handle: GssHandle;
  readonly principal: string | undefined;
  release(): void;
}

/**
 * The connector's Kerberos login for one source. With a keytab, tickets live in a private in-memory
 * ticket cache (never on disk, never mixed with the user's own cache): MIT Kerberos logs in from the
 * keytab when the cache has no valid ticket, and again once half of a ticket's life has passed, each
 * time a connection acquires credentials — so a new connection always gets a valid ticket and a long
 * `run` never stops because one expired (connections already established keep their security context).
 * After a metastore rejects a ticket, relogin() starts over with a new cache: the next connection makes
 * a fresh login instead of reusing what was rejected. Without a keytab, the ticket cache is the user's
 * (kinit); an expired ticket there is reported with what to do.
 */
export class KerberosLogin {
  private generation = 0;

  constructor(
    private readonly identity: KerberosIdentity,
    private readonly source: string,
  ) {}

  get principal(): string | undefined {
    return this.identity.principal;
  }

  async credential(): Promise<LoginCredential> {
    const gss = await loadGssapi();
    const { principal, keytab } = this.identity;
    if (keytab) checkKeytab(keytab, principal);
    const name = principal ? gss.importPrincipal(principal) : null;
    try {
      for (let attempt = 0; ; attempt++) {
        const store: Record<string, string> = keytab ? { ccache: this.ticketCache, client_keytab: keytab } : {};
        const { credential, lifetimeSeconds } = await gss.acquireCredentials(name, store);
        if (lifetimeSeconds > 0) {
          return { gss, handle: credential, principal, release: () => gss.releaseCredential(credential) };
        }
        gss.releaseCredential(credential);
        // A keytab login whose ticket is already over (a suspended host, a clock jump): log in anew once.
        if (keytab && attempt === 0) {
          this.relogin();
          continue;
        }
        throw kerberosError(new GssError('gss_acquire_cred', 0, 0, 'Ticket expired', ''), { principal, keytab });
      }
    } catch (error) {
      if (error instanceof GssError) throw kerberosError(error, { principal, keytab });
      throw error;
    } finally {
      if (name !== null) gss.releaseName(name);
    }
  }

  /** The next credential() logs in afresh (a new private ticket cache); the old one is deleted. */
  relogin(): void {
    if (!this.identity.keytab) return;
    const old = this.ticketCache;
    this.generation++;
    void Gssapi.load().then((gss) => gss.destroyTicketCache(old), () => undefined);
  }

  private get ticketCache(): string {
    return `MEMORY:polaris-mirror.${this.source}.${this.generation}`;
  }
}

async function loadGssapi(): Promise<Gssapi> {
  try {
    return await Gssapi.load();
  } catch (error) {
    if (!(error instanceof GssUnavailableError)) throw error;
    throw new MetastoreAuthError(error.message, {
      scope: 'credentials',
      hint: 'install MIT Kerberos\'s libraries on this host: libgssapi-krb5-2 (Debian, Ubuntu), krb5-libs (RHEL, Fedora)',
      cause: error,
    });
  }
}

/** A keytab that cannot serve the login fails here, with the reason, before any KDC is asked. */
function checkKeytab(keytab: string, principal: string | undefined): void {
  let held: string[];
  try {
    held = keytabPrincipals(keytab);
  } catch (error) {
    throw new MetastoreAuthError(`cannot read the keytab ${keytab}: ${messageOf(error)}`, {
      scope: 'credentials',
      hint: 'check auth.keytab and that the user the connector runs as can read the file',
      cause: error,
    });
  }
  if (principal !== undefined && !held.includes(principal)) {
    throw new MetastoreAuthError(`the keytab ${keytab} holds no key for ${principal} (it holds: ${held.join(', ') || 'nothing'})`, {
      scope: 'credentials',
      hint: 'check auth.principal (principal@REALM, case matters), or export its key into the keytab (kadmin: ktadd)',
    });
  }
}
