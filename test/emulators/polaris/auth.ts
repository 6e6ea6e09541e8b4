// Principals, the OAuth2 client-credentials token endpoint, bearer-token checks and privileges.
//
// Choices where Polaris's behaviour was not pinned down:
// - Tokens are opaque random strings (Polaris issues JWTs; clients must not look inside either way).
// - An expired token answers 401 NotAuthorizedException by default; `expiredTokenStatus: 419` makes
//   it answer 419 AuthenticationTimeoutException instead, to exercise clients that handle both.
// - Privileges are looked up when the token is used (as Polaris resolves grants per request), from
//   the principal roles the token activated (scope PRINCIPAL_ROLE:ALL → every role of the principal).
// - Simplified privilege hierarchy: CATALOG_MANAGE_CONTENT and CATALOG_MANAGE_METADATA cover every
//   table/namespace privilege; TABLE_FULL_METADATA covers TABLE_*, NAMESPACE_FULL_METADATA covers
//   NAMESPACE_*; the read/list privileges are also implied by the matching write/create ones.
import { randomBytes } from 'node:crypto';
import { PolarisError } from './errors.js';
import type { PrincipalSpec } from './types.js';

interface Principal {
  clientId: string;
  clientSecret: string;
  /** role → catalog → privileges */
  roles: Map<string, Map<string, Set<string>>>;
}

export interface Token {
  clientId: string;
  roles: string[];
  expiresAt: number;
}

export interface TokenReply {
  status: number;
  body: Record<string, unknown>;
}

const COVERS_ALL = ['CATALOG_MANAGE_CONTENT', 'CATALOG_MANAGE_METADATA'];
const IMPLIED_BY: Record<string, string[]> = {
  TABLE_READ_PROPERTIES: ['TABLE_WRITE_PROPERTIES', 'TABLE_READ_DATA', 'TABLE_WRITE_DATA', 'TABLE_FULL_METADATA'],
  TABLE_LIST: ['TABLE_FULL_METADATA', 'TABLE_CREATE'],
  NAMESPACE_LIST: ['NAMESPACE_FULL_METADATA', 'NAMESPACE_CREATE'],
  NAMESPACE_READ_PROPERTIES: ['NAMESPACE_FULL_METADATA', 'NAMESPACE_WRITE_PROPERTIES'],
};

export class Auth {
  private readonly principals = new Map<string, Principal>();
  private readonly tokens = new Map<string, Token>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly expiredStatus: 401 | 419,
  ) {}

  createPrincipal(spec: PrincipalSpec): void {
    if (this.principals.has(spec.clientId)) throw new Error(`principal ${spec.clientId} already exists`);
    const roles = new Map<string, Map<string, Set<string>>>();
    for (const [role, byCatalog] of Object.entries(spec.roles ?? {})) {
      roles.set(role, new Map(Object.entries(byCatalog).map(([cat, privs]) => [cat, new Set(privs)])));
    }
    this.principals.set(spec.clientId, { clientId: spec.clientId, clientSecret: spec.clientSecret, roles });
  }

  /** Issues a token with every role of the principal activated (scope PRINCIPAL_ROLE:ALL). */
  issue(clientId: string, roles?: string[]): string {
    const p = this.principals.get(clientId);
    if (!p) throw new Error(`unknown principal ${clientId}`);
    if (this.tokens.size > 50_000) this.sweep();
    const token = `polaris-emu.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { clientId, roles: roles ?? [...p.roles.keys()], expiresAt: Date.now() + this.ttlSeconds * 1000 });
    return token;
  }

  expireAll(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  /** POST /v1/oauth/tokens with a form body; client id/secret from the form or HTTP Basic. */
  tokenRequest(form: URLSearchParams, authorization: string | undefined): TokenReply {
    const oauthError = (status: number, error: string, description: string): TokenReply => ({
      status,
      body: { error, error_description: description },
    });
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grant ?? '(missing)'}`);
    }
    let clientId = form.get('client_id') ?? undefined;
    let clientSecret = form.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        // RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64.
        clientId = formDecode(decoded.slice(0, colon));
        clientSecret = formDecode(decoded.slice(colon + 1));
      }
    }
    if (!clientId) return oauthError(400, 'invalid_client', 'Missing client_id');
    const p = this.principals.get(clientId);
    if (!p || clientSecret !== p.clientSecret) return oauthError(401, 'unauthorized_client', 'The client is not authorized');
    const scope = (form.get('scope') ?? '').trim();
    if (scope === '') return oauthError(400, 'invalid_scope', 'Missing scope');
    const roles = new Set<string>();
    for (const entry of scope.split(/\s+/)) {
      const m = /^PRINCIPAL_ROLE:(.+)$/.exec(entry);
      if (!m?.[1]) return oauthError(400, 'invalid_scope', `Invalid scope entry: ${entry}`);
      if (m[1] === 'ALL') {
        for (const r of p.roles.keys()) roles.add(r);
      } else if (p.roles.has(m[1])) {
        roles.add(m[1]);
      } else {
        return oauthError(400, 'invalid_scope', `Principal role not granted: ${m[1]}`);
      }
    }
    const token = this.issue(clientId, [...roles]);
    return {
      status: 200,
      body: {
        access_token: token,
        token_type: 'bearer',
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        expires_in: this.ttlSeconds,
      },
    };
  }

  /** Checks `Authorization: Bearer …`; throws 401 (or 419 when expired and so configured). */
  authenticate(authorization: string | undefined): Token {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const challenge = { 'www-authenticate': 'Bearer' };
    if (!m?.[1]) throw new PolarisError(401, 'NotAuthorizedException', 'Authentication required', challenge);
    const t = this.tokens.get(m[1]);
    if (!t || !this.principals.has(t.clientId)) throw new PolarisError(401, 'NotAuthorizedException', 'Failed to verify token', challenge);
    if (Date.now() >= t.expiresAt) {
      throw this.expiredStatus === 419
        ? new PolarisError(419, 'AuthenticationTimeoutException', 'Token expired')
        : new PolarisError(401, 'NotAuthorizedException', 'Token expired', challenge);
    }
    return t;
  }

  /** Throws 403 unless the token holds every privilege in `required` on `catalog`. */
  requireAll(token: Token, catalog: string, required: readonly string[], op: string): void {
    const held = this.privileges(token, catalog);
    if (!required.every((p) => has(held, p))) throw this.denied(token, op);
  }

  requireAny(token: Token, catalog: string, anyOf: readonly string[], op: string): void {
    const held = this.privileges(token, catalog);
    if (!anyOf.some((p) => has(held, p))) throw this.denied(token, op);
  }

  private privileges(token: Token, catalog: string): Set<string> {
    const p = this.principals.get(token.clientId);
    const out = new Set<string>();
    for (const role of token.roles) for (const priv of p?.roles.get(role)?.get(catalog) ?? []) out.add(priv);
    return out;
  }

  private denied(token: Token, op: string): PolarisError {
    return new PolarisError(
      403,
      'ForbiddenException',
      `Principal '${token.clientId}' with activated PrincipalRoles '[${token.roles.join(', ')}]' and activated grants via '[]' is not authorized for op ${op}`,
    );
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(k);
  }
}

function has(held: Set<string>, privilege: string): boolean {
  if (held.has(privilege) || COVERS_ALL.some((p) => held.has(p))) return true;
  if (privilege.startsWith('TABLE_') && held.has('TABLE_FULL_METADATA')) return true;
  if (privilege.startsWith('NAMESPACE_') && held.has('NAMESPACE_FULL_METADATA')) return true;
  return (IMPLIED_BY[privilege] ?? []).some((p) => held.has(p));
}

function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
