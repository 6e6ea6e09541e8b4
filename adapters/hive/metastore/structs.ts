import type { TProtocol } from 'thrift';
import { readI64, writeI64 } from '../thrift/i64.js';
import { readStringMap, readStruct, readStructList, writeStringField } from '../thrift/struct-reader.js';
import { TType } from '../thrift/wire-types.js';

/**
 * The metastore structs this source reads and writes, by Thrift field id (hive_metastore.thrift).
 * Only the fields the mirror needs are decoded; everything else is skipped, so Hive 2.3, 3 and 4
 * (which add fields and, in places, change them) all read the same way.
 */

export type { HmsTable, NotificationEvent } from '../../hive-log/catalog-records.js';
import type { HmsTable, NotificationEvent } from '../../hive-log/catalog-records.js';
import { MessagePool } from './message-pool.js';

export function readTable(protocol: TProtocol): HmsTable {
  let tableName = '';
  let dbName = '';
  let tableType: string | undefined;
  let location: string | undefined;
  let parameters: ReadonlyMap<string, string> = new Map();
  let catName: string | undefined;
  readStruct(protocol, (id, type) => {
    if (type === TType.STRING) {
      if (id === 1) tableName = protocol.readString();
      else if (id === 2) dbName = protocol.readString();
      else if (id === 12) tableType = protocol.readString();
      else if (id === 17) catName = protocol.readString();
      else return false;
      return true;
    }
    if (id === 7 && type === TType.STRUCT) {
      location = readStorageLocation(protocol);
      return true;
    }
    if (id === 9 && type === TType.MAP) {
      parameters = readStringMap(protocol);
      return true;
    }
    return false;
  });
  return { tableName, dbName, tableType, location, parameters, catName };
}

/** StorageDescriptor: only 2 location matters here. */
function readStorageLocation(protocol: TProtocol): string | undefined {
  let location: string | undefined;
  readStruct(protocol, (id, type) => {
    if (id !== 2 || type !== TType.STRING) return false;
    location = protocol.readString();
    return true;
  });
  return location;
}

/** A NotificationEvent as it is read: its message still a view of the reply, valid until the next reply. */
interface ReadEvent {
  readonly fields: Omit<NotificationEvent, 'message' | 'releaseMessage'>;
  readonly message: Buffer | undefined;
}

function readNotificationEvent(protocol: TProtocol): ReadEvent {
  let eventId: bigint | undefined;
  let eventTime = 0;
  let eventType = '';
  let dbName: string | undefined;
  let tableName: string | undefined;
  let message: Buffer | undefined;
  let messageFormat: string | undefined;
  let catName: string | undefined;
  readStruct(protocol, (id, type) => {
    if (id === 1 && type === TType.I64) eventId = readI64(protocol);
    else if (id === 2 && type === TType.I32) eventTime = protocol.readI32();
    else if (type !== TType.STRING) return false;
    else if (id === 3) eventType = protocol.readString();
    else if (id === 4) dbName = protocol.readString();
    else if (id === 5) tableName = protocol.readString();
    else if (id === 6) message = protocol.readBinary();
    else if (id === 7) messageFormat = protocol.readString();
    else if (id === 8) catName = protocol.readString();
    else return false;
    return true;
  });
  if (eventId === undefined) throw new Error('a NotificationEvent without eventId');
  return { fields: { eventId, eventTime, eventType, dbName, tableName, messageFormat, catName }, message };
}

/**
 * NotificationEventResponse: 1 list<NotificationEvent> events. The messages are copied out of the
 * reply into one buffer lent by `pool` (see MessagePool); `releaseMessage` on any event of the batch
 * gives it back.
 */
