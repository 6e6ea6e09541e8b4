import { z } from 'zod';
import type { HmsTable } from '../catalog-records.js';
import { UnparseableMessage } from './decode-message.js';

/**
 * A Table serialized with Thrift's TJSONProtocol, as the metastore puts it in notification messages
 * (`tableObjJson`, `tableObjAfterJson`): keyed by field id, each value wrapped by its type —
 * tableName `{"1":{"str":…}}`, dbName `"2"`, sd.location `"7".rec."2"`, parameters
 * `{"9":{"map":["str","str",<count>,{…}]}}`, tableType `"12"`, catName `"17"`. Other fields are
 * ignored, so every Hive version's tables read the same.
 */
const tjsonString = z.object({ str: z.string() });

const tjsonTable = z.object({
  '1': tjsonString,
  '2': tjsonString,
  '7': z.object({ rec: z.object({ '2': tjsonString.optional() }) }).optional(),
  '9': z.object({ map: z.tuple([z.string(), z.string(), z.number(), z.record(z.string(), z.string())]) }).optional(),
  '12': tjsonString.optional(),
  '17': tjsonString.optional(),
});

const FIELD_NAMES: Record<string, string> = { '1': 'tableName', '2': 'dbName', '7': 'sd', '9': 'parameters', '12': 'tableType', '17': 'catName' };

/** Throws UnparseableMessage saying which field is wrong. */
export function parseTjsonTable(text: string, what: string): HmsTable {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UnparseableMessage(`${what} is not valid JSON (${(error as Error).message})`);
  }
  const parsed = tjsonTable.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path[0] === undefined ? '' : ` field ${String(issue.path[0])} (${FIELD_NAMES[String(issue.path[0])] ?? '?'})`;
    throw new UnparseableMessage(`${what} is not a Thrift TJSON Table:${field} ${issue.message}`);
  }
  const t = parsed.data;
  return {
    tableName: t['1'].str,
    dbName: t['2'].str,
    location: t['7']?.rec['2']?.str,
    parameters: new Map(Object.entries(t['9']?.map[3] ?? {})),
    tableType: t['12']?.str,
    catName: t['17']?.str,
  };
}
