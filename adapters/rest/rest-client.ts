import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { httpRequest, NetworkError, RESPONSE_LIMITS, ResponseTooLargeError, type HttpResponse } from '../../src/polaris/http.js';
import { joinUri } from '../../src/polaris/paths.js';
import type { Metrics } from '../../src/telemetry/metrics.js';
import { MirrorError, messageOf } from '../../src/util/errors.js';
import { sleep } from '../../src/util/sleep.js';
import type { RestSourceConfig } from './config.js';
import { lowerCaseNames } from './headers.js';
import { describeErrorBody, errorFromResponse, isNoSuchNamespace, isNoSuchTableOrNamespace, RestCatalogError, type RestOperation } from './rest-error.js';
import { HEAD_TABLE_ENDPOINT, namespaceParam, RestPaths } from './rest-paths.js';
import type { TokenSource } from './token-source.js';
import { catalogConfigSchema, listNamespacesSchema, listTablesSchema, loadTableSchema, type LoadTableResult } from './wire.js';

/** What /v1/config said: where the catalog's paths live and which endpoints it serves. */
export interface CatalogSession {
  readonly paths: RestPaths;
  readonly prefix: string | undefined;
  /** Undefined when the server sent no list: the spec's default set is then assumed. */
  readonly endpoints: ReadonlySet<string> | undefined;
}

export type LoadOutcome =
  | { readonly kind: 'loaded'; readonly result: LoadTableResult; readonly etag: string | undefined }
  | { readonly kind: 'not-modified' }
  /** 404 whose body says the table (or its namespace) does not exist. */
  | { readonly kind: 'not-found' };

export interface RestClientDeps {
  readonly config: RestSourceConfig;
  readonly dispatcher: Dispatcher;
  readonly tokens: TokenSource;
  readonly metrics: Metrics;
}

/** A page of a listing; `next` is the token of the following page, undefined after the last. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next: string | undefined;
}

/**
 * A small Iceberg REST client: the reads the source needs, validated with zod. Every request carries
 * the configured headers and a bearer token (renewed once on 401/419); 429, 5xx and network failures
 * are repeated a few times with capped, jittered backoff (honouring Retry-After) before the error
 * reaches the poll. Each HTTP answer is counted in polaris_mirror_source_calls_total.
 */
