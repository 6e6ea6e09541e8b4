import type { HmsTable } from '../catalog-records.js';
import { UnparseableMessage } from './decode-message.js';
import type { RecentTjsonTables } from './recent-tjson-tables.js';

/**
 * A Table serialized with Thrift's TJSONProtocol, as the metastore puts it in notification messages
 * (`tableObjJson`, `tableObjAfterJson`): keyed by field id, each value wrapped by its type —
 * tableName `{"1":{"str":…}}`, dbName `"2"`, sd.location `"7".rec."2"`, parameters
 * `{"9":{"map":["str","str",<count>,{…}]}}`, tableType `"12"`, catName `"17"`. Other fields are
 * ignored, so every Hive version's tables read the same.
 *
 * Checked by hand rather than with a schema library: this runs for every event of the log, and the
 * generic validator cost as much as a third of the JSON parsing itself.
 */
const FIELD_NAMES: Record<string, string> = { '1': 'tableName', '2': 'dbName', '7': 'sd', '9': 'parameters', '12': 'tableType', '17': 'catName' };

/** A field that is not what the TJSON Table says it is; the message says what it should be. */
class FieldProblem extends Error {}

/**
 * Throws UnparseableMessage saying which field is wrong. With `recent`, a table that differs from a
 * remembered one only in its parameters is read from it (the same result, see RecentTjsonTables).
 */
export function parseTjsonTable(text: string, what: string, recent?: RecentTjsonTables): HmsTable {
  const remembered = recent?.lookup(text, parameterMap);
  if (remembered) return remembered;
  const table = parseWhole(text, what);
  recent?.remember(text, table);
  return table;
}

function parseWhole(text: string, what: string): HmsTable {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UnparseableMessage(`${what} is not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(json)) throw new UnparseableMessage(`${what} is not a Thrift TJSON Table: expected an object`);
  const field = <T>(id: string, read: (value: unknown) => T): T => {
    try {
      return read(json[id]);
    } catch (error) {
      if (!(error instanceof FieldProblem)) throw error;
      throw new UnparseableMessage(`${what} is not a Thrift TJSON Table: field ${id} (${FIELD_NAMES[id]}) ${error.message}`);
    }
  };
  return {
    tableName: field('1', requiredString),
    dbName: field('2', requiredString),
    location: field('7', storageLocation),
    parameters: field('9', parameterMap),
    tableType: field('12', optionalString),
    catName: field('17', optionalString),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{"str": …}` */
function requiredString(value: unknown): string {
  if (!isRecord(value) || typeof value.str !== 'string') throw new FieldProblem('expected {"str": <string>}');
  return value.str;
}

function optionalString(value: unknown): string | undefined {
  return value === undefined ? undefined : requiredString(value);
}

/** sd `{"rec": {"2": {"str": location}, …}}` */
function storageLocation(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value) || !isRecord(value.rec)) throw new FieldProblem('expected {"rec": {…}}');
  return optionalString(value.rec['2']);
}

/** `{"map": ["str", "str", <count>, {key: value, …}]}`, string values only. */
function parameterMap(value: unknown): Map<string, string> {
  if (value === undefined) return new Map();
  const map = isRecord(value) ? value.map : undefined;
  if (!Array.isArray(map) || map.length !== 4 || typeof map[0] !== 'string' || typeof map[1] !== 'string' || typeof map[2] !== 'number' || !isRecord(map[3])) {
    throw new FieldProblem('expected {"map": [<key type>, <value type>, <count>, {…}]}');
  }
  const parameters = new Map<string, string>();
  for (const key in map[3]) {
    const v = map[3][key];
    if (typeof v !== 'string') throw new FieldProblem(`expected string values (${JSON.stringify(key)} is not)`);
    parameters.set(key, v);
  }
  return parameters;
}
