import type { Dispatcher } from 'undici';
import { httpRequest, RESPONSE_LIMITS } from '../../src/polaris/http.js';
import { joinUri } from '../../src/polaris/paths.js';
import type { Metrics } from '../../src/telemetry/metrics.js';
import type { Redactor } from '../../src/telemetry/redactor.js';
import { excerpt } from '../../src/telemetry/safe-text.js';
import type { RestAuthConfig } from './config.js';
import { messageOf } from '../../src/util/errors.js';
import { lowerCaseNames } from './headers.js';
import { RestCatalogError } from './rest-error.js';
import { tokenErrorSchema, tokenResponseSchema } from './wire.js';

/** Bearer tokens for the source catalog. */
export interface TokenSource {
  /** The Authorization header value, or undefined for a catalog without auth. */
  authorization(signal?: AbortSignal): Promise<string | undefined>;
  /** The catalog refused this header value (401/419): true when a fresh one can be had. */
  renew(refused: string | undefined): boolean;
}

export function createTokenSource(
  auth: RestAuthConfig | undefined,
  context: { uri: string; headers: Record<string, string>; dispatcher: Dispatcher; timeoutMs: number; redactor: Redactor; metrics: Metrics; source: string },
): TokenSource {
  if (!auth) return { authorization: async () => undefined, renew: () => false };
  if (auth.token !== undefined) {
    const header = `Bearer ${auth.token}`;
    // A static token cannot be renewed: the 401 surfaces with a hint instead of looping.
    return { authorization: async () => header, renew: () => false };
  }
  return new ClientCredentials(auth, context);
}

interface Cached {
  readonly header: string;
  readonly refreshAt: number;
}

/**
 * OAuth2 client credentials: a token is fetched, cached and renewed at 80% of its lifetime (at most a
 * minute early), and at once when the catalog answers 401/419. Concurrent callers share one request,
 * so a poll with many loads in flight asks once.
 */
class ClientCredentials implements TokenSource {
  private cached: Cached | undefined;
  private inFlight: Promise<string> | undefined;
  private readonly tokenUri: string;

  constructor(
    private readonly auth: RestAuthConfig,
    private readonly context: Parameters<typeof createTokenSource>[1],
  ) {
    this.tokenUri = auth.tokenUri ?? joinUri(context.uri, '/v1/oauth/tokens');
  }

  async authorization(signal?: AbortSignal): Promise<string> {
    if (this.cached && Date.now() < this.cached.refreshAt) return this.cached.header;
    this.inFlight ??= this.fetchToken(signal).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  renew(refused: string | undefined): boolean {
    if (this.cached?.header === refused) this.cached = undefined;
    return true;
  }

  private async fetchToken(signal?: AbortSignal): Promise<string> {
    const { clientId, clientSecret, scope, clientAuth } = this.auth;
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope });
    // The catalog's own endpoint gets the configured headers (a realm, a gateway key); an external
    // identity provider does not: they are meant for the catalog.
    const headers: Record<string, string> = {
      ...(this.auth.tokenUri === undefined ? lowerCaseNames(this.context.headers) : {}),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (clientAuth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId!)}:${encodeURIComponent(clientSecret!)}`).toString('base64')}`;
    } else {
      form.set('client_id', clientId!);
      form.set('client_secret', clientSecret!);
    }
    const { metrics, source } = this.context;
    let response;
    try {
      response = await httpRequest(this.context.dispatcher, this.tokenUri, {
        method: 'POST',
        headers,
        body: form.toString(),
        timeoutMs: this.context.timeoutMs,
        signal,
        maxBodyBytes: RESPONSE_LIMITS.token,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      metrics.sourceCalls.inc({ source, operation: 'token', outcome: 'error' });
      throw new RestCatalogError('token', 0, undefined, `the source's token endpoint ${this.tokenUri} did not answer: ${messageOf(error)}`, {
        retryable: true,
        hint: 'check that the token endpoint (auth.tokenUri, or the catalog uri) is reachable from this host',
      });
    }
    const ok = response.status === 200 ? tokenResponseSchema.safeParse(response.body) : undefined;
    if (!ok?.success) {
      metrics.sourceCalls.inc({ source, operation: 'token', outcome: 'error' });
      throw tokenError(response.status, response.body, this.tokenUri);
    }
    metrics.sourceCalls.inc({ source, operation: 'token', outcome: 'ok' });
    const token = ok.data.access_token;
    this.context.redactor.add(token);
    const lifetimeMs = ok.data.expires_in && ok.data.expires_in > 0 ? ok.data.expires_in * 1000 : 3_600_000;
    const header = `Bearer ${token}`;
    this.cached = { header, refreshAt: Date.now() + lifetimeMs - Math.min(60_000, lifetimeMs * 0.2) };
    return header;
  }
}

function tokenError(status: number, body: unknown, uri: string): RestCatalogError {
  const parsed = tokenErrorSchema.safeParse(body);
  const code = parsed.success ? excerpt(parsed.data.error, 200) : undefined;
  const description = parsed.success && parsed.data.error_description ? `: ${excerpt(parsed.data.error_description)}` : '';
  const message = `the source's token endpoint ${uri} answered ${status}${code ? ` ${code}` : ''}${description}`;
  if (status === 429 || status >= 500) {
    return new RestCatalogError('token', status, code, message, { retryable: true, hint: 'the token endpoint is busy or failing; the token is requested again' });
  }
  const hints: Record<string, string> = {
    invalid_client: 'check auth.clientId and auth.clientSecret of the rest source, and auth.clientAuth (post or basic)',
    unauthorized_client: 'check auth.clientId and auth.clientSecret of the rest source',
    invalid_scope: 'check auth.scope of the rest source (Iceberg catalogs use "catalog"; Polaris wants PRINCIPAL_ROLE:ALL)',
    unsupported_grant_type: 'the token endpoint does not take client credentials; set auth.tokenUri to one that does, or use auth.token',
  };
  return new RestCatalogError('token', status, code, message, {
    retryable: false,
    hint: (code && Object.hasOwn(hints, code) ? hints[code] : undefined) ?? 'check auth (clientId, clientSecret, scope, tokenUri) of the rest source',
  });
}
