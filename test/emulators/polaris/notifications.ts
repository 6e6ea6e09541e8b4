// POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/notifications — the behaviour table of
// /work/shared/reference/polaris.md (LocalIcebergCatalog.sendNotificationForTableLike, Polaris 1.7),
// row by row, with the exact answers of its section "Exact answers that matter on object storage".
//
// Order of checks (as in Polaris): token (401) → body (400; deserialization happens before the
// handler runs) → catalog (404 NoSuchNamespaceException "Namespace does not exist: ''") → privileges
// (403) → INTERNAL catalog (400) → federated (204 no-op) → per-type behaviour:
// - VALIDATE: storage config (400) → metadata location allowed (403) → storage role (500 STS).
// - CREATE/UPDATE: missing namespaces created (a new top-level one must pass the 1.7 location rule:
//   400, nothing created) → stale timestamp (409) → metadata location allowed (403) → storage role
//   (500 STS) → the file read (storage.ts, metadata-files.ts) → one check of every location the
//   metadata names (403) → metadata file outside the table location (400, unless the catalog allows
//   it) → a view or generic table holds the name (409). Namespaces auto-created before a later
//   refusal stay behind (apache/polaris#5541), reproduced on purpose.
// - DROP: never 409, no timestamp check.
//
// Per-table lock: the connector promises one operation in flight per table. CREATE/UPDATE hold a lock
// on their table for the whole request (latency included); a second upsert arriving meanwhile gets
// what Polaris's optimistic concurrency would answer (409 CommitConflictException, or 409
// AlreadyExistsException while the table is being created) and is counted as a violation. A DROP
// arriving meanwhile is counted too, and applied (Polaris never answers a DROP with 409). VALIDATE
// mutates nothing and takes no lock.
import { allowsExternalMetadataFile } from './catalog-properties.js';
import { badRequest, forbidden, PolarisError } from './errors.js';
import { disallowed, isChildOf } from './locations.js';
import type { MetadataFiles } from './metadata-files.js';
import type { OpenApiValidator } from './openapi-validator.js';
import { identifier, tableKey } from './keys.js';
import type { Catalog, EmulatorState } from './state.js';
import type { Auth } from './auth.js';
import { stsDenied } from './storage.js';
import type { HistoryEntry } from './types.js';

export const NOTIFICATION_PRIVILEGES = ['TABLE_CREATE', 'TABLE_WRITE_PROPERTIES', 'TABLE_DROP', 'NAMESPACE_CREATE', 'NAMESPACE_DROP'];
const TYPES = ['UNKNOWN', 'CREATE', 'UPDATE', 'DROP', 'VALIDATE'];

export interface NotificationDeps {
  state: EmulatorState;
  auth: Auth;
  files: MetadataFiles;
  /** null when validateBodies is false: only what Jackson itself would reject is rejected. */
  validator: OpenApiValidator | null;
}

