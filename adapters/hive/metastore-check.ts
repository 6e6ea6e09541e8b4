import type { SourceCheck } from '../../src/model/source-adapter.js';
import type { TableFilter } from '../../src/normalizer/glob.js';
import { MirrorError, messageOf } from '../../src/util/errors.js';
import { classifyTable } from '../hive-log/iceberg-table.js';
import type { HmsClient } from './metastore/hms-client.js';
import type { HmsAddress } from './metastore/hms-uri.js';
import { HmsException } from './metastore/results.js';

/** Databases searched for sample tables to VALIDATE (a check must stay quick on big metastores). */
const SAMPLE_DATABASES = 3;
const SAMPLE_TABLES_PER_DATABASE = 20;

/**
 * `polaris-mirror check` for a metastore: every address must answer the notification API (the
 * capture needs it) and list databases; up to three Iceberg tables are returned for a VALIDATE. A
 * login, authentication or TLS failure fails the check with its own message and hint.
 */
export async function checkMetastores(addresses: readonly HmsAddress[], clientFor: (address: HmsAddress) => HmsClient, filter: TableFilter, security: string): Promise<SourceCheck> {
  const details: string[] = [];
  const samples: string[] = [];
  let hint: string | undefined;
  let ok = true;
  for (const address of addresses) {
    const client = clientFor(address);
    try {
      const eventId = await client.currentNotificationEventId();
      const databases = await client.allDatabases();
      details.push(`${address.uri}: notification log at event ${eventId}, ${databases.length} database(s) (${security})`);
      if (samples.length === 0) samples.push(...(await sampleLocations(client, databases, filter)));
    } catch (error) {
      ok = false;
      details.push(`${address.uri}: ${messageOf(error)}`);
      hint ??= hintFor(error);
    } finally {
      client.close();
    }
  }
  return { ok, detail: details.join('; '), hint, sampleLocations: samples };
}

async function sampleLocations(client: HmsClient, databases: readonly string[], filter: TableFilter): Promise<string[]> {
  const locations: string[] = [];
  for (const db of [...databases].sort().slice(0, SAMPLE_DATABASES)) {
    const names = (await client.allTables(db)).filter((name) => filter.acceptsTable({ namespace: [db], name })).slice(0, SAMPLE_TABLES_PER_DATABASE);
    if (names.length === 0) continue;
    for (const table of await client.tablesByName(db, names)) {
      const kind = classifyTable(table);
      if (kind.kind === 'iceberg') {
        locations.push(kind.metadataLocation);
        break;
      }
    }
  }
  return locations;
}

function hintFor(error: unknown): string {
  if (error instanceof MirrorError && error.hint) return error.hint;
  if (error instanceof HmsException) return 'the metastore refused the call: check the permissions of the connector\'s user';
  return 'check that the metastore is running, reachable on its Thrift port, and that transport (buffered/framed) matches its configuration';
}
