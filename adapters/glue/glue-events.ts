import { z } from 'zod';

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
  | { readonly ok: true; readonly eventId: string; readonly change: GlueChange }
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
  return event['detail-type'] === DATABASE_CHANGE ? databaseChange(event.id, event.detail, event.resources) : tableChange(event.id, event.detail);
}

function databaseChange(eventId: string, rawDetail: unknown, resources: readonly string[]): ParsedMessage {
  const parsed = databaseDetailSchema.safeParse(rawDetail);
  if (!parsed.success) return { ok: false, reason: `a Database State Change without ${issues(parsed.error)}` };
  const { databaseName: database, typeOfChange } = parsed.data;
  if (typeOfChange === 'DeleteDatabase') return { ok: true, eventId, change: { kind: 'database-deleted', database } };
  if (typeOfChange === 'CreateDatabase') return { ok: true, eventId, change: { kind: 'ignored', database, typeOfChange } };
  // CreateTable, DeleteTable, BatchDeleteTable, and any kind added later that names tables: read them.
  const tables = parsed.data.changedTables ?? tablesFromArns(resources, database);
  if (tables.length === 0) {
    if (typeOfChange.endsWith('Table')) return { ok: false, reason: `a ${typeOfChange} event that names no table (no changedTables, no table ARN)` };
    return { ok: true, eventId, change: { kind: 'ignored', database, typeOfChange } };
  }
  return { ok: true, eventId, change: { kind: 'tables', database, tables: [...new Set(tables)], typeOfChange } };
}

function tableChange(eventId: string, rawDetail: unknown): ParsedMessage {
  const parsed = tableDetailSchema.safeParse(rawDetail);
  if (!parsed.success) return { ok: false, reason: `a Table State Change without ${issues(parsed.error)}` };
  const { databaseName: database, tableName, typeOfChange } = parsed.data;
  // Partition changes (CreatePartition, BatchUpdatePartition, …) leave an Iceberg table's metadata alone.
  if (/partition/i.test(typeOfChange)) return { ok: true, eventId, change: { kind: 'ignored', database, typeOfChange } };
  return { ok: true, eventId, change: { kind: 'tables', database, tables: [tableName], typeOfChange } };
}

/** arn:aws:glue:<region>:<account>:table/<database>/<table> → table names of that database. */
function tablesFromArns(resources: readonly string[], database: string): string[] {
  const prefix = `table/${database}/`;
  return resources
    .map((arn) => arn.split(':').slice(5).join(':'))
    .filter((resource) => resource.startsWith(prefix) && resource.length > prefix.length)
    .map((resource) => resource.slice(prefix.length));
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')} (${i.message})` : i.message)).join(', ');
}
