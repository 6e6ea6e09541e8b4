import { z } from 'zod';
import { catalogIdProblem, parseCatalogId, type CatalogRef } from './catalog-ids.js';

/**
 * Glue's EventBridge events as they arrive in SQS (the message body is the event JSON; an SNS hop
 * wraps it once more). An event is a trigger to read, never the state: it names tables, and the
 * watcher reads each with GetTable. Unknown fields are allowed (AWS adds fields); what the watcher
 * relies on is required.
 */

const DATABASE_CHANGE = 'Glue Data Catalog Database State Change';
const TABLE_CHANGE = 'Glue Data Catalog Table State Change';

const envelopeSchema = z.looseObject({
  version: z.string(),
  id: z.string().min(1),
  'detail-type': z.string(),
  source: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()).default([]),
  detail: z.looseObject({}),
});

const databaseDetailSchema = z.looseObject({
  databaseName: z.string().min(1),
  typeOfChange: z.string().min(1),
  changedTables: z.array(z.string().min(1)).optional(),
});

const tableDetailSchema = z.looseObject({
  databaseName: z.string().min(1),
  tableName: z.string().min(1),
  typeOfChange: z.string().min(1),
});

const snsSchema = z.looseObject({ Type: z.literal('Notification'), Message: z.string() });

/** What an event asks the watcher to do. */
export type GlueChange =
  /** Read these tables (created, updated, deleted, renamed: GetTable tells which). */
  | { readonly kind: 'tables'; readonly database: string; readonly tables: readonly string[]; readonly typeOfChange: string }
  /** Confirm every mirrored table of the database gone. */
  | { readonly kind: 'database-deleted'; readonly database: string }
  /** Nothing to mirror (a new empty database, partition changes). */
  | { readonly kind: 'ignored'; readonly database: string; readonly typeOfChange: string };

export type ParsedMessage =
  /** `catalog`: the Glue catalog the event is about (see eventCatalog). */
  | { readonly ok: true; readonly eventId: string; readonly catalog: CatalogRef; readonly change: GlueChange }
  | { readonly ok: false; readonly reason: string };

export function parseGlueMessage(body: string | undefined): ParsedMessage {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { ok: false, reason: 'the message body is not JSON' };
  }
  const sns = snsSchema.safeParse(json);
  if (sns.success) return parseGlueMessage(sns.data.Message);

  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, reason: `not an EventBridge event: ${issues(envelope.error)}` };
  const event = envelope.data;
  if (event.source !== 'aws.glue' || (event['detail-type'] !== DATABASE_CHANGE && event['detail-type'] !== TABLE_CHANGE)) {
    // Not ours: left to the redrive policy so whoever routed it here can see it in the dead-letter queue.
    return { ok: false, reason: `not a Glue Data Catalog state change (source "${event.source}", detail-type "${event['detail-type']}")` };
  }
  const parsed = event['detail-type'] === DATABASE_CHANGE ? databaseChange(event.detail, event.resources) : tableChange(event.detail);
  if (!parsed.ok) return parsed;
  const catalog = eventCatalog(event.account, event.detail, event.resources, parsed.change.database);
  if (!catalog) return { ok: false, reason: `detail.catalogId "${String(event.detail['catalogId'])}" is not a Glue catalog id` };
  const tables = parsed.change.kind === 'tables' ? parsed.change.tables : [];
  if (parsed.change.kind === 'tables' && tables.length === 0) {
    // Names only in the resource ARNs: those of this catalog's database.
    const named = tablesFromArns(event.resources, catalog.path, parsed.change.database);
    if (named.length === 0) {
      const { database, typeOfChange } = parsed.change;
      if (typeOfChange.endsWith('Table')) return { ok: false, reason: `a ${typeOfChange} event that names no table (no changedTables, no table ARN)` };
      return { ok: true, eventId: event.id, catalog, change: { kind: 'ignored', database, typeOfChange } };
    }
    return { ok: true, eventId: event.id, catalog, change: { ...parsed.change, tables: [...new Set(named)] } };
  }
  return { ok: true, eventId: event.id, catalog, change: parsed.change };
}

