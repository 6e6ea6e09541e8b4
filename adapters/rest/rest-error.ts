import { excerpt } from '../../src/telemetry/safe-text.js';
import { MirrorError } from '../../src/util/errors.js';
import { errorResponseSchema } from './wire.js';

/** The catalog calls the source makes; they name metrics, log lines and errors. */
export type RestOperation = 'config' | 'token' | 'list_namespaces' | 'list_tables' | 'load_table' | 'table_exists';

/**
 * An answer from the source catalog that is not what the call wanted, in the spec's error shape
 * ({"error":{"message","type","code"}}) when the server used it. Carries whether repeating can help
 * and what an operator should do, like every MirrorError.
 */
export class RestCatalogError extends MirrorError {
  constructor(
    readonly operation: RestOperation,
    readonly status: number,
    readonly type: string | undefined,
    message: string,
    options: { retryable: boolean; hint?: string; retryAfterMs?: number },
  ) {
    super(message, options);
    this.name = 'RestCatalogError';
    this.retryAfterMs = options.retryAfterMs;
  }

  readonly retryAfterMs: number | undefined;
}

/** The error's type and message from an IcebergErrorResponse body, or a short form of whatever came. */
export function describeErrorBody(body: unknown): { type: string | undefined; message: string } {
  const parsed = errorResponseSchema.safeParse(body);
  // Scrubbed before it is cut (src/telemetry/safe-text.ts): a secret echoed at the cut must not leak half.
  if (parsed.success) {
    const { type, message } = parsed.data.error;
    return { type: type == null ? undefined : excerpt(type, 200), message: message == null ? '' : excerpt(message) };
  }
  if (typeof body === 'string') return { type: undefined, message: excerpt(body, 500) };
  return { type: undefined, message: '' };
}

/**
 * "Not found" that means the table (or its namespace) is gone — as opposed to a wrong prefix, an
 * unknown warehouse or a gateway's 404 for an unknown route, which must never look like a drop.
 */
export function isNoSuchTableOrNamespace(type: string | undefined): boolean {
  return type !== undefined && /^(NoSuch(Table|Namespace)(Exception|Error)?|(Table|Namespace)NotFound(Exception)?)$/.test(type);
}

export function isNoSuchNamespace(type: string | undefined): boolean {
  return type !== undefined && /^(NoSuchNamespace(Exception|Error)?|NamespaceNotFound(Exception)?)$/.test(type);
}

/** Turns a non-2xx answer into an error an operator can act on. */
export function errorFromResponse(
  operation: RestOperation,
  what: string,
  status: number,
  body: unknown,
  retryAfterMs: number | undefined,
): RestCatalogError {
  const { type, message } = describeErrorBody(body);
  const said = `the source catalog answered ${status}${type ? ` ${type}` : ''}${message ? `: ${message}` : ''} (${what})`;
  const retryable = status === 429 || status >= 500;
  return new RestCatalogError(operation, status, type, said, { retryable, hint: hintFor(operation, status), retryAfterMs });
}

function hintFor(operation: RestOperation, status: number): string {
  if (status === 401 || status === 419) {
    return 'the catalog refused the credentials even after renewing them: check auth (token, or clientId / clientSecret / scope / tokenUri) and headers';
  }
  if (status === 403) return "grant the connector's principal read access to the catalog: list namespaces, list tables and load tables";
  if (status === 404 && operation === 'config') return 'check uri (the part before /v1) and warehouse';
  if (status === 404) return 'check uri and warehouse: the catalog does not know this path';
  if (status === 429 || status >= 500) return 'the catalog is busy or failing; the next poll tries again';
  return 'see the message; check uri, warehouse and headers';
}