export function readNotificationEventResponse(protocol: TProtocol, pool: MessagePool = new MessagePool(0)): NotificationEvent[] {
  let read: ReadEvent[] = [];
  readStruct(protocol, (id, type) => {
    if (id !== 1 || type !== TType.LIST) return false;
    read = readStructList(protocol, readNotificationEvent);
    return true;
  });
  let bytes = 0;
  for (const event of read) bytes += event.message?.length ?? 0;
  // A caught-up log answers with no events, at every poll: such a reply takes nothing from the pool.
  if (bytes === 0) return read.map(({ fields }) => ({ ...fields, message: '' }));
  const lease = pool.lease(bytes);
  const releaseMessage = () => lease.release();
  const events = new Array<NotificationEvent>(read.length);
  // Each field is written out rather than spread from `fields`: one object per event, not two, on
  // the log's hottest path.
  for (let i = 0; i < read.length; i++) {
    const { fields: f, message } = read[i]!;
    const start = lease.used;
    const end = message === undefined ? start : lease.add(message);
    events[i] = {
      eventId: f.eventId,
      eventTime: f.eventTime,
      eventType: f.eventType,
      dbName: f.dbName,
      tableName: f.tableName,
      messageFormat: f.messageFormat,
      catName: f.catName,
      // The message stays as its UTF-8 bytes (outside the JS heap) and is decoded when read, as
      // readString would have. A batch of ~3 KB messages lives on while it is parsed and
      // committed and the next batch is fetched: as strings, every young-generation GC meanwhile copied
      // them and then moved them to the old generation (~13% of the daemon's CPU on the Hive events
      // benchmark). Decoded on use, each string dies once its event is interpreted, and the events
      // interpretEvent ignores by type (most of a real log: partitions, transactions) are never decoded.
      get message() {
        return lease.text(start, end);
      },
      releaseMessage,
    };
  }
  return events;
}

/** CurrentNotificationEventId: 1 i64 eventId. */
export function readCurrentEventId(protocol: TProtocol): bigint {
  let eventId: bigint | undefined;
  readStruct(protocol, (id, type) => {
    if (id !== 1 || type !== TType.I64) return false;
    eventId = readI64(protocol);
    return true;
  });
  if (eventId === undefined) throw new Error('CurrentNotificationEventId without eventId');
  return eventId;
}

/** GetTableResult: 1 Table table. */
export function readGetTableResult(protocol: TProtocol): HmsTable | undefined {
  let table: HmsTable | undefined;
  readStruct(protocol, (id, type) => {
    if (id !== 1 || type !== TType.STRUCT) return false;
    table = readTable(protocol);
    return true;
  });
  return table;
}

/** GetTablesResult: 1 list<Table> tables. */
export function readGetTablesResult(protocol: TProtocol): HmsTable[] {
  let tables: HmsTable[] = [];
  readStruct(protocol, (id, type) => {
    if (id !== 1 || type !== TType.LIST) return false;
    tables = readStructList(protocol, readTable);
    return true;
  });
  return tables;
}

// ---- requests -------------------------------------------------------------------------------------

/** NotificationEventRequest: 1 lastEvent (required), 2 maxEvents. No eventTypeSkipList: it would hide gaps. */
export function writeNotificationEventRequest(protocol: TProtocol, lastEvent: bigint, maxEvents: number): void {
  protocol.writeStructBegin('NotificationEventRequest');
  protocol.writeFieldBegin('lastEvent', TType.I64, 1);
  writeI64(protocol, lastEvent);
  protocol.writeFieldEnd();
  protocol.writeFieldBegin('maxEvents', TType.I32, 2);
  protocol.writeI32(maxEvents);
  protocol.writeFieldEnd();
  protocol.writeFieldStop();
  protocol.writeStructEnd();
}

/** GetTableRequest: 1 dbName, 2 tblName, 4 catName. */
export function writeGetTableRequest(protocol: TProtocol, dbName: string, tableName: string, catName: string | undefined): void {
  protocol.writeStructBegin('GetTableRequest');
  writeStringField(protocol, 1, dbName);
  writeStringField(protocol, 2, tableName);
  writeStringField(protocol, 4, catName);
  protocol.writeFieldStop();
  protocol.writeStructEnd();
}

/** GetTablesRequest: 1 dbName, 2 list<string> tblNames, 4 catName. */
export function writeGetTablesRequest(protocol: TProtocol, dbName: string, tableNames: readonly string[], catName: string | undefined): void {
  protocol.writeStructBegin('GetTablesRequest');
  writeStringField(protocol, 1, dbName);
  protocol.writeFieldBegin('tblNames', TType.LIST, 2);
  protocol.writeListBegin(TType.STRING, tableNames.length);
  for (const name of tableNames) protocol.writeString(name);
  protocol.writeListEnd();
  protocol.writeFieldEnd();
  writeStringField(protocol, 4, catName);
  protocol.writeFieldStop();
  protocol.writeStructEnd();
}
