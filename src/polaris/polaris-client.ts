import type { Dispatcher } from 'undici';
import type { PolarisConfig } from '../config/schema.js';
import type { PolarisTable } from '../model/table.js';
import type { Metrics } from '../telemetry/metrics.js';
import { httpRequest, type HttpResponse, NetworkError, RESPONSE_LIMITS } from './http.js';
import type { NotificationRequest } from './notification.js';
import { newRequestId, recordCall, type OperationContext, type PolarisCall } from './operation-context.js';
import { joinUri, managementBase, notificationPath, pathSegment, tablePath } from './paths.js';
import type { RateLimiter } from './rate-limiter.js';
import type { TokenProvider } from './token-provider.js';

/** What loadTable tells about a table Polaris holds. */
export interface LoadedTable {
  readonly metadataLocation: string | undefined;
  readonly tableUuid: string | undefined;
}

/**
 * The HTTP client for the three Polaris calls the mirror needs: send a notification, load a table
 * back, read a catalog's config. It attaches the token and the realm, renews the token once on
 * 401/419, applies the client-side rate limit and counts responses. It does not interpret answers:
 * classifyResponse does.
 */
/** The latest contact with Polaris, for /readyz: any HTTP answer counts as reachable. */
export interface PolarisContact {
  lastAnswerAt: number | undefined;
  lastNetworkErrorAt: number | undefined;
  lastNetworkError: string | undefined;
}

export class PolarisClient {
  private readonly prefixes = new Map<string, string>();
  readonly contact: PolarisContact = { lastAnswerAt: undefined, lastNetworkErrorAt: undefined, lastNetworkError: undefined };

  constructor(
    private readonly config: PolarisConfig,
    private readonly tokens: TokenProvider,
    private readonly dispatcher: Dispatcher,
    private readonly limiter: RateLimiter,
    private readonly metrics: Metrics,
  ) {}

  /** `operation`: the table operation the request belongs to (its X-Request-ID, its recorded calls). */
  async notify(target: PolarisTable, body: NotificationRequest, signal?: AbortSignal, operation?: OperationContext): Promise<HttpResponse> {
    const prefix = await this.prefix(target.catalog, signal, operation);
    return this.send('POST', notificationPath(prefix, target.namespace, target.name), signal, JSON.stringify(body), undefined, `notification ${body['notification-type']}`, operation);
  }

  async loadTable(target: PolarisTable, signal?: AbortSignal, operation?: OperationContext): Promise<HttpResponse> {
    const prefix = await this.prefix(target.catalog, signal, operation);
    return this.send('GET', tablePath(prefix, target.namespace, target.name), signal, undefined, RESPONSE_LIMITS.table, 'loadTable', operation);
  }

  /** GET /v1/config?warehouse=<catalog>: 200 when the catalog exists and the principal may see it. */
  catalogConfig(catalog: string, signal?: AbortSignal, operation?: OperationContext): Promise<HttpResponse> {
    return this.send('GET', `/v1/config?warehouse=${encodeURIComponent(catalog)}`, signal, undefined, undefined, undefined, operation);
  }

