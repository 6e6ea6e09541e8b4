import type { TProtocol } from 'thrift';
import { TType } from './wire-types.js';

/**
 * Reads a struct field by field. `field` is called for every field with its id and wire type and
 * returns true when it consumed the value; any other field is skipped. Skipping unknown fields (and
 * known ids with an unexpected type) is what lets one client read Hive 2.3, 3 and 4 structs, which
 * add fields over time.
 */
export function readStruct(protocol: TProtocol, field: (id: number, type: number) => boolean): void {
  protocol.readStructBegin();
  for (;;) {
    const header = protocol.readFieldBegin();
    if (header.ftype === TType.STOP) break;
    if (!field(header.fid, header.ftype)) protocol.skip(header.ftype);
    protocol.readFieldEnd();
  }
  protocol.readStructEnd();
}

/** list<string> (a set<string> is read the same way). */
export function readStringList(protocol: TProtocol): string[] {
  const list = protocol.readListBegin();
  const values: string[] = new Array(list.size);
  for (let i = 0; i < list.size; i++) {
    if (list.etype === TType.STRING) values[i] = protocol.readString();
    else protocol.skip(list.etype);
  }
  protocol.readListEnd();
  return list.etype === TType.STRING ? values : [];
}

/** list<T> of structs, each read by `item`. */
export function readStructList<T>(protocol: TProtocol, item: (protocol: TProtocol) => T): T[] {
  const list = protocol.readListBegin();
  const values: T[] = [];
  for (let i = 0; i < list.size; i++) {
    if (list.etype === TType.STRUCT) values.push(item(protocol));
    else protocol.skip(list.etype);
  }
  protocol.readListEnd();
  return values;
}

/** map<string,string> (a Map: keys are data, e.g. "__proto__" must stay a key); other types are skipped. */
export function readStringMap(protocol: TProtocol): Map<string, string> {
  const map = protocol.readMapBegin();
  const values = new Map<string, string>();
  const strings = map.ktype === TType.STRING && map.vtype === TType.STRING;
  for (let i = 0; i < map.size; i++) {
    if (strings) values.set(protocol.readString(), protocol.readString());
    else {
      protocol.skip(map.ktype);
      protocol.skip(map.vtype);
    }
  }
  protocol.readMapEnd();
  return values;
}

/** Writes a string field when the value is defined (optional fields are simply left out). */
export function writeStringField(protocol: TProtocol, id: number, value: string | undefined): void {
  if (value === undefined) return;
  protocol.writeFieldBegin('', TType.STRING, id);
  protocol.writeString(value);
  protocol.writeFieldEnd();
}