export class RestCatalogClient {
  private readonly source: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly deps: RestClientDeps) {
    this.source = deps.config.name;
    this.headers = lowerCaseNames(deps.config.headers);
  }

  async session(signal?: AbortSignal): Promise<CatalogSession> {
    const query: Record<string, string> = this.deps.config.warehouse === undefined ? {} : { warehouse: this.deps.config.warehouse };
    const response = await this.send('config', 'GET', '/v1/config', query, {}, signal);
    if (response.status !== 200) throw this.failure('config', 'GET /v1/config', response);
    const parsed = parseOrThrow(catalogConfigSchema, response.body, 'config', 'GET /v1/config');
    const prefix = parsed.overrides?.['prefix'] ?? parsed.defaults?.['prefix'];
    const text = typeof prefix === 'string' && prefix !== '' ? prefix : undefined;
    return { paths: new RestPaths(text), prefix: text, endpoints: parsed.endpoints ? new Set(parsed.endpoints) : undefined };
  }

  /**
   * One page of child namespaces of `parent` ([] = top level). `token` is '' for the first page: an
   * empty pageToken asks a paging server to start paging (without it, the spec lets the server
   * answer everything at once).
   */
  async namespacePage(session: CatalogSession, parent: readonly string[], token: string, signal?: AbortSignal): Promise<Page<string[]> | 'no-such-namespace'> {
    const query: Record<string, string> = { pageToken: token, ...this.pageSize() };
    if (parent.length > 0) query.parent = namespaceParam(parent);
    const what = `GET namespaces${parent.length > 0 ? ` under ${parent.join('.')}` : ''}`;
    const response = await this.send('list_namespaces', 'GET', session.paths.namespaces(), query, {}, signal, RESPONSE_LIMITS.listingPage);
    if (response.status === 404 && parent.length > 0 && isNoSuchNamespace(describeErrorBody(response.body).type)) return 'no-such-namespace';
    if (response.status !== 200) throw this.failure('list_namespaces', what, response);
    const parsed = parseOrThrow(listNamespacesSchema, response.body, 'list_namespaces', what);
    return { items: parsed.namespaces ?? [], next: parsed['next-page-token'] ?? undefined };
  }

  /** One page of the tables of a namespace; 'no-such-namespace' when it was dropped meanwhile. */
  async tablePage(session: CatalogSession, namespace: readonly string[], token: string, signal?: AbortSignal): Promise<Page<{ namespace: string[]; name: string }> | 'no-such-namespace'> {
    const what = `GET tables of ${namespace.join('.')}`;
    const response = await this.send('list_tables', 'GET', session.paths.tables(namespace), { pageToken: token, ...this.pageSize() }, {}, signal, RESPONSE_LIMITS.listingPage);
    if (response.status === 404 && isNoSuchNamespace(describeErrorBody(response.body).type)) return 'no-such-namespace';
    if (response.status !== 200) throw this.failure('list_tables', what, response);
    const parsed = parseOrThrow(listTablesSchema, response.body, 'list_tables', what);
    return { items: parsed.identifiers ?? [], next: parsed['next-page-token'] ?? undefined };
  }

  /**
   * loadTable with `snapshots=refs` (the smallest metadata that still names the table's state) and,
   * when an ETag is known, If-None-Match so an unchanged table costs a 304 without a body.
   */
  async loadTable(session: CatalogSession, namespace: readonly string[], name: string, etag: string | undefined, signal?: AbortSignal): Promise<LoadOutcome> {
    const what = `GET table ${[...namespace, name].join('.')}`;
    const headers: Record<string, string> = etag === undefined ? {} : { 'if-none-match': etag };
    const response = await this.send('load_table', 'GET', session.paths.table(namespace, name), { snapshots: 'refs' }, headers, signal, RESPONSE_LIMITS.table);
    if (response.status === 304) {
      if (etag === undefined) {
        throw new RestCatalogError('load_table', 304, undefined, `the source catalog answered 304 to an unconditional load (${what})`, {
          retryable: false,
          hint: 'the catalog or a proxy in front of it caches wrongly',
        });
      }
      return { kind: 'not-modified' };
    }
    if (response.status === 404 && isNoSuchTableOrNamespace(describeErrorBody(response.body).type)) return { kind: 'not-found' };
    if (response.status !== 200) throw this.failure('load_table', what, response);
    const result = parseOrThrow(loadTableSchema, response.body, 'load_table', what);
    const header = response.headers['etag'];
    return { kind: 'loaded', result, etag: typeof header === 'string' && header !== '' ? header : undefined };
  }

  /** Whether the server advertises HEAD on tables (not in the spec's default endpoint set). */
  supportsHead(session: CatalogSession): boolean {
    return session.endpoints?.has(HEAD_TABLE_ENDPOINT) ?? false;
  }

  /** HEAD …/tables/{table}: 204 → true, 404 → false; anything else (403 included) throws. */
  async tableExists(session: CatalogSession, namespace: readonly string[], name: string, signal?: AbortSignal): Promise<boolean> {
    const what = `HEAD table ${[...namespace, name].join('.')}`;
    const response = await this.send('table_exists', 'HEAD', session.paths.table(namespace, name), {}, {}, signal);
    if (response.status === 204 || response.status === 200) return true;
    if (response.status === 404) return false;
    throw this.failure('table_exists', what, response);
  }

  private pageSize(): Record<string, string> {
    const size = this.deps.config.pageSize;
    return size === undefined ? {} : { pageSize: String(size) };
  }

  private failure(operation: RestOperation, what: string, response: HttpResponse): RestCatalogError {
    return errorFromResponse(operation, what, response.status, response.body, retryAfterMs(response));
  }

  /**
   * One call: auth, the retry policy, metrics. Answers every HTTP status to the caller except those it
   * handles: 401/419 (renewed once), and 429/5xx (repeated, then thrown).
   */
  private async send(
    operation: RestOperation,
    method: 'GET' | 'HEAD',
    path: string,
    query: Record<string, string>,
    headers: Record<string, string>,
    signal?: AbortSignal,
    maxBodyBytes: number = RESPONSE_LIMITS.small,
  ): Promise<HttpResponse> {
    const { config, tokens } = this.deps;
    const search = new URLSearchParams(query).toString();
    const url = joinUri(config.uri, path) + (search ? `?${search}` : '');
    const what = `${method} ${path}`;
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      let response: HttpResponse;
      let authorization: string | undefined;
      try {
        authorization = await tokens.authorization(signal);
        const all: Record<string, string> = { ...this.headers, accept: 'application/json', ...headers };
        if (authorization !== undefined) all.authorization = authorization;
        response = await httpRequest(this.deps.dispatcher, url, { method, headers: all, timeoutMs: config.requestTimeoutMs, signal, maxBodyBytes });
      } catch (error) {
        if (signal?.aborted) throw error;
        const failure = asSourceFailure(error, operation, what);
        if (error instanceof NetworkError || error instanceof ResponseTooLargeError) this.count(operation, 'error');
        if (!failure.retryable || attempt >= config.retry.maxAttempts) throw failure;
        await sleep(this.delay(attempt, undefined), signal);
        continue;
      }
      this.count(operation, outcomeOf(response.status));
      if ((response.status === 401 || response.status === 419) && !renewed && tokens.renew(authorization)) {
        // An expired token: the spec lets the client fetch a new one and repeat the request, once.
        renewed = true;
        attempt--;
        continue;
      }
      if (response.status === 429) this.deps.metrics.sourceThrottles.inc({ source: this.source });
      const transient = response.status === 429 || response.status >= 500;
      if (!transient || attempt >= config.retry.maxAttempts || signal?.aborted) return response;
      await sleep(this.delay(attempt, retryAfterMs(response)), signal);
    }
  }

  /** Capped exponential backoff with full jitter; a Retry-After is honoured up to the cap. */
  private delay(attempt: number, retryAfter: number | undefined): number {
    const { baseDelayMs, maxDelayMs } = this.deps.config.retry;
    if (retryAfter !== undefined) return Math.min(retryAfter, maxDelayMs);
    return Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  }

  private count(operation: RestOperation, outcome: string): void {
    this.deps.metrics.sourceCalls.inc({ source: this.source, operation, outcome });
  }
}

