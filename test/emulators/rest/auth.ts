// Bearer tokens of the REST emulator: static tokens, and tokens issued by the (deprecated but common)
// POST /v1/oauth/tokens client-credentials flow with a lifetime. An expired token answers 401
// NotAuthorizedException (the spec's preference) or 419 AuthenticationTimeoutException.
import { randomBytes } from 'node:crypto';
import { RestError } from './errors.js';
import type { RestAuthOptions } from './types.js';

export interface TokenReply {
  status: number;
  body: unknown;
}

export class RestAuth {
  private readonly issued = new Map<string, { expiresAt: number; scope: string }>();
  private readonly statics: Set<string>;
  issuedCount = 0;
  /** Scopes asked for, in order (tests check what the client sends). */
  readonly scopes: string[] = [];
  readonly tokens: string[] = [];

  constructor(private readonly options: RestAuthOptions | undefined) {
    this.statics = new Set(options?.tokens ?? []);
  }

  get required(): boolean {
    return this.options !== undefined;
  }

  /** Throws 401/419 unless the header carries a valid token (when auth is configured). */
  authenticate(header: string | undefined): void {
    if (!this.options) return;
    const token = /^Bearer (.+)$/i.exec(header ?? '')?.[1];
    if (!token) throw new RestError(401, 'NotAuthorizedException', 'Not authorized to make this request');
    if (this.statics.has(token)) return;
    const entry = this.issued.get(token);
    if (!entry) throw new RestError(401, 'NotAuthorizedException', 'Not authorized to make this request');
    if (Date.now() >= entry.expiresAt) {
      throw this.options.expiredStatus === 419
        ? new RestError(419, 'AuthenticationTimeoutException', 'Credentials have timed out')
        : new RestError(401, 'NotAuthorizedException', 'Token expired');
    }
  }

  expireAll(): void {
    for (const entry of this.issued.values()) entry.expiresAt = 0;
  }

  /** The client-credentials grant: form fields or HTTP Basic, as OAuth2 allows both. */
  tokenRequest(form: URLSearchParams, authorization: string | undefined): TokenReply {
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grant}`);
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    const basic = /^Basic (.+)$/i.exec(authorization ?? '')?.[1];
    if (basic) {
      const [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      clientSecret = decodeURIComponent(secret ?? '');
    }
    const client = this.options?.clients?.find((c) => c.clientId === clientId);
    if (!client || client.clientSecret !== clientSecret) return oauthError(401, 'invalid_client', 'Invalid client credentials');
    const scope = form.get('scope') ?? '';
    this.scopes.push(scope);
    const token = randomBytes(18).toString('base64url');
    const ttl = this.options?.tokenTtlSeconds ?? 3600;
    this.issued.set(token, { expiresAt: Date.now() + ttl * 1000, scope });
    this.issuedCount++;
    this.tokens.push(token);
    return {
      status: 200,
      body: { access_token: token, token_type: 'bearer', expires_in: ttl, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', scope },
    };
  }
}

function oauthError(status: number, error: string, description: string): TokenReply {
  return { status, body: { error, error_description: description } };
}