  /** Whether the catalog exists, from /v1/config: undefined when that cannot tell (no answer, 403, 5xx). */
  async catalogExists(catalog: string, signal?: AbortSignal, operation?: OperationContext): Promise<boolean | undefined> {
    try {
      const { status } = await this.catalogConfig(catalog, signal, operation);
      return status === 200 ? true : status === 404 ? false : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * GET {management}/catalogs/{catalog} (Polaris's management API, beside the catalog API): the catalog
   * entity with its properties and storage configuration. Undefined when polaris.uri does not end in
   * /api/catalog, so the management API's address is unknown.
   */
  async catalogEntity(catalog: string, signal?: AbortSignal): Promise<HttpResponse | undefined> {
    const base = managementBase(this.config.uri);
    return base === undefined ? undefined : this.sendTo('GET', `${base}/catalogs/${encodeURIComponent(catalog)}`, signal);
  }

  /** GET of an Iceberg REST listing path under the catalog's prefix (one page; see target-listing.ts). */
  async listPage(catalog: string, path: string, signal?: AbortSignal): Promise<HttpResponse> {
    const prefix = await this.prefix(catalog, signal);
    return this.send('GET', `/v1/${pathSegment(prefix, 'the catalog prefix')}${path}`, signal, undefined, RESPONSE_LIMITS.listingPage, 'list');
  }

  /** How this client authenticates, for hints about a refused token. */
  get authMode(): { readonly staticToken: boolean; readonly scope: string } {
    return { staticToken: this.config.auth.token !== undefined, scope: this.config.auth.scope };
  }

  /**
   * The URL prefix of a catalog: Polaris's config endpoint may override it (overrides.prefix); the
   * catalog name is the default. Looked up once per catalog; a failed lookup falls back to the name and
   * is tried again next time, so the notification itself reports what is wrong (404 catalog, 403, ...).
   */
  async prefix(catalog: string, signal?: AbortSignal, operation?: OperationContext): Promise<string> {
    const known = this.prefixes.get(catalog);
    if (known !== undefined) return known;
    const response = await this.catalogConfig(catalog, signal, operation);
    if (response.status !== 200) return catalog;
    const overrides = (response.body as { overrides?: { prefix?: unknown } } | undefined)?.overrides;
    const prefix = typeof overrides?.prefix === 'string' && overrides.prefix !== '' ? overrides.prefix : catalog;
    this.prefixes.set(catalog, prefix);
    return prefix;
  }

  private send(
    method: 'GET' | 'POST',
    path: string,
    signal?: AbortSignal,
    body?: string,
    maxBodyBytes?: number,
    label?: string,
    operation?: OperationContext,
  ): Promise<HttpResponse> {
    return this.sendTo(method, joinUri(this.config.uri, path), signal, body, maxBodyBytes, label, operation);
  }

  private async sendTo(
    method: 'GET' | 'POST',
    url: string,
    signal?: AbortSignal,
    body?: string,
    maxBodyBytes?: number,
    label?: string,
    operation?: OperationContext,
  ): Promise<HttpResponse> {
    let response = await this.attempt(method, url, signal, body, maxBodyBytes, label, operation);
    if (response.status === 401 || response.status === 419) {
      // The token expired or was revoked early: renew it once and repeat the request.
      response = await this.attempt(method, url, signal, body, maxBodyBytes, label, operation);
    }
    return response;
  }

  private async attempt(
    method: 'GET' | 'POST',
    url: string,
    signal: AbortSignal | undefined,
    body: string | undefined,
    maxBodyBytes: number | undefined,
    label = `${method} request`,
    operation?: OperationContext,
  ): Promise<HttpResponse> {
    // Polaris logs X-Request-ID with every line of the request (its default request-id header).
    const requestId = operation?.requestId ?? newRequestId();
    const call: PolarisCall = { method, path: new URL(url).pathname, status: 'network', startedAt: Date.now(), durationMs: 0 };
    const span = operation?.span?.child(`polaris ${label}`, { 'http.request.method': method, 'url.path': call.path, 'polaris_mirror.request_id': requestId });
    try {
      // Inside the try: a token endpoint that cannot be reached is Polaris being unreachable (/readyz).
      const token = await this.tokens.token(signal);
      await this.limiter.acquire(signal);
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', 'x-request-id': requestId };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (this.config.realm) headers['polaris-realm'] = this.config.realm;
      const response = await httpRequest(this.dispatcher, url, {
        method,
        headers,
        body,
        timeoutMs: this.config.requestTimeoutMs,
        signal,
        maxBodyBytes,
      });
      call.status = response.status;
      this.metrics.polarisResponses.inc({ status_class: `${Math.floor(response.status / 100)}xx` });
      this.contact.lastAnswerAt = Date.now();
      if (response.status === 401 || response.status === 419) this.tokens.invalidate(token);
      return response;
    } catch (error) {
      if (error instanceof NetworkError) {
        this.metrics.polarisResponses.inc({ status_class: 'network' });
        this.contact.lastNetworkErrorAt = Date.now();
        this.contact.lastNetworkError = error.message;
      }
      throw error;
    } finally {
      call.durationMs = Date.now() - call.startedAt;
      recordCall(operation, call);
      if (span) {
        if (call.status === 'network') span.fail('no answer from Polaris');
        else {
          span.set({ 'http.response.status_code': call.status });
          if (call.status >= 400) span.fail(`Polaris answered ${call.status}`);
        }
        span.end();
      }
    }
  }
}

/** Reads metadata-location and table-uuid out of a loadTable answer. */
export function loadedTable(response: HttpResponse): LoadedTable {
  const body = (response.body ?? {}) as { 'metadata-location'?: unknown; metadata?: { 'table-uuid'?: unknown } };
  return {
    metadataLocation: typeof body['metadata-location'] === 'string' ? body['metadata-location'] : undefined,
    tableUuid: typeof body.metadata?.['table-uuid'] === 'string' ? body.metadata['table-uuid'] : undefined,
  };
}