function outcomeOf(status: number): string {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 304) return 'not_modified';
  if (status === 404) return 'not_found';
  if (status === 429) return 'throttled';
  return 'error';
}

function retryAfterMs(response: HttpResponse): number | undefined {
  const header = response.headers['retry-after'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** No answer at all (status 0), or a token failure: the hint must point at the source, not at Polaris. */
function asSourceFailure(error: unknown, operation: RestOperation, what: string): MirrorError {
  if (error instanceof NetworkError) {
    const why = error.code === 'TIMEOUT' ? 'no complete answer within requestTimeoutMs' : error.code;
    return new RestCatalogError(operation, 0, undefined, `the source catalog did not answer ${what}: ${why}`, {
      retryable: true,
      hint: 'check that the catalog is up and reachable from this host (uri, tls.caFile, proxies)',
    });
  }
  if (error instanceof ResponseTooLargeError) {
    // The same call would get the same answer: not worth repeating within this poll.
    return new RestCatalogError(operation, 0, undefined, `the source catalog's answer to ${what} is larger than ${error.limit} bytes, the limit for this call`, {
      retryable: false,
      hint: 'check that uri points at an Iceberg REST catalog; a table this large is not one the connector can mirror',
    });
  }
  if (error instanceof MirrorError) return error;
  return new MirrorError(`${what} failed: ${messageOf(error)}`, { retryable: false, cause: error });
}

function parseOrThrow<T>(schema: z.ZodType<T>, body: unknown, operation: RestOperation, what: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue ? `${issue.path.map(String).join('.') || 'body'}: ${issue.message}` : 'unexpected body';
  throw new RestCatalogError(operation, 200, undefined, `the source catalog's answer to ${what} does not follow the Iceberg REST spec (${where})`, {
    retryable: false,
    hint: 'check that uri points at an Iceberg REST catalog (the part before /v1)',
  });
}
