import { excerpt } from '../telemetry/safe-text.js';
import { MirrorError, messageOf } from '../util/errors.js';
import type { HttpResponse } from './http.js';

/**
 * What to do about one answer from Polaris. The single place where status codes and error bodies are
 * interpreted (polaris.md's behaviour table and its Polaris 1.7 answers on object storage), so the
 * engine only acts on verdicts.
 */
export type Verdict =
  | { readonly kind: 'ok' }
  /** 409: Polaris already processed a newer timestamp for this table. Read the table back. */
  | { readonly kind: 'stale'; readonly message: string }
  /** Worth repeating after a delay: 408, 429, 5xx from a struggling Polaris or object store, 409 races, no answer. */
  | { readonly kind: 'retry'; readonly reason: RetryReason; readonly message: string; readonly retryAfterMs?: number; readonly hint?: string }
  /**
   * Needs an operator: the table is marked failed with Polaris's message and a hint naming the fix.
   * `metadataNotFound`: Polaris could not find the metadata file it was told of (404 on file systems,
   * 400 on object stores). The source has usually moved on since (dropped the table, or committed and
   * expired that file): the engine reads the source again before calling it a failure.
   */
  | { readonly kind: 'fail'; readonly status: number | undefined; readonly message: string; readonly hint: string; readonly metadataNotFound?: true };

export type RetryReason = 'rate_limited' | 'server_error' | 'network' | 'conflict' | 'transient';

export interface ClassifyContext {
  readonly catalog: string;
  /** The table's location, named in the hint when Polaris refuses it. */
  readonly location?: string;
  /**
   * Whether the catalog exists, when the caller asked /v1/config: Polaris answers a notification to an
   * unknown catalog with the same 404 as a missing namespace ("Namespace does not exist: ''").
   */
  readonly catalogExists?: boolean;
  /** How the connector authenticates, for the hint of a 401 that a fresh token did not cure. */
  readonly auth?: { readonly staticToken: boolean; readonly scope: string };
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
  const fail = (hint: string): Extract<Verdict, { kind: 'fail' }> => ({ kind: 'fail', status, message: said, hint });

