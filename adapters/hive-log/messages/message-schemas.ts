import { z } from 'zod';

/**
 * The notification messages this source reads (Hive's JSON*Message classes; json-0.2 and json-2.0
 * share these fields). Unknown fields are ignored: versions add some (writeId, locOwner, files, …).
 */

/** CREATE_TABLE / DROP_TABLE: the table as TJSON (older metastores may leave it out of drops). */
export const tableMessageSchema = z.object({
  db: z.string().optional(),
  table: z.string().optional(),
  tableType: z.string().optional(),
  tableObjJson: z.string().optional(),
});

/** ALTER_TABLE: `db`/`table` name the table *before* the change (the event's dbName/tableName: after). */
export const alterTableMessageSchema = z.object({
  db: z.string().optional(),
  table: z.string().optional(),
  tableObjBeforeJson: z.string().optional(),
  tableObjAfterJson: z.string({ error: 'tableObjAfterJson is missing' }),
});

/** DROP_DATABASE: only the name matters (the event carries it too). */
export const dropDatabaseMessageSchema = z.object({ db: z.string().optional() });

/** The first problem zod found, as one line for the log. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}
