import type { Dispatcher } from 'undici';
import type { PolarisConfig } from '../config/schema.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Redactor } from '../telemetry/redactor.js';
import { excerpt } from '../telemetry/safe-text.js';
import { MirrorError } from '../util/errors.js';
import { httpRequest, RESPONSE_LIMITS } from './http.js';
import { joinUri } from './paths.js';

/** Supplies bearer tokens for Polaris requests. */
export interface TokenProvider {
  token(signal?: AbortSignal): Promise<string>;
  /** Polaris rejected this token (401/419): the next token() call fetches a fresh one. */
  invalidate(token: string): void;
  /** When a token was last obtained (ms), for /readyz. */
  readonly obtainedAt: number | undefined;
  /** When the token held now expires (ms); undefined for a static token or before the first one. */
  readonly expiresAt: number | undefined;
}

export class StaticTokenProvider implements TokenProvider {
  readonly obtainedAt = Date.now();
  readonly expiresAt = undefined;
  constructor(private readonly value: string) {}
  async token(): Promise<string> {
    return this.value;
  }
  invalidate(): void {
    // A static token cannot be renewed; the 401 surfaces as a failure with a hint.
  }
}

interface CachedToken {
  readonly value: string;
  readonly refreshAt: number;
  readonly expiresAt: number;
}

/**
 * OAuth2 client credentials against Polaris's token endpoint (or an external identity provider).
 * The token is cached and renewed before it expires (from expires_in), and at once after a 401/419.
 * Concurrent callers share one token request.
 */
/** After the token endpoint refused the credentials, callers get the same error for this long. */
const REFUSAL_MEMORY_MS = 5_000;

export class ClientCredentialsTokenProvider implements TokenProvider {
  private cached: CachedToken | undefined;
  /** A refusal (bad secret, bad scope) is remembered briefly so thousands of tables do not each ask again. */
  private refused: { error: MirrorError; until: number } | undefined;
  private inFlight: Promise<string> | undefined;
  obtainedAt: number | undefined;
  private readonly tokenUri: string;

  get expiresAt(): number | undefined {
    return this.cached?.expiresAt;
  }

  constructor(
    private readonly config: PolarisConfig,
    private readonly dispatcher: Dispatcher,
    private readonly redactor: Redactor,
    private readonly metrics: Metrics,
  ) {
    this.tokenUri = config.auth.tokenUri ?? joinUri(config.uri, '/v1/oauth/tokens');
  }

  token(signal?: AbortSignal): Promise<string> {
    if (this.cached && Date.now() < this.cached.refreshAt) return Promise.resolve(this.cached.value);
    if (this.refused && Date.now() < this.refused.until) return Promise.reject(this.refused.error);
    this.inFlight ??= this.fetchToken(signal).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    const { clientId, clientSecret, scope, clientAuth } = this.config.auth;
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (clientAuth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId!)}:${encodeURIComponent(clientSecret!)}`).toString('base64')}`;
    } else {
      form.set('client_id', clientId!);
      form.set('client_secret', clientSecret!);
    }
    if (this.config.realm) headers['polaris-realm'] = this.config.realm;

    const response = await httpRequest(this.dispatcher, this.tokenUri, {
      method: 'POST',
      headers,
      body: form.toString(),
      timeoutMs: this.config.requestTimeoutMs,
      signal,
      maxBodyBytes: RESPONSE_LIMITS.token,
    }).catch((error: unknown) => {
      this.metrics.tokenRefreshes.inc({ outcome: 'network' });
      throw error;
    });
    const body = (response.body ?? {}) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
    if (response.status !== 200 || typeof body.access_token !== 'string') {
      this.metrics.tokenRefreshes.inc({ outcome: 'rejected' });
      const error = tokenError(response.status, body, this.tokenUri);
      if (!error.retryable) this.refused = { error, until: Date.now() + REFUSAL_MEMORY_MS };
      throw error;
    }
    this.refused = undefined;
    this.metrics.tokenRefreshes.inc({ outcome: 'ok' });
    this.redactor.add(body.access_token);
    const lifetimeMs = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : 3_600_000;
    // Renew at 80% of the lifetime (at most a minute early) so requests never carry an expiring token.
    const margin = Math.min(60_000, lifetimeMs * 0.2);
    this.cached = { value: body.access_token, refreshAt: Date.now() + lifetimeMs - margin, expiresAt: Date.now() + lifetimeMs };
    this.obtainedAt = Date.now();
    return body.access_token;
  }
}

function tokenError(status: number, body: { error?: unknown; error_description?: unknown }, uri: string): MirrorError {
  // Scrubbed before it is cut (src/telemetry/safe-text.ts): an endpoint may echo the secret it refused.
  const code = typeof body.error === 'string' ? excerpt(body.error, 200) : undefined;
  const description = typeof body.error_description === 'string' ? `: ${excerpt(body.error_description)}` : '';
  const what = `the token endpoint ${uri} answered ${status}${code ? ` ${code}` : ''}${description}`;
  if (status === 501) {
    // Polaris with polaris.authentication.type=external serves this endpoint only to answer 501: asking
    // again cannot help.
    return new MirrorError(`${what}: this Polaris uses an external identity provider and issues no tokens itself`, {
      retryable: false,
      hint: "set polaris.auth.tokenUri to the identity provider's token endpoint (with the client id and secret it issued), or give a token in polaris.auth.token",
    });
  }
  if (status === 404 || status === 405) {
    return new MirrorError(`${what}: there is no token endpoint at this address`, {
      retryable: false,
      hint: 'check polaris.uri (the part before /v1, e.g. http://polaris:8181/api/catalog), or set polaris.auth.tokenUri',
    });
  }
  if (status >= 500 || status === 429) return new MirrorError(what, { retryable: true, hint: 'Polaris is busy or failing; the token is requested again' });
  const hints: Record<string, string> = {
    unauthorized_client: 'check polaris.auth.clientId and clientSecret (the principal credentials Polaris issued)',
    invalid_client: 'check polaris.auth.clientId and clientSecret, and polaris.auth.clientAuth (post or basic)',
    invalid_scope: 'polaris.auth.scope must be PRINCIPAL_ROLE:ALL or PRINCIPAL_ROLE:<role> for roles granted to the principal',
    unsupported_grant_type: 'the token endpoint does not accept client credentials; set polaris.auth.tokenUri to one that does, or use a static token',
  };
  return new MirrorError(what, {
    retryable: false,
    hint: (code && Object.hasOwn(hints, code) ? hints[code] : undefined) ?? 'check polaris.auth (clientId, clientSecret, scope, tokenUri) and polaris.realm',
  });
}

/**
 * Asks for a token once. A permanent refusal (wrong credentials or scope, an identity provider that is
 * not this endpoint) is returned, since no table can be mirrored until the configuration changes; a
 * transient failure (Polaris down) is not — the tables retry on their own.
 */
export async function permanentTokenRefusal(tokens: TokenProvider, signal?: AbortSignal): Promise<MirrorError | undefined> {
  try {
    await tokens.token(signal);
    return undefined;
  } catch (error) {
    return error instanceof MirrorError && !error.retryable ? error : undefined;
  }
}
