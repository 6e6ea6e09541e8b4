import { promisify } from 'node:util';
import type { LibraryHandle } from 'koffi';

/**
 * The system's GSSAPI library (MIT Kerberos: libgssapi_krb5.so.2), called through koffi's FFI. Only
 * the calls a SASL GSSAPI initiator needs are bound: names, credentials (acquired from a client keytab
 * into a private ticket cache), the security context, and the per-message wrap/unwrap of the SASL
 * security layer. No cryptography happens here: every token is made and checked by the library.
 *
 * Why not the `kerberos` npm package: its wrap() always sends RFC 4752's "no security layer" answer
 * and cannot wrap data, so integrity and privacy (Hadoop's `integrity`/`privacy`) are out of its reach.
 *
 * Loaded on first use, so a connector without Kerberos sources never loads it.
 */

/** Raw handles (gss_name_t, gss_cred_id_t, gss_ctx_id_t) are pointers: BigInt in koffi. */
export type GssHandle = bigint;

export const GSS_S_COMPLETE = 0;
export const GSS_S_CONTINUE_NEEDED = 1;
/** Context flags a SASL GSSAPI client asks for (Java's GssKrb5Client asks for the same). */
export const GSS_C_MUTUAL_FLAG = 2;
export const GSS_C_REPLAY_FLAG = 4;
export const GSS_C_SEQUENCE_FLAG = 8;
export const GSS_C_CONF_FLAG = 16;
export const GSS_C_INTEG_FLAG = 32;
export const GSS_C_INDEFINITE = 0xffffffff;
const GSS_C_INITIATE = 1;
const GSS_C_GSS_CODE = 1;
const GSS_C_MECH_CODE = 2;

/** OIDs as DER bytes: the Kerberos 5 mechanism (1.2.840.113554.1.2.2) and its principal-name type (…2.1). */
const KRB5_MECHANISM = oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]);
const KRB5_PRINCIPAL_NAME = oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x01]);

function oid(bytes: number[]): { length: number; elements: Buffer } {
  return { length: bytes.length, elements: Buffer.from(bytes) };
}

/** A failed GSSAPI call: the library's own words for the major (GSS) and minor (Kerberos) status. */
export class GssError extends Error {
  constructor(
    readonly call: string,
    readonly major: number,
    readonly minor: number,
    readonly mechanismMessage: string,
    gssMessage: string,
  ) {
    super(`${call}: ${mechanismMessage || gssMessage}${mechanismMessage && gssMessage && !gssMessage.startsWith('Unspecified GSS failure') ? ` (${gssMessage})` : ''}`);
    this.name = 'GssError';
  }
}

/** The library could not be loaded (MIT Kerberos is not installed). */
export class GssUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GssUnavailableError';
  }
}

interface OutBuffer {
  length?: number | bigint;
  value?: bigint | null;
}

type Fn = ((...args: unknown[]) => number) & { async: (...args: unknown[]) => void };

/** The bound library; see load(). */
export class Gssapi {
  private readonly acquireAsync: (...args: unknown[]) => Promise<number>;
  private readonly initAsync: (...args: unknown[]) => Promise<number>;

  private constructor(
    private readonly koffi: typeof import('koffi').default,
    private readonly fn: Record<string, Fn>,
    private readonly krb5: Record<string, Fn> | undefined,
  ) {
    // These two may talk to the KDC: they run on a worker thread, never blocking the event loop.
    this.acquireAsync = promisify(fn.gss_acquire_cred_from!.async) as never;
    this.initAsync = promisify(fn.gss_init_sec_context!.async) as never;
  }

  private static loading: Promise<Gssapi> | undefined;

  /** The process-wide binding (loaded once). Throws GssUnavailableError without MIT Kerberos. */
  static load(): Promise<Gssapi> {
    Gssapi.loading ??= Gssapi.bind().catch((error: unknown) => {
      Gssapi.loading = undefined;
      throw error;
    });
    return Gssapi.loading;
  }

