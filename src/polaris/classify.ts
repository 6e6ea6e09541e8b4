import { excerpt } from '../telemetry/safe-text.js';
import { MirrorError, messageOf } from '../util/errors.js';
import type { HttpResponse } from './http.js';

/**
 * What to do about one answer from Polaris. The single place where status codes and error bodies are
 * interpreted (polaris.md's behaviour table), so the engine only acts on verdicts.
 */
export type Verdict =
  | { readonly kind: 'ok' }
  /** 409: Polaris already processed a newer timestamp for this table. Read the table back. */
  | { readonly kind: 'stale'; readonly message: string }
  /** Worth repeating after a delay: 429, 5xx, 409 races, no answer. */
  | { readonly kind: 'retry'; readonly reason: RetryReason; readonly message: string; readonly retryAfterMs?: number; readonly hint?: string }
  /** Needs an operator: the table is marked failed with Polaris's message and a hint. */
  | { readonly kind: 'fail'; readonly status: number | undefined; readonly message: string; readonly hint: string };

export type RetryReason = 'rate_limited' | 'server_error' | 'network' | 'conflict' | 'transient';

export interface ClassifyContext {
  readonly catalog: string;
  /** The table's location, named in the hint when Polaris refuses it. */
  readonly location?: string;
}

interface PolarisErrorBody {
  readonly message: string;
  readonly type: string | undefined;
}

export function classifyResponse(response: HttpResponse, context: ClassifyContext): Verdict {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const error = errorBody(response);
  const said = `Polaris answered ${status}${error.type ? ` ${error.type}` : ''}: ${error.message}`;

  if (status === 409) {
    if (/newer timestamp/i.test(error.message)) return { kind: 'stale', message: said };
    // "Table already exists" (a concurrent create) and CommitConflictException are races: retry.
    return { kind: 'retry', reason: 'conflict', message: said };
  }
  if (status === 429) return { kind: 'retry', reason: 'rate_limited', message: said, retryAfterMs: retryAfterMs(response) };
  if (status >= 500) {
    return {
      kind: 'retry',
      reason: 'server_error',
      message: said,
      retryAfterMs: retryAfterMs(response),
      hint:
        status === 503 && /pars|json/i.test(error.message)
          ? 'Polaris could not parse the metadata file: check that it is valid Iceberg metadata JSON'
          : 'Polaris is failing; the notification is sent again with backoff',
    };
  }
  if (status === 401 || status === 419) {
    return { kind: 'fail', status, message: said, hint: 'the token was refused even after renewing it: check polaris.auth and polaris.realm' };
  }
  return { kind: 'fail', status, message: said, hint: hintFor(status, error, context) };
}

/** Thrown errors: no HTTP answer (retry), or a MirrorError that already knows whether to retry. */
export function classifyError(error: unknown): Verdict {
  if (error instanceof MirrorError) {
    return error.retryable
      ? { kind: 'retry', reason: error.name === 'NetworkError' ? 'network' : 'transient', message: error.message, hint: error.hint }
      : { kind: 'fail', status: undefined, message: error.message, hint: error.hint ?? 'see the message' };
  }
  return { kind: 'retry', reason: 'network', message: messageOf(error) };
}

function hintFor(status: number, error: PolarisErrorBody, context: ClassifyContext): string {
  const m = error.message;
  if (status === 400 && /internal catalog/i.test(m)) {
    return `catalog "${context.catalog}" is INTERNAL; notifications need an EXTERNAL catalog without a connection config: point target.catalog at one`;
  }
  if (status === 400 && /outside of table location/i.test(m)) {
    return "the metadata file is outside the table's location: keep metadata under the table location, or enable ALLOW_EXTERNAL_METADATA_FILE_LOCATION in Polaris";
  }
  if (status === 400 && /storage ?(config|info)/i.test(m)) {
    return `catalog "${context.catalog}" has no storage configuration: give it one whose allowedLocations cover the tables`;
  }
  if (status === 403 && /location/i.test(m)) {
    return `add ${context.location ? `"${context.location}" (or a parent)` : "the table's location"} to the allowedLocations of catalog "${context.catalog}"`;
  }
  if (status === 403) {
    return `grant CATALOG_MANAGE_CONTENT (or TABLE_CREATE, TABLE_WRITE_PROPERTIES, TABLE_DROP, NAMESPACE_CREATE, NAMESPACE_DROP) on catalog "${context.catalog}" to a catalog role of the connector's principal role, and check polaris.auth.scope`;
  }
  if (status === 404 && isMissingCatalog(m)) {
    return `create catalog "${context.catalog}" in Polaris (type EXTERNAL) or fix target.catalog`;
  }
  if (status === 404 || (status === 400 && /not found|does not exist|unable to read|no such file/i.test(m))) {
    return "Polaris could not read the metadata file: check it exists and that the catalog's storage credentials can read it";
  }
  if (status === 400) return 'Polaris rejected the notification; check that the metadata file is valid Iceberg metadata readable by Polaris';
  return 'see Polaris\'s message';
}

/** Polaris's answer for an unknown catalog ("Unable to find warehouse X"), as opposed to a missing file or table. */
export function isMissingCatalog(message: string): boolean {
  return /unable to find warehouse|catalog .*(not found|does not exist)|no such catalog/i.test(message);
}

function errorBody(response: HttpResponse): PolarisErrorBody {
  const body = response.body as { error?: { message?: unknown; type?: unknown } } | string | undefined;
  if (body && typeof body === 'object' && body.error && typeof body.error === 'object') {
    return {
      message: typeof body.error.message === 'string' ? excerpt(body.error.message) : 'no message',
      type: typeof body.error.type === 'string' ? excerpt(body.error.type, 200) : undefined,
    };
  }
  return { message: typeof body === 'string' && body !== '' ? excerpt(body, 500) : 'no message', type: undefined };
}

/** Retry-After as seconds or an HTTP date, in ms. */
export function retryAfterMs(response: HttpResponse, now = Date.now()): number | undefined {
  const raw = response.headers['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
