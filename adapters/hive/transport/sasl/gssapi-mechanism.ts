import { GssError, GSS_C_CONF_FLAG, GSS_C_INTEG_FLAG, GSS_C_MUTUAL_FLAG, GSS_C_REPLAY_FLAG, GSS_C_SEQUENCE_FLAG, type Gssapi, type GssHandle } from '../../kerberos/gssapi.js';
import { kerberosError } from '../../kerberos/kerberos-errors.js';
import type { KerberosLogin, LoginCredential } from '../../kerberos/kerberos-login.js';
import { MetastoreAuthError } from '../auth-error.js';
import { protectionMismatch, QOP_BIT, type Qop } from './protection.js';
import type { SaslMechanism, SecurityLayer } from './sasl-mechanism.js';

/** The largest wrapped token this client accepts, as told to the server (a 3-byte field). */
const MAX_RECEIVE_TOKEN = 0xffffff;
const FLAGS = GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG | GSS_C_SEQUENCE_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG;

/**
 * SASL GSSAPI (RFC 4752) with Kerberos 5: the security context is established with the metastore's
 * principal, then the server's wrapped offer of protection levels and receive limit is answered with
 * `qop` (wrapped), and from then on every frame is wrapped (auth-int: signed; auth-conf: encrypted)
 * unless the level is plain authentication.
 */
export class GssapiMechanism implements SaslMechanism {
  readonly name = 'GSSAPI';
  complete = false;
  private credential: LoginCredential | undefined;
  private gss: Gssapi | undefined;
  private target: GssHandle | undefined;
  private readonly context: Array<GssHandle | null> = [null];
  private established = false;
  private layer: SecurityLayer | undefined;

  constructor(
    private readonly login: KerberosLogin,
    private readonly servicePrincipal: string,
    private readonly qop: Qop,
    private readonly uri: string,
  ) {}

  async initialResponse(): Promise<Buffer> {
    this.credential = await this.login.credential();
    this.gss = this.credential.gss;
    this.target = this.guard(() => this.gss!.importPrincipal(this.servicePrincipal));
    return this.step(undefined);
  }

  async evaluateChallenge(challenge: Buffer): Promise<Buffer> {
    if (!this.established) return this.step(challenge);
    return this.answerOffer(challenge);
  }

  securityLayer(): SecurityLayer | undefined {
    return this.layer;
  }

  dispose(): void {
    this.credential?.release();
    this.credential = undefined;
    if (this.target !== undefined) this.gss?.releaseName(this.target);
    this.target = undefined;
    if (this.context[0] && !this.layer) this.gss?.deleteSecContext(this.context[0]);
    this.context[0] = null;
  }

  private async step(input: Buffer | undefined): Promise<Buffer> {
    try {
      const result = await this.gss!.initSecContext(this.credential!.handle, this.context, this.target!, FLAGS, input);
      if (result.complete) {
        this.established = true;
        // The context holds what it needs; the credential and the name can go (the login keeps the ticket cache).
        this.credential?.release();
        this.credential = undefined;
        this.gss!.releaseName(this.target!);
        this.target = undefined;
      }
      return result.token;
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** RFC 4752 §3.1: [offered levels bitmask, max token size (3 bytes)] → [chosen level, our max, authzid]. */
  private answerOffer(wrappedOffer: Buffer): Buffer {
    const gss = this.gss!;
    const context = this.context[0]!;
    const offer = this.guard(() => gss.unwrap(context, wrappedOffer).message);
    if (offer.length !== 4) throw new MetastoreAuthError(`the metastore at ${this.uri} sent a malformed GSSAPI security-layer offer (${offer.length} bytes)`, { scope: 'metastore' });
    const mismatch = protectionMismatch(offer[0]!, this.qop);
    if (mismatch) throw new MetastoreAuthError(`${mismatch.message} (${this.uri})`, { scope: 'metastore', hint: mismatch.hint });
    const serverLimit = offer.readUIntBE(1, 3);
    const answer = Buffer.alloc(4);
    answer[0] = QOP_BIT[this.qop];
    // No security layer: the receive size must be 0 (RFC 4752). The authzid is empty: the metastore uses
    // the authenticated principal, as with Hive's own clients.
    answer.writeUIntBE(this.qop === 'auth' ? 0 : MAX_RECEIVE_TOKEN, 1, 3);
    const token = this.guard(() => gss.wrap(context, false, answer));
    if (this.qop !== 'auth') this.layer = new GssSecurityLayer(gss, context, this.qop, serverLimit);
    else gss.deleteSecContext(context);
    this.context[0] = this.qop === 'auth' ? null : context;
    this.complete = true;
    return token;
  }

  private guard<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      throw this.translate(error);
    }
  }

  private translate(error: unknown): unknown {
    if (!(error instanceof GssError)) return error;
    return kerberosError(error, { principal: this.login.principal, keytab: undefined, servicePrincipal: this.servicePrincipal, uri: this.uri });
  }
}

/** gss_wrap/gss_unwrap on every frame; outgoing data is split to fit the server's receive limit. */
class GssSecurityLayer implements SecurityLayer {
  private readonly maxChunk: number;

  constructor(
    private readonly gss: Gssapi,
    private context: GssHandle | null,
    readonly qop: 'auth-int' | 'auth-conf',
    serverLimit: number,
  ) {
    // A limit of 0 means "no limit" in practice (Java's servers announce 65536).
    this.maxChunk = serverLimit > 0 ? Math.max(1, gss.wrapSizeLimit(context!, qop === 'auth-conf', serverLimit)) : Number.MAX_SAFE_INTEGER;
  }

  wrap(data: Buffer): Buffer[] {
    const tokens: Buffer[] = [];
    for (let offset = 0; offset < data.length; offset += this.maxChunk) {
      tokens.push(this.gss.wrap(this.live(), this.qop === 'auth-conf', data.subarray(offset, offset + this.maxChunk)));
    }
    return tokens;
  }

  unwrap(token: Buffer): Buffer {
    const { message, encrypted } = this.gss.unwrap(this.live(), token);
    // A privacy connection must never accept a frame the peer sent in the clear.
    if (this.qop === 'auth-conf' && !encrypted) throw new GssError('gss_unwrap', 0, 0, 'the metastore sent an unencrypted frame on a privacy (auth-conf) connection', '');
    return message;
  }

  dispose(): void {
    if (this.context) this.gss.deleteSecContext(this.context);
    this.context = null;
  }

  private live(): GssHandle {
    if (!this.context) throw new GssError('gss_wrap', 0, 0, 'the security context was closed', '');
    return this.context;
  }
}
