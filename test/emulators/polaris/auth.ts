// Principals, the OAuth2 client-credentials token endpoint, bearer-token checks and privileges, plus
// the RBAC entities the management API (management.ts) manages: principal roles, catalog roles and
// their grants, as in Polaris (principal → principal roles → catalog roles → privileges on a catalog).
//
// Choices where Polaris's behaviour was not pinned down:
// - Tokens are opaque random strings (Polaris issues JWTs; clients must not look inside either way).
// - An expired token answers 401 NotAuthorizedException by default; `expiredTokenStatus: 419` makes
//   it answer 419 AuthenticationTimeoutException instead, to exercise clients that handle both.
// - Privileges are looked up when the token is used (as Polaris resolves grants per request), from
//   the principal roles the token activated: scope PRINCIPAL_ROLE:ALL → every role the principal holds
//   at request time; PRINCIPAL_ROLE:r → r.
// - A scope naming a principal role the principal does not hold still gets a token (Polaris 1.7's token
//   endpoint does not check roles); every call made with it is then refused, 401 (the authenticator
//   checks the requested roles), as is every call once a requested role has been revoked.
// - Two ways to hold privileges: `PrincipalSpec.roles` (a shortcut: role → catalog → privileges,
//   private to that principal, no catalog roles) and the Polaris model built through the management
//   API (realm-wide principal roles, catalog roles with catalog-level grants).
// - The realm-wide principal role `service_admin` always exists and stands for SERVICE_MANAGE_ACCESS;
//   every catalog has a `catalog_admin` catalog role (CATALOG_MANAGE_ACCESS + CATALOG_MANAGE_METADATA)
//   assigned to `service_admin`, as Polaris sets up when it creates a catalog.
// - Simplified privilege hierarchy: CATALOG_MANAGE_CONTENT and CATALOG_MANAGE_METADATA cover every
//   table/namespace privilege; TABLE_FULL_METADATA covers TABLE_*, NAMESPACE_FULL_METADATA covers
//   NAMESPACE_*; the read/list privileges are also implied by the matching write/create ones.
//   CATALOG_MANAGE_ACCESS (roles and grants) is only held when granted as such.
import { randomBytes } from 'node:crypto';
import { PolarisError } from './errors.js';
import type { PrincipalSpec } from './types.js';

export const SERVICE_ADMIN = 'service_admin';
export const CATALOG_ADMIN = 'catalog_admin';
export const ROOT_PRINCIPAL = 'root';
const CATALOG_ADMIN_PRIVILEGES = ['CATALOG_MANAGE_ACCESS', 'CATALOG_MANAGE_METADATA'];

export interface Principal {
  name: string;
  clientId: string;
  clientSecret: string;
  /** The bootstrap root principal (rootCredentials): Polaris refuses to drop it. */
  root: boolean;
  /** PrincipalSpec.roles: role → catalog → privileges, private to this principal. */
  ownRoles: Map<string, Map<string, Set<string>>>;
  /** Realm-wide principal roles assigned to this principal. */
  assigned: Set<string>;
  properties: Record<string, string>;
  createTimestamp: number;
}

export interface PrincipalRole {
  name: string;
  properties: Record<string, string>;
  createTimestamp: number;
  /** catalog → catalog roles of that catalog assigned to this principal role */
  catalogRoles: Map<string, Set<string>>;
}

export interface CatalogRole {
  name: string;
  properties: Record<string, string>;
  createTimestamp: number;
  /** Catalog-level privileges granted to this role. */
  privileges: Set<string>;
}

