import type { GlueClient } from '@aws-sdk/client-glue';
import type { SourceTable } from '../../src/model/table.js';
import type { Logger } from '../../src/telemetry/logger.js';
import { MirrorError } from '../../src/util/errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { derivedLevel, formatCatalogId, parseCatalogId, sameCatalog, type CatalogRef } from './catalog-ids.js';
import { discoverCatalogs } from './catalog-discovery.js';
import { levelClash, type GlueSourceConfig } from './config.js';
import { GlueCatalogReader } from './glue-reader.js';

/** A Glue catalog the source mirrors, with its reader and the namespace level its databases go under. */
export interface MirroredCatalog {
  readonly ref: CatalogRef;
  /** The CatalogId sent to Glue; undefined for the caller's default catalog. */
  readonly id: string | undefined;
  /** The first namespace level of its tables; undefined when its databases are at the top. */
  readonly level: string | undefined;
  readonly reader: GlueCatalogReader;
  /** How operators see it in messages. */
  readonly label: string;
}

/** A table located in its Glue catalog and database. */
export interface GlueLocation {
  readonly catalog: MirroredCatalog;
  readonly database: string;
}

/**
 * The catalogs a Glue source mirrors and how their tables are named. One catalog (the default, or
 * `catalogId`, or a single entry of `catalogs`): a table is [database] + name, as it always was.
 * Several (or discoverCatalogs): [catalog level, database] + name, the level being the mapping in
 * catalogNamespaces or derived from the id (catalog-ids.ts); a catalog mapped to "" keeps its databases
 * at the top. Levels are checked distinct, so every name leads back to one catalog.
 */
/** An event of an unknown catalog triggers GetCatalogs at most this often (a bucket created since the last scan). */
const REDISCOVER_MS = 10_000;

export class CatalogSet {
  private catalogs: MirroredCatalog[] = [];
  private discovered = false;
  private discoveredAt = 0;
  /** The GetCatalogs pass in flight: concurrent callers share it. */
  private discovering: Promise<void> | undefined;

  constructor(
    private readonly config: GlueSourceConfig,
    private readonly glue: GlueClient,
    private readonly logger: Logger,
  ) {
    if (!config.discoverCatalogs) {
      const ids = config.catalogs ?? [config.catalogId];
      const prefixed = ids.length > 1;
      this.catalogs = ids.map((id) => this.mirrored(id === undefined ? { account: undefined, path: '' } : parseCatalogId(id), id, prefixed));
    }
  }

  get discovers(): boolean {
    return this.config.discoverCatalogs;
  }

  /** The catalogs to scan now: with discovery, GetCatalogs again (catalogs come and go). */
  async forScan(signal: AbortSignal): Promise<readonly MirroredCatalog[]> {
    if (this.config.discoverCatalogs) await this.discover(signal);
    return this.catalogs;
  }

  /** The catalogs as last known; with discovery, found once if never yet. */
  async known(signal: AbortSignal): Promise<readonly MirroredCatalog[]> {
    if (this.config.discoverCatalogs && !this.discovered) await this.discover(signal);
    return this.catalogs;
  }

  /** The name a table of `catalog` gets in the mirror. */
  static tableName(catalog: MirroredCatalog, database: string, name: string): SourceTable {
    return { namespace: catalog.level === undefined ? [database] : [catalog.level, database], name };
  }

  /** Where a mirrored table lives in Glue: its catalog and database, from its name. */
  async locate(table: SourceTable, signal: AbortSignal): Promise<GlueLocation> {
    const catalogs = await this.known(signal);
    const [first, second] = table.namespace;
    const found =
      table.namespace.length === 2 ? catalogs.find((c) => c.level === first) : table.namespace.length === 1 ? catalogs.find((c) => c.level === undefined) : undefined;
    if (!found) {
      const names = table.namespace.join('.');
      const shape = catalogs.every((c) => c.level === undefined) ? 'database.table' : 'catalog.database.table';
      throw new MirrorError(`${names}.${table.name} is not a table of this Glue source's catalogs (a name here is ${shape})`, {
        retryable: false,
        hint: table.namespace.length === 2 ? `no mirrored catalog has the namespace level "${first}": it may have been removed from catalogs or catalogNamespaces` : 'this row did not come from this Glue source',
      });
    }
    return { catalog: found, database: (table.namespace.length === 2 ? second : first)! };
  }

  /**
   * The mirrored catalog an event's catalog is, if any. With discovery, a catalog not known yet may
   * have been created since the last scan: GetCatalogs again before saying no — after waiting out
   * REDISCOVER_MS since the last one, so a burst of such events costs one call, not one each.
   */
  async route(seen: CatalogRef, signal: AbortSignal): Promise<MirroredCatalog | undefined> {
    const match = (): MirroredCatalog | undefined => {
      const matches = this.catalogs.filter((c) => sameCatalog(c.ref, seen));
      // An exact account beats a catalog written without one.
      return matches.find((c) => c.ref.account !== undefined && c.ref.account === seen.account) ?? matches[0];
    };
    await this.known(signal);
    const found = match();
    if (found || !this.config.discoverCatalogs) return found;
    const asked = Date.now();
    await delay(this.discoveredAt + REDISCOVER_MS - asked, signal);
    // Listed again meanwhile (by another event or a scan) after this event was seen: that answer will do.
    if (this.discoveredAt < asked) await this.discover(signal);
    return match();
  }

  private discover(signal: AbortSignal): Promise<void> {
    this.discovering ??= this.discoverNow(signal).finally(() => (this.discovering = undefined));
    return this.discovering;
  }

  private async discoverNow(signal: AbortSignal): Promise<void> {
    const refs = await discoverCatalogs(this.glue, signal);
    // IncludeRoot always lists the default catalog: none at all is an odd answer, not "everything is gone".
    if (refs.length === 0) {
      throw new MirrorError('Glue GetCatalogs (discoverCatalogs) found no catalog, not even the default one', {
        retryable: true,
        hint: 'check the region and the account (roleArn); nothing is dropped while this lasts',
      });
    }
    const next = refs.map((ref) => this.catalogs.find((c) => c.ref.account === ref.account && c.ref.path === ref.path) ?? this.mirrored(ref, formatCatalogId(ref), true));
    const clash = levelClash(next.map((c) => ({ id: c.label, level: c.level ?? '' })));
    if (clash) throw new MirrorError(`the Glue catalogs found by discoverCatalogs cannot be named apart: ${clash}`, { retryable: false, hint: 'map them in catalogNamespaces' });
    const added = next.filter((c) => !this.catalogs.includes(c)).map((c) => c.label);
    if (added.length > 0) this.logger.info({ catalogs: added }, `discovered ${added.length} Glue catalog(s) to mirror`);
    this.catalogs = next;
    this.discovered = true;
    this.discoveredAt = Date.now();
  }

  private mirrored(ref: CatalogRef, id: string | undefined, prefixed: boolean): MirroredCatalog {
    const mapped = id === undefined ? undefined : (this.config.catalogNamespaces[id] ?? (ref.path === '' ? undefined : this.config.catalogNamespaces[ref.path]));
    const level = mapped !== undefined ? mapped || undefined : prefixed ? derivedLevel(ref) : undefined;
    return { ref, id, level, reader: new GlueCatalogReader(this.glue, id, this.logger), label: id === undefined ? "the account's default catalog" : id };
  }
}

/** Waits `ms` (nothing when ≤ 0); an abort ends the wait with the abort's error. */
async function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await sleep(ms, undefined, { signal });
}