export interface NotificationRequest {
  catalog: string;
  namespace: string[];
  table: string;
  authorization: string | undefined;
  body: string;
  /** The X-Request-ID header, as Polaris logs it. */
  requestId?: string;
  /** Waits the configured latency (once); called while holding the table lock. */
  delay: () => Promise<void>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Payload {
  timestamp: number | undefined;
  metadataLocation: string | undefined;
}

const NO_CONTENT: Reply = { status: 204 };

export async function handleNotification(deps: NotificationDeps, req: NotificationRequest): Promise<Reply> {
  let json: unknown;
  let parseError: string | undefined;
  try {
    json = JSON.parse(req.body);
  } catch (e) {
    parseError = (e as Error).message;
  }
  // Record at arrival, before the first await, so history keeps arrival order per table.
  const catalog = deps.state.catalogs.get(req.catalog);
  const obj = isObject(json) ? json : {};
  const payload = isObject(obj['payload']) ? obj['payload'] : {};
  const type = typeof obj['notification-type'] === 'string' ? (obj['notification-type'] as string) : '?';
  const entry: HistoryEntry = {
    type,
    timestamp: typeof payload['timestamp'] === 'number' ? payload['timestamp'] : -1,
    metadataLocation: typeof payload['metadata-location'] === 'string' ? payload['metadata-location'] : '',
    status: 0,
    at: Date.now(),
    ...(req.requestId === undefined ? {} : { requestId: req.requestId }),
  };
  const key = tableKey(req.namespace, req.table);
  catalog?.history.arrive(key, entry);
  let status = 500;
  try {
    const reply = await process(deps, req, catalog, json, parseError);
    status = reply.status;
    return reply;
  } catch (e) {
    status = e instanceof PolarisError ? e.status : 500;
    throw e;
  } finally {
    catalog?.history.answer(key, entry, status);
    deps.state.countNotification(type, status);
  }
}

async function process(
  deps: NotificationDeps,
  req: NotificationRequest,
  catalog: Catalog | undefined,
  json: unknown,
  parseError: string | undefined,
): Promise<Reply> {
  const token = deps.auth.authenticate(req.authorization);
  if (parseError !== undefined) throw badRequest(`Malformed request body: ${parseError}`);
  const body = checkBody(deps.validator, json);
  // Polaris resolves the catalog as the root namespace of the path: an unknown catalog reads as a missing
  // (empty) namespace. Only /v1/config says "Unable to find warehouse".
  if (!catalog) throw new PolarisError(404, 'NoSuchNamespaceException', "Namespace does not exist: ''");
  deps.auth.requireAll(token, catalog.name, NOTIFICATION_PRIVILEGES, 'SEND_NOTIFICATIONS');
  if (catalog.type !== 'EXTERNAL') throw badRequest('Cannot update internal catalog via notifications');
  if (catalog.federated) return NO_CONTENT; // Polaris returns before touching anything.

  const id = identifier(req.namespace, req.table);
  switch (body.type) {
    case 'UNKNOWN':
      return NO_CONTENT;
    case 'VALIDATE':
      return validate(catalog, id, body.payload);
    case 'DROP': {
      // No timestamp check: a late DROP deletes a newer table (apache/polaris#232). No purge. Never 409.
      const key = tableKey(req.namespace, req.table);
      if (catalog.locks.has(key)) deps.state.countConcurrentViolation();
      await req.delay();
      catalog.tables.remove(req.namespace, req.table);
      return NO_CONTENT;
    }
    default:
      return withTableLock(deps, catalog, req, id, () => upsert(deps, catalog, req, id, body.payload));
  }
}

function validate(catalog: Catalog, id: string, payload: Payload | undefined): Reply {
  // Dry run up to, not including, reading the metadata file: no namespace created, nothing read;
  // the location may be a directory.
  if (!catalog.storageConfigured) throw badRequest(`Failed to find StorageInfo entity for TableIdentifier ${id}`);
  const location = required(payload, 'metadataLocation');
  checkAllowed(catalog, id, [location]);
  assumeStorageRole(catalog);
  return NO_CONTENT;
}

async function upsert(deps: NotificationDeps, catalog: Catalog, req: NotificationRequest, id: string, payload: Payload | undefined): Promise<Reply> {
  const timestamp = required(payload, 'timestamp');
  const location = required(payload, 'metadataLocation');
  deps.state.ensureNamespaces(catalog, req.namespace);
  const key = tableKey(req.namespace, req.table);
  const existing = catalog.tables.get(req.namespace, req.table);
  if (existing?.timestamp !== undefined && timestamp <= existing.timestamp) {
    throw new PolarisError(409, 'AlreadyExistsException', `A notification with a newer timestamp has been processed for table ${id}`);
  }
  // Without a storage config Polaris has no allowed locations to check against (and reads the
  // file with default credentials), so the location checks are skipped.
  const checkLocations = catalog.storageConfigured;
  if (checkLocations) checkAllowed(catalog, id, [location]);
  assumeStorageRole(catalog);
  const file = await deps.files.read(location);
  if (checkLocations) checkAllowed(catalog, id, file.checkedLocations);
  if (!allowsExternalMetadataFile(catalog) && !isChildOf(location, file.location)) {
    throw badRequest(`Metadata location ${location} is not allowed outside of table location ${file.location}`);
  }
  if (catalog.views.has(key)) throw new PolarisError(409, 'AlreadyExistsException', `View already exists: ${id}`);
  if (catalog.genericTables.has(key)) throw new PolarisError(409, 'AlreadyExistsException', `Generic table already exists: ${id}`);
  catalog.tables.put({ namespace: req.namespace, name: req.table, metadataLocation: location, timestamp });
  return NO_CONTENT;
}

/** Polaris gets the catalog's storage credentials (STS AssumeRole on S3) before it reads anything. */
export function assumeStorageRole(catalog: Catalog): void {
  if (catalog.roleDenied) throw stsDenied(catalog.roleArn);
}

async function withTableLock(
  deps: NotificationDeps,
  catalog: Catalog,
  req: NotificationRequest,
  id: string,
  work: () => Promise<Reply>,
): Promise<Reply> {
  const key = tableKey(req.namespace, req.table);
  if (catalog.locks.has(key)) {
    deps.state.countConcurrentViolation();
    if (catalog.tables.has(req.namespace, req.table)) {
      throw new PolarisError(409, 'CommitConflictException', `Failed to commit Table or View ${id} because it was concurrently modified`);
    }
    throw new PolarisError(409, 'AlreadyExistsException', `Table already exists: ${id}`);
  }
  catalog.locks.add(key);
  try {
    await req.delay();
    return await work();
  } finally {
    catalog.locks.delete(key);
  }
}

/** One 403 for the whole set, naming the first location no allowed location covers (PolarisStorageConfigurationInfo.validate). */
function checkAllowed(catalog: Catalog, id: string, locations: string[]): void {
  const bad = disallowed(locations, catalog.allowedLocations);
  if (bad.length > 0) {
    throw forbidden(
      `Invalid locations '[${locations.join(', ')}]' for identifier '${id}': ${bad[0]} is not in the list of allowed locations: [${catalog.allowedLocations.join(', ')}]`,
    );
  }
}

/** Polaris dereferences these without null checks: a missing one is an NPE, i.e. a 500. */
function required<K extends keyof Payload>(payload: Payload | undefined, key: K): NonNullable<Payload[K]> {
  const v = payload?.[key];
  if (v === undefined || v === null) {
    const name = key === 'metadataLocation' ? 'metadata-location' : key;
    throw new PolarisError(500, 'NullPointerException', payload ? `payload.${name} is null` : 'payload is null');
  }
  return v as NonNullable<Payload[K]>;
}

/**
 * The checks that happen before Polaris's handler runs: the OpenAPI schema (validateBodies) or, at
 * least, what Jackson's deserialization rejects (non-object, unknown enum, non-numeric timestamp).
 */
function checkBody(validator: OpenApiValidator | null, json: unknown): { type: string; payload: Payload | undefined } {
  if (validator) {
    const err = validator.validate('NotificationRequest', json);
    if (err) throw badRequest(`Invalid value for ${err.path}: ${err.message}`);
  }
  if (!isObject(json)) throw badRequest('Malformed request body: expected a JSON object');
  const type = json['notification-type'];
  if (type === undefined || type === null) {
    throw new PolarisError(500, 'NullPointerException', 'Expected a valid notification type.');
  }
  if (typeof type !== 'string' || !TYPES.includes(type)) {
    throw badRequest(
      `Cannot deserialize value of type NotificationType from ${JSON.stringify(type)}: not one of the values accepted for Enum class: [${TYPES.join(', ')}]`,
    );
  }
  const p = json['payload'];
  if (p === undefined || p === null) return { type, payload: undefined };
  if (!isObject(p)) throw badRequest('Malformed request body: payload must be an object');
  let ts = p['timestamp'];
  if (typeof ts === 'string' && /^-?\d+$/.test(ts)) ts = Number(ts); // Jackson coerces numeric strings
  if (ts !== undefined && ts !== null && !(typeof ts === 'number' && Number.isInteger(ts))) {
    throw badRequest(`Cannot deserialize value of type long from ${JSON.stringify(ts)}`);
  }
  const loc = p['metadata-location'];
  if (loc !== undefined && loc !== null && typeof loc !== 'string') {
    throw badRequest(`Cannot deserialize value of type String from ${JSON.stringify(loc)}`);
  }
  return {
    type,
    payload: {
      timestamp: typeof ts === 'number' ? ts : undefined,
      metadataLocation: typeof loc === 'string' ? loc : undefined,
    },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
