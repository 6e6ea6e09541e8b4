import type { SourceCheck } from '../../src/model/source-adapter.js';
import type { TableFilter } from '../../src/normalizer/glob.js';
import { classifyTable } from '../hive-log/iceberg-table.js';
import type { Hs2Catalog } from './hs2-catalog.js';
import { Hs2Error } from './hs2-errors.js';

/** Databases and tables searched for sample tables to VALIDATE (a check must stay quick). */
const SAMPLE_DATABASES = 3;
const SAMPLE_TABLES_PER_DATABASE = 20;

/**
 * `polaris-mirror check` for HiveServer2: connection and authentication (a session opens), catalog
 * access (SHOW DATABASES, and a few tables' parameters for VALIDATE samples), then whether the change
 * log is readable. An unreadable log does not fail the check: the source then scans, and says so.
 */
export async function checkHiveServer2(catalog: Hs2Catalog, filter: TableFilter, options: { readonly changeLog: 'auto' | 'off'; readonly security: string; readonly address: string }, signal?: AbortSignal): Promise<SourceCheck> {
  let databases: string[];
  try {
    databases = await catalog.databases(signal);
  } catch (error) {
    const failure = error instanceof Hs2Error ? error : undefined;
    const step = failure?.kind === 'authentication' ? 'authentication' : failure?.kind === 'connection' ? 'connection' : 'catalog access';
    return { ok: false, detail: `${options.address} (${options.security}): ${step} failed: ${failure?.message ?? String(error)}`, hint: failure?.hint };
  }
  const details = [`${options.address} (${options.security}): connected and authenticated, ${databases.length} database(s) visible`];
  const samples: string[] = [];
  try {
    samples.push(...(await sampleLocations(catalog, databases, filter, signal)));
  } catch (error) {
    return { ok: false, detail: `${details[0]}; reading tables failed: ${(error as Error).message}`, hint: (error as Hs2Error).hint };
  }
  try {
    details.push(await changeLogState(catalog, options.changeLog, signal));
  } catch (error) {
    return { ok: false, detail: `${details[0]}; reading the change log failed: ${(error as Error).message}`, hint: (error as Hs2Error).hint, sampleLocations: samples };
  }
  return { ok: true, detail: details.join('; '), sampleLocations: samples };
}

/** The change-log line of `check` and `status`. */
export async function changeLogState(catalog: Hs2Catalog, changeLog: 'auto' | 'off', signal?: AbortSignal): Promise<string> {
  if (changeLog === 'off') return 'change log: off (changeLog: off), periodic scans only';
  const probe = await probeChangeLog(catalog, signal);
  return probe.readable ? `change log: sys.notification_log readable, at event ${probe.eventId}` : `change log: not available (${probe.reason}), periodic scans only`;
}

export type ChangeLogProbe = { readonly readable: true; readonly eventId: bigint } | { readonly readable: false; readonly reason: string };

/**
 * Whether sys.notification_log can be read. Not found (Hive 2, no sys database) or refused (no SELECT
 * grant) means no; a connection failure throws (it says nothing about the log).
 */
export async function probeChangeLog(catalog: Hs2Catalog, signal?: AbortSignal): Promise<ChangeLogProbe> {
  try {
    return { readable: true, eventId: await catalog.currentNotificationEventId(signal) };
  } catch (error) {
    if (!(error instanceof Hs2Error) || error.kind === 'connection' || error.kind === 'authentication') throw error;
    if (error.notFound) return { readable: false, reason: 'sys.notification_log does not exist: Hive 3+ with the sys database is needed' };
    if (error.kind === 'authorization') return { readable: false, reason: 'SELECT on sys.notification_log is not granted to this user' };
    return { readable: false, reason: error.message };
  }
}

async function sampleLocations(catalog: Hs2Catalog, databases: readonly string[], filter: TableFilter, signal?: AbortSignal): Promise<string[]> {
  const locations: string[] = [];
  for (const db of [...databases].sort().slice(0, SAMPLE_DATABASES)) {
    const names = (await catalog.tables(db, signal)).filter((name) => filter.acceptsTable({ namespace: [db], name })).slice(0, SAMPLE_TABLES_PER_DATABASE);
    for (const name of names) {
      const table = await catalog.table(db, name, signal);
      const kind = table ? classifyTable(table) : undefined;
      if (kind?.kind === 'iceberg') {
        locations.push(kind.metadataLocation);
        break;
      }
    }
  }
  return locations;
}