type Change = { ok: true; change: GlueChange } | { ok: false; reason: string };

function databaseChange(rawDetail: unknown, resources: readonly string[]): Change {
  const parsed = databaseDetailSchema.safeParse(rawDetail);
  if (!parsed.success) return { ok: false, reason: `a Database State Change without ${issues(parsed.error)}` };
  const { databaseName: database, typeOfChange } = parsed.data;
  if (typeOfChange === 'DeleteDatabase') return { ok: true, change: { kind: 'database-deleted', database } };
  if (typeOfChange === 'CreateDatabase') return { ok: true, change: { kind: 'ignored', database, typeOfChange } };
  // CreateTable, DeleteTable, BatchDeleteTable, and any kind added later that names tables: read them.
  const tables = parsed.data.changedTables ?? [];
  // No changedTables: the tables come from the resource ARNs once the catalog is known (an empty list here).
  if (tables.length === 0 && !typeOfChange.endsWith('Table') && !resources.some((arn) => arnResource(arn).startsWith('table/'))) {
    return { ok: true, change: { kind: 'ignored', database, typeOfChange } };
  }
  return { ok: true, change: { kind: 'tables', database, tables: [...new Set(tables)], typeOfChange } };
}

function tableChange(rawDetail: unknown): Change {
  const parsed = tableDetailSchema.safeParse(rawDetail);
  if (!parsed.success) return { ok: false, reason: `a Table State Change without ${issues(parsed.error)}` };
  const { databaseName: database, tableName, typeOfChange } = parsed.data;
  // Partition changes (CreatePartition, BatchUpdatePartition, …) leave an Iceberg table's metadata alone.
  if (/partition/i.test(typeOfChange)) return { ok: true, change: { kind: 'ignored', database, typeOfChange } };
  return { ok: true, change: { kind: 'tables', database, tables: [tableName], typeOfChange } };
}

/**
 * The catalog an event is about. The events of the account's default catalog name none (fixtures in
 * fixtures/glue-events/): their table ARNs are table/<database>/<table>. Glue's ARNs of other catalogs
 * put the catalog path first — table/s3tablescatalog/<bucket>/<database>/<table>,
 * database/s3tablescatalog/<bucket>/<database> — as in the IAM policies AWS documents for them; a
 * `detail.catalogId`, should an event carry one, is taken first. Undefined for a malformed catalogId.
 */
export function eventCatalog(account: string, detail: Record<string, unknown>, resources: readonly string[], database: string): CatalogRef | undefined {
  const given = detail['catalogId'];
  if (typeof given === 'string') {
    if (catalogIdProblem(given) !== undefined) return undefined;
    const ref = parseCatalogId(given);
    return { account: ref.account ?? account, path: ref.path };
  }
  for (const arn of resources) {
    const steps = arnResource(arn).split('/');
    const kind = steps.shift();
    // table/<path…>/<database>/<table> or database/<path…>/<database>
    const databaseAt = kind === 'table' ? steps.length - 2 : kind === 'database' ? steps.length - 1 : -1;
    if (databaseAt < 0 || steps[databaseAt] !== database) continue;
    return { account: arn.split(':')[4] || account, path: steps.slice(0, databaseAt).join('/') };
  }
  return { account, path: '' };
}

/** arn:aws:glue:<region>:<account>:<resource> → <resource>. */
function arnResource(arn: string): string {
  return arn.split(':').slice(5).join(':');
}

/** arn:aws:glue:<region>:<account>:table/[<catalog path>/]<database>/<table> → table names of that database. */
function tablesFromArns(resources: readonly string[], catalogPath: string, database: string): string[] {
  const prefix = `table/${catalogPath === '' ? '' : `${catalogPath}/`}${database}/`;
  return resources
    .map(arnResource)
    .filter((resource) => resource.startsWith(prefix) && resource.length > prefix.length)
    .map((resource) => resource.slice(prefix.length));
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')} (${i.message})` : i.message)).join(', ');
}