export interface Token {
  clientId: string;
  /** Roles named in the scope (PRINCIPAL_ROLE:<name>). */
  roles: string[];
  /** Scope PRINCIPAL_ROLE:ALL: every role the principal holds when the token is used. */
  all: boolean;
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
  /** by client id */
  private readonly principals = new Map<string, Principal>();
  /** by principal name */
  readonly principalsByName = new Map<string, Principal>();
  readonly principalRoles = new Map<string, PrincipalRole>();
  /** catalog → catalog role name → role */
  readonly catalogRoles = new Map<string, Map<string, CatalogRole>>();
  private readonly tokens = new Map<string, Token>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly expiredStatus: 401 | 419,
  ) {
    this.principalRoles.set(SERVICE_ADMIN, { name: SERVICE_ADMIN, properties: {}, createTimestamp: Date.now(), catalogRoles: new Map() });
  }

  createPrincipal(spec: PrincipalSpec, root = false): Principal {
    const name = spec.name ?? spec.clientId;
    if (this.principals.has(spec.clientId)) throw new Error(`principal ${spec.clientId} already exists`);
    if (this.principalsByName.has(name)) throw new Error(`principal named ${name} already exists`);
    const ownRoles = new Map<string, Map<string, Set<string>>>();
    for (const [role, byCatalog] of Object.entries(spec.roles ?? {})) {
      ownRoles.set(role, new Map(Object.entries(byCatalog).map(([cat, privs]) => [cat, new Set(privs)])));
    }
    const p: Principal = {
      name,
      clientId: spec.clientId,
      clientSecret: spec.clientSecret,
      root,
      ownRoles,
      assigned: new Set(spec.serviceAdmin || root ? [SERVICE_ADMIN] : []),
      properties: {},
      createTimestamp: Date.now(),
    };
    this.principals.set(p.clientId, p);
    this.principalsByName.set(p.name, p);
    return p;
  }

  deletePrincipal(p: Principal): void {
    this.principals.delete(p.clientId);
    this.principalsByName.delete(p.name);
    // Its tokens die with it: authenticate() no longer finds the client id.
  }

  /** A catalog came into being: its catalog_admin role, assigned to service_admin. */
  addCatalog(catalog: string): void {
    const now = Date.now();
    this.catalogRoles.set(
      catalog,
      new Map([[CATALOG_ADMIN, { name: CATALOG_ADMIN, properties: {}, createTimestamp: now, privileges: new Set(CATALOG_ADMIN_PRIVILEGES) }]]),
    );
    this.principalRoles.get(SERVICE_ADMIN)?.catalogRoles.set(catalog, new Set([CATALOG_ADMIN]));
  }

  /** A catalog was dropped: its catalog roles and their assignments go with it. */
  dropCatalog(catalog: string): void {
    this.catalogRoles.delete(catalog);
    for (const pr of this.principalRoles.values()) pr.catalogRoles.delete(catalog);
  }

  deletePrincipalRole(name: string): void {
    this.principalRoles.delete(name);
    for (const p of this.principals.values()) p.assigned.delete(name);
  }

  deleteCatalogRole(catalog: string, name: string): void {
    this.catalogRoles.get(catalog)?.delete(name);
    for (const pr of this.principalRoles.values()) pr.catalogRoles.get(catalog)?.delete(name);
  }

  /** Issues a token with every role of the principal activated (scope PRINCIPAL_ROLE:ALL). */
  issue(clientId: string, roles?: string[]): string {
    const p = this.principals.get(clientId);
    if (!p) throw new Error(`unknown principal ${clientId}`);
    if (this.tokens.size > 50_000) this.sweep();
    const token = `polaris-emu.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { clientId, roles: roles ?? [], all: roles === undefined, expiresAt: Date.now() + this.ttlSeconds * 1000 });
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
    let all = false;
    for (const entry of scope.split(/\s+/)) {
      const m = /^PRINCIPAL_ROLE:(.+)$/.exec(entry);
      if (!m?.[1]) return oauthError(400, 'invalid_scope', `Invalid scope entry: ${entry}`);
      if (m[1] === 'ALL') all = true;
      else roles.add(m[1]);
    }
    const token = this.issue(clientId, all ? undefined : [...roles]);
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
    const held = this.heldRoles(this.principals.get(t.clientId) as Principal);
    if (!t.all && t.roles.some((role) => !held.has(role))) {
      throw new PolarisError(401, 'NotAuthorizedException', 'Unable to authenticate', challenge);
    }
    return t;
  }

  /** Throws 403 unless the token holds every privilege in `required` on `catalog`. */
  requireAll(token: Token, catalog: string, required: readonly string[], op: string): void {
    const held = this.privileges(token, catalog);
    if (!required.every((p) => has(held, p))) throw this.denied(token, op, catalog);
  }

  requireAny(token: Token, catalog: string, anyOf: readonly string[], op: string): void {
    const held = this.privileges(token, catalog);
    if (!anyOf.some((p) => has(held, p))) throw this.denied(token, op, catalog);
  }

  /** Service-level management (catalogs, principals, principal roles): the service_admin role. */
  requireServiceAdmin(token: Token, op: string): void {
    if (!this.activeRoles(token).includes(SERVICE_ADMIN) || !this.principalOf(token)?.assigned.has(SERVICE_ADMIN)) {
      throw this.denied(token, op);
    }
  }

  /** Management of one catalog's roles and grants: CATALOG_MANAGE_ACCESS on it (service_admin has it via catalog_admin). */
  requireCatalogAccess(token: Token, catalog: string, op: string, also: readonly string[] = []): void {
    const held = this.privileges(token, catalog);
    if (!held.has('CATALOG_MANAGE_ACCESS') && !also.some((p) => held.has(p))) throw this.denied(token, op, catalog);
  }

  private principalOf(token: Token): Principal | undefined {
    return this.principals.get(token.clientId);
  }

  /** Every role the principal holds now: its own (PrincipalSpec) roles and the assigned principal roles. */
  private heldRoles(p: Principal): Set<string> {
    return new Set([...p.ownRoles.keys(), ...[...p.assigned].filter((r) => this.principalRoles.has(r))]);
  }

  private activeRoles(token: Token): string[] {
    const p = this.principalOf(token);
    if (!p) return [];
    const held = this.heldRoles(p);
    return token.all ? [...held] : token.roles.filter((r) => held.has(r));
  }

  /** The catalog roles of `catalog` reached through the token's active principal roles. */
  private activeCatalogRoles(token: Token, catalog: string): string[] {
    const p = this.principalOf(token);
    const out = new Set<string>();
    for (const role of this.activeRoles(token)) {
      if (!p?.assigned.has(role)) continue;
      for (const cr of this.principalRoles.get(role)?.catalogRoles.get(catalog) ?? []) out.add(cr);
    }
    return [...out];
  }

  private privileges(token: Token, catalog: string): Set<string> {
    const p = this.principalOf(token);
    const out = new Set<string>();
    for (const role of this.activeRoles(token)) for (const priv of p?.ownRoles.get(role)?.get(catalog) ?? []) out.add(priv);
    const roles = this.catalogRoles.get(catalog);
    for (const cr of this.activeCatalogRoles(token, catalog)) for (const priv of roles?.get(cr)?.privileges ?? []) out.add(priv);
    return out;
  }

  private denied(token: Token, op: string, catalog?: string): PolarisError {
    const name = this.principalOf(token)?.name ?? token.clientId;
    const via = catalog === undefined ? [] : this.activeCatalogRoles(token, catalog);
    return new PolarisError(
      403,
      'ForbiddenException',
      `Principal '${name}' with activated PrincipalRoles '[${this.activeRoles(token).join(', ')}]' and activated grants via '[${via.join(', ')}]' is not authorized for op ${op}`,
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