  private static async bind(): Promise<Gssapi> {
    const koffi = (await import('koffi')).default;
    let gss: LibraryHandle;
    try {
      gss = koffi.load('libgssapi_krb5.so.2');
    } catch (error) {
      throw new GssUnavailableError(`Kerberos needs MIT Kerberos's GSSAPI library (libgssapi_krb5.so.2), which cannot be loaded: ${(error as Error).message}`);
    }
    koffi.struct('pm_gss_buffer', { length: 'size_t', value: 'void *' });
    koffi.struct('pm_gss_oid', { length: 'uint32_t', elements: 'void *' });
    koffi.struct('pm_gss_kv', { key: 'const char *', value: 'const char *' });
    koffi.struct('pm_gss_kv_set', { count: 'uint32_t', elements: 'pm_gss_kv *' });
    const declare = (lib: LibraryHandle, signatures: string[]) =>
      Object.fromEntries(signatures.map((signature) => [/ (\w+)\(/.exec(signature)![1]!, lib.func(signature) as unknown as Fn]));
    const fn = declare(gss, [
      'uint32_t gss_import_name(_Out_ uint32_t *minor, pm_gss_buffer *name, pm_gss_oid *type, _Out_ void **out)',
      'uint32_t gss_release_name(_Out_ uint32_t *minor, _Inout_ void **name)',
      'uint32_t gss_display_name(_Out_ uint32_t *minor, void *name, _Out_ pm_gss_buffer *out, void *type)',
      'uint32_t gss_acquire_cred_from(_Out_ uint32_t *minor, void *name, uint32_t time, void *mechs, int usage, pm_gss_kv_set *store, _Out_ void **cred, void *actual, _Out_ uint32_t *lifetime)',
      'uint32_t gss_inquire_cred(_Out_ uint32_t *minor, void *cred, _Out_ void **name, _Out_ uint32_t *lifetime, _Out_ int *usage, void *mechs)',
      'uint32_t gss_release_cred(_Out_ uint32_t *minor, _Inout_ void **cred)',
      'uint32_t gss_init_sec_context(_Out_ uint32_t *minor, void *cred, _Inout_ void **ctx, void *target, pm_gss_oid *mech, uint32_t flags, uint32_t time, void *bindings, pm_gss_buffer *input, void *actualMech, _Out_ pm_gss_buffer *output, _Out_ uint32_t *retFlags, _Out_ uint32_t *lifetime)',
      'uint32_t gss_delete_sec_context(_Out_ uint32_t *minor, _Inout_ void **ctx, void *output)',
      'uint32_t gss_wrap(_Out_ uint32_t *minor, void *ctx, int conf, uint32_t qop, pm_gss_buffer *input, _Out_ int *confState, _Out_ pm_gss_buffer *output)',
      'uint32_t gss_unwrap(_Out_ uint32_t *minor, void *ctx, pm_gss_buffer *input, _Out_ pm_gss_buffer *output, _Out_ int *confState, _Out_ uint32_t *qop)',
      'uint32_t gss_wrap_size_limit(_Out_ uint32_t *minor, void *ctx, int conf, uint32_t qop, uint32_t outputSize, _Out_ uint32_t *inputSize)',
      'uint32_t gss_release_buffer(_Out_ uint32_t *minor, pm_gss_buffer *buffer)',
      'uint32_t gss_display_status(_Out_ uint32_t *minor, uint32_t status, int type, pm_gss_oid *mech, _Inout_ uint32_t *context, _Out_ pm_gss_buffer *output)',
    ]);
    // libkrb5 only to delete a private ticket cache that a fresh login replaces (a memory leak otherwise).
    let krb5: Record<string, Fn> | undefined;
    try {
      krb5 = declare(koffi.load('libkrb5.so.3'), [
        'int krb5_init_context(_Out_ void **context)',
        'void krb5_free_context(void *context)',
        'int krb5_cc_resolve(void *context, const char *name, _Out_ void **cache)',
        'int krb5_cc_destroy(void *context, void *cache)',
      ]);
    } catch {
      krb5 = undefined;
    }
    return new Gssapi(koffi, fn, krb5);
  }

  /** A Kerberos principal name ("user@REALM", "hive/host@REALM"), realm included as given. */
  importPrincipal(principal: string): GssHandle {
    const minor = [0];
    const out: Array<GssHandle | null> = [null];
    const bytes = Buffer.from(principal, 'utf8');
    const major = this.fn.gss_import_name!(minor, { length: bytes.length, value: bytes }, KRB5_PRINCIPAL_NAME, out);
    this.check('gss_import_name', major, minor[0]!);
    return out[0]!;
  }

  releaseName(name: GssHandle): void {
    this.fn.gss_release_name!([0], [name]);
  }

  displayName(name: GssHandle): string {
    const output: OutBuffer = {};
    const minor = [0];
    this.check('gss_display_name', this.fn.gss_display_name!(minor, name, output, null), minor[0]!);
    return this.take(output).toString('utf8');
  }

  /**
   * Initiator credentials of `name` (or the ticket cache's default principal) from a credential store:
   * `ccache` (a ticket cache name) and `client_keytab` (MIT logs in from it when the cache has no valid
   * ticket, and again once half of the ticket's life is over). Returns the handle and the seconds left.
   */
  async acquireCredentials(name: GssHandle | null, store: Readonly<Record<string, string>>): Promise<{ credential: GssHandle; lifetimeSeconds: number }> {
    const entries = Object.entries(store).map(([key, value]) => ({ key, value }));
    const minor = [0];
    const credential: Array<GssHandle | null> = [null];
    const lifetime = [0];
    const major = await this.acquireAsync(minor, name, 0, null, GSS_C_INITIATE, entries.length > 0 ? { count: entries.length, elements: entries } : null, credential, null, lifetime);
    this.check('gss_acquire_cred_from', major, minor[0]!);
    return { credential: credential[0]!, lifetimeSeconds: lifetime[0]! };
  }

  /** The principal and the seconds left of a credential (0: its ticket expired). */
  inquireCredential(credential: GssHandle): { principal: string; lifetimeSeconds: number } {
    const minor = [0];
    const name: Array<GssHandle | null> = [null];
    const lifetime = [0];
    this.check('gss_inquire_cred', this.fn.gss_inquire_cred!(minor, credential, name, lifetime, [0], null), minor[0]!);
    try {
      return { principal: this.displayName(name[0]!), lifetimeSeconds: lifetime[0]! };
    } finally {
      this.releaseName(name[0]!);
    }
  }

  releaseCredential(credential: GssHandle): void {
    this.fn.gss_release_cred!([0], [credential]);
  }

  /**
   * One step of gss_init_sec_context for the Kerberos mechanism. `context` holds the context handle
   * between steps (null before the first).
   */
  async initSecContext(
    credential: GssHandle | null,
    context: Array<GssHandle | null>,
    target: GssHandle,
    flags: number,
    input: Buffer | undefined,
  ): Promise<{ complete: boolean; token: Buffer; flags: number; lifetimeSeconds: number }> {
    const minor = [0];
    const output: OutBuffer = {};
    const returned = [0];
    const lifetime = [0];
    const inputBuffer = input && input.length > 0 ? { length: input.length, value: input } : null;
    const major = await this.initAsync(minor, credential, context, target, KRB5_MECHANISM, flags, 0, null, inputBuffer, null, output, returned, lifetime);
    const token = this.take(output);
    if (major !== GSS_S_COMPLETE && major !== GSS_S_CONTINUE_NEEDED) this.check('gss_init_sec_context', major, minor[0]!);
    return { complete: major === GSS_S_COMPLETE, token, flags: returned[0]!, lifetimeSeconds: lifetime[0]! };
  }

  deleteSecContext(context: GssHandle): void {
    this.fn.gss_delete_sec_context!([0], [context], null);
  }

  /** gss_wrap: integrity always, confidentiality when `encrypt`. */
  wrap(context: GssHandle, encrypt: boolean, message: Buffer): Buffer {
    const minor = [0];
    const output: OutBuffer = {};
    const state = [0];
    const major = this.fn.gss_wrap!(minor, context, encrypt ? 1 : 0, 0, { length: message.length, value: message }, state, output);
    const token = this.take(output);
    this.check('gss_wrap', major, minor[0]!);
    if (encrypt && state[0] !== 1) throw new GssError('gss_wrap', 0, 0, 'the security context cannot encrypt', '');
    return token;
  }

  /** gss_unwrap; `encrypted` says whether the peer's token was encrypted. */
  unwrap(context: GssHandle, token: Buffer): { message: Buffer; encrypted: boolean } {
    const minor = [0];
    const output: OutBuffer = {};
    const state = [0];
    const major = this.fn.gss_unwrap!(minor, context, { length: token.length, value: token }, output, state, [0]);
    const message = this.take(output);
    this.check('gss_unwrap', major, minor[0]!);
    return { message, encrypted: state[0] === 1 };
  }

  /** The largest message whose wrapped token fits in `tokenLimit` bytes. */
  wrapSizeLimit(context: GssHandle, encrypt: boolean, tokenLimit: number): number {
    const minor = [0];
    const size = [0];
    this.check('gss_wrap_size_limit', this.fn.gss_wrap_size_limit!(minor, context, encrypt ? 1 : 0, 0, tokenLimit, size), minor[0]!);
    return size[0]!;
  }

  /** Deletes a ticket cache ("MEMORY:…") that is no longer used; best effort. */
  destroyTicketCache(name: string): void {
    if (!this.krb5) return;
    const context: Array<GssHandle | null> = [null];
    if (this.krb5.krb5_init_context!(context) !== 0) return;
    try {
      const cache: Array<GssHandle | null> = [null];
      if (this.krb5.krb5_cc_resolve!(context[0], name, cache) === 0) this.krb5.krb5_cc_destroy!(context[0], cache[0]);
    } finally {
      this.krb5.krb5_free_context!(context[0]);
    }
  }

  /** Copies a library-allocated buffer into a Node Buffer and frees it. */
  private take(buffer: OutBuffer): Buffer {
    const length = Number(buffer.length ?? 0);
    if (!buffer.value || length === 0) return Buffer.alloc(0);
    // Buffer.from(ArrayBuffer) would share the memory that gss_release_buffer frees: copy it.
    const copy = Buffer.from(new Uint8Array(this.koffi.view(buffer.value, length)));
    this.fn.gss_release_buffer!([0], buffer);
    return copy;
  }

  private check(call: string, major: number, minor: number): void {
    if (major === GSS_S_COMPLETE) return;
    throw new GssError(call, major, minor, minor === 0 ? '' : this.statusText(minor, GSS_C_MECH_CODE), this.statusText(major, GSS_C_GSS_CODE));
  }

  private statusText(code: number, type: number): string {
    const texts: string[] = [];
    const messageContext = [0];
    do {
      const output: OutBuffer = {};
      const major = this.fn.gss_display_status!([0], code, type, type === GSS_C_MECH_CODE ? KRB5_MECHANISM : null, messageContext, output);
      if (major !== GSS_S_COMPLETE) break;
      texts.push(this.take(output).toString('utf8'));
    } while (messageContext[0] !== 0 && texts.length < 8);
    return texts.join('; ');
  }
}