  if (status === 409) {
    if (/newer timestamp/i.test(error.message)) return { kind: 'stale', message: said };
    // A view or generic table of that name is not a race: waiting will not make room for the table.
    const other = /^(View|Generic table) already exists/i.exec(error.message);
    if (other) {
      return fail(
        `a ${other[1]!.toLowerCase()} of that name exists in catalog "${context.catalog}", and Polaris cannot hold a table beside it: drop or rename the ${other[1]!.toLowerCase()} in Polaris, or exclude this table (include/exclude)`,
      );
    }
    // "Table already exists" (a concurrent create) and CommitConflictException are races: retry.
    return { kind: 'retry', reason: 'conflict', message: said };
  }
  if (status === 429) return { kind: 'retry', reason: 'rate_limited', message: said, retryAfterMs: retryAfterMs(response) };
  if (status === 408) {
    return { kind: 'retry', reason: 'transient', message: said, hint: 'the object store timed out while Polaris read the metadata file; sent again with backoff' };
  }
  if (error.type === 'StsException') return fail(storageRoleHint(context));
  if (status === 503 && error.type === 'RuntimeIOException') {
    return fail('Polaris read the metadata file but it is not JSON (not an Iceberg metadata file, or a damaged one): point the table at a valid metadata file');
  }
  if (status >= 500) {
    return {
      kind: 'retry',
      reason: 'server_error',
      message: said,
      retryAfterMs: retryAfterMs(response),
      hint:
        status === 502 && isCloudType(error.type)
          ? 'the object store failed while Polaris read the metadata file; sent again with backoff'
          : 'Polaris is failing; the notification is sent again with backoff',
    };
  }
  if (status === 401 || status === 419) return fail(unauthorizedHint(context));
  if (status === 403) return fail(forbiddenHint(error, context));
  if ((status === 404 || status === 400) && isMetadataNotFound(error)) return { ...fail(notFoundHintOf(status, error, context)), metadataNotFound: true };
  if (status === 404) return fail(notFoundHint(error, context));
  if (status === 400) return fail(badRequestHint(error, context));
  if (status === 422) {
    return fail(
      `the object store redirected Polaris (a bucket in another region or behind another endpoint): fix the region/endpoint of catalog "${context.catalog}"'s storage configuration`,
    );
  }
  return fail("see Polaris's message");
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

/**
 * A loadTable answer meaning "Polaris holds this table but cannot read its metadata file": the file is
 * gone (typically purged with the table at the source). Object stores answer 400, FILE storage 404.
 */
export function isUnreadableMetadata(response: HttpResponse): boolean {
  return (response.status === 400 || response.status === 404) && isMetadataNotFound(errorBody(response));
}

/** Polaris's NotFoundException for a file it could not find (not a missing catalog, namespace or table). */
function isMetadataNotFound(error: PolarisErrorBody): boolean {
  return error.type === 'NotFoundException' && !isMissingCatalog(error.message);
}

function notFoundHintOf(status: number, error: PolarisErrorBody, context: ClassifyContext): string {
  return status === 404 ? notFoundHint(error, context) : badRequestHint(error, context);
}

/**
 * An answer that may mean "no such catalog": /v1/config's "Unable to find warehouse X", or a
 * notification's 404 NoSuchNamespaceException (Polaris resolves an unknown catalog as a missing, empty
 * namespace). The caller asks /v1/config to tell them apart (ClassifyContext.catalogExists).
 */
export function mayBeMissingCatalog(response: HttpResponse): boolean {
  const error = errorBody(response);
  return response.status === 404 && (error.type === 'NoSuchNamespaceException' || isMissingCatalog(error.message));
}

/** /v1/config's answer for an unknown catalog ("Unable to find warehouse X"), as opposed to a missing file or table. */
export function isMissingCatalog(message: string): boolean {
  return /unable to find warehouse|catalog .*(not found|does not exist)|no such catalog/i.test(message);
}

// ---- hints --------------------------------------------------------------------------------------

function createCatalogHint(catalog: string): string {
  return `create catalog "${catalog}" in Polaris (type EXTERNAL) or fix target.catalog`;
}

function storageRoleHint(context: ClassifyContext): string {
  return `Polaris cannot assume the storage role of catalog "${context.catalog}" (STS): check the roleArn (and externalId) of its storage configuration and that the role's trust policy lets Polaris's IAM user assume it`;
}

function unauthorizedHint(context: ClassifyContext): string {
  if (context.auth?.staticToken) return 'Polaris refused the static token (polaris.auth.token): it expired or is not valid for this Polaris; replace it';
  const scope = context.auth ? ` "${context.auth.scope}"` : '';
  return `Polaris refused a token it had just issued: the token scope${scope} (polaris.auth.scope) names a principal role the principal does not hold — Polaris issues such a token and then refuses every call. Use PRINCIPAL_ROLE:ALL or a role granted to the principal; also check polaris.realm`;
}

function forbiddenHint(error: PolarisErrorBody, context: ClassifyContext): string {
  const m = error.message;
  if (error.type === 'ForbiddenException' && /invalid locations|location/i.test(m) && !/not authorized for op/i.test(m)) {
    // Name the table location when the refused path lies under it, otherwise the refused path itself
    // (a write.data.path or manifest list elsewhere).
    const refused = /: (\S+) is not in the list of allowed locations/.exec(m)?.[1];
    const under = refused !== undefined && context.location !== undefined && `${refused}/`.startsWith(`${context.location.replace(/\/+$/, '')}/`);
    const target = refused !== undefined && !under ? refused : context.location;
    const where = target ? `"${target}" (or a parent)` : "the table's location";
    return `add ${where} to the allowedLocations of catalog "${context.catalog}" (Polaris checks the table location, write.data.path, write.metadata.path, manifest lists and statistics files)`;
  }
  if (isCloudType(error.type) || (error.type !== 'ForbiddenException' && /access denied|forbidden|not authorized/i.test(m))) {
    return `Polaris's storage credentials for catalog "${context.catalog}" may not read the metadata file: let its storage role (roleArn) read the table locations (s3:GetObject, and s3:ListBucket — without it S3 answers 403 for a missing object), or the service account/identity on GCS and ADLS`;
  }
  return `grant CATALOG_MANAGE_CONTENT (or TABLE_CREATE, TABLE_WRITE_PROPERTIES, TABLE_DROP, NAMESPACE_CREATE, NAMESPACE_DROP) on catalog "${context.catalog}" to a catalog role of the connector's principal role, and check polaris.auth.scope`;
}

function notFoundHint(error: PolarisErrorBody, context: ClassifyContext): string {
  if (isMissingCatalog(error.message) || context.catalogExists === false) return createCatalogHint(context.catalog);
  if (error.type === 'NoSuchNamespaceException') {
    return `Polaris says the namespace does not exist; if catalog "${context.catalog}" is missing: ${createCatalogHint(context.catalog)}`;
  }
  return "Polaris could not read the metadata file: check it exists and that the catalog's storage credentials can read it";
}

function badRequestHint(error: PolarisErrorBody, context: ClassifyContext): string {
  const m = error.message;
  if (/internal catalog/i.test(m)) {
    return `catalog "${context.catalog}" is INTERNAL; notifications need an EXTERNAL catalog without a connection config: point target.catalog at one`;
  }
  if (/has a custom location, which is not enabled/i.test(m)) {
    return `catalog "${context.catalog}"'s default-base-location is not one of its allowedLocations, so Polaris 1.7 cannot create a new top-level namespace: set default-base-location to one of the allowedLocations, or set the catalog property polaris.config.namespace-custom-location.enabled=true`;
  }
  if (/outside of table location/i.test(m)) {
    return `the metadata file is outside the table's location: keep metadata under the table location, or set the catalog property polaris.config.allow.external.metadata.file.location=true on catalog "${context.catalog}"`;
  }
  if (/storage ?(config|info)/i.test(m)) {
    return `catalog "${context.catalog}" has no storage configuration: give it one whose allowedLocations cover the tables`;
  }
  if (error.type === 'NotFoundException' || /not found|does not exist|unable to read|no such file/i.test(m)) {
    return "Polaris could not find the metadata file in object storage: check it exists (a table dropped with its files cannot be updated) and that the catalog's storage credentials can list and read it";
  }
  if (error.type === 'IllegalArgumentException') return 'Polaris read the metadata file but it is not valid Iceberg table metadata (see the message): fix the writer or point the table at a valid metadata file';
  return 'Polaris rejected the notification; check that the metadata file is valid Iceberg metadata readable by Polaris';
}

/** The cloud SDKs' exception types Polaris passes through when reading from object storage. */
function isCloudType(type: string | undefined): boolean {
  return type !== undefined && /^(S3Exception|SdkClientException|AwsServiceException|StorageException|BlobStorageException|DataLakeStorageException)$/.test(type);
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
