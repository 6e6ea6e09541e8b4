// Thrift TJSONProtocol encoding of a metastore Table, as Hive's MessageBuilder.createTableObjJson writes
// it into notification messages: objects keyed by field id, each value wrapped by its type name
// ("str", "i32", "i64", "tf", "rec", "lst", "map"). Written by hand (thrift's node TJSONProtocol writer
// needs a message envelope) and kept independent of the connector's reader.
import type { EmulatedTable, HiveVersion } from './types.js';

const str = (value: string) => ({ str: value });
const i32 = (value: number) => ({ i32: value });
const tf = (value: boolean) => ({ tf: value ? 1 : 0 });
const map = (values: Readonly<Record<string, string>>) => ({ map: ['str', 'str', Object.keys(values).length, { ...values }] });

export function tableToTjson(table: EmulatedTable, version: HiveVersion, parameters: Readonly<Record<string, string>> = table.parameters): string {
  const object: Record<string, unknown> = {
    1: str(table.tableName),
    2: str(table.dbName),
    3: str(table.owner),
    4: i32(table.createTime),
    5: i32(0),
    6: i32(0),
    7: {
      rec: {
        1: { lst: ['rec', 2, { 1: str('id'), 2: str('bigint') }, { 1: str('data'), 2: str('string') }] },
        2: str(table.location),
        3: str('org.apache.iceberg.mr.hive.HiveIcebergInputFormat'),
        4: str('org.apache.iceberg.mr.hive.HiveIcebergOutputFormat'),
        5: tf(false),
        6: i32(0),
        7: { rec: { 2: str('org.apache.iceberg.mr.hive.HiveIcebergSerDe'), 3: map({ 'serialization.format': '1' }) } },
        8: { lst: ['str', 0] },
        9: { lst: ['rec', 0] },
        10: map({}),
        11: { rec: { 1: { lst: ['str', 0] }, 2: { lst: ['lst', 0] }, 3: { map: ['lst', 'str', 0, {}] } } },
        12: tf(false),
      },
    },
    8: { lst: ['rec', 0] },
    9: map(parameters),
    12: str(table.tableType),
    14: tf(false),
    15: tf(false),
  };
  if (version !== '2.3') {
    object[17] = str(table.catName);
    object[18] = i32(1);
  }
  if (version === '4') {
    object[19] = { i64: 0 };
    object[25] = { i64: Number(table.id) };
  }
  return JSON.stringify(object);
}
