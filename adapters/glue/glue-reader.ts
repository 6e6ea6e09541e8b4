import {
  GetDatabaseCommand,
  GetTableCommand,
  GetTablesCommand,
  paginateGetDatabases,
  type Database,
  type GlueClient,
  type Table,
} from '@aws-sdk/client-glue';
import type { Logger } from '../../src/telemetry/logger.js';
import { MirrorError } from '../../src/util/errors.js';
import { callSignal } from './call-signal.js';
import { isEntityNotFound, sourceError } from './glue-errors.js';
import { readAhead } from './read-ahead-pages.js';

/** Glue's cap on GetTables/GetDatabases page sizes; the paginators follow NextToken whatever comes back. */
const PAGE_SIZE = 100;

export interface TablePage {
  /** When the request for this page was sent (at the latest): the order of its observations. */
  readonly startedAt: number;
  readonly tables: readonly Table[];
}

export type TableRead = { readonly startedAt: number } & ({ readonly found: true; readonly table: Table } | { readonly found: false });

/**
 * The Glue calls the source makes, each turning AWS errors into MirrorErrors with hints. "Not found"
 * is reported as a value only where it is a definite answer about the thing asked for.
 */
export class GlueCatalogReader {
  constructor(
    private readonly client: GlueClient,
    private readonly catalogId: string | undefined,
    private readonly logger: Logger,
  ) {}

  /** Errors name the catalog when it is not the caller's default one. */
  private get inCatalog(): string {
    return this.catalogId === undefined ? '' : ` in catalog ${this.catalogId}`;
  }

  /**
   * Every database to scan, all pages read before any table is listed (so a long table listing cannot
   * outlive a database page token). Database resource links and federated databases are left out:
   * their tables belong to another database or system, which is where they are mirrored from.
   */
  async databases(signal: AbortSignal): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const page of paginateGetDatabases({ client: this.client, pageSize: PAGE_SIZE }, { CatalogId: this.catalogId }, { abortSignal: callSignal(signal) })) {
        for (const database of page.DatabaseList ?? []) {
          if (isForeign(database)) this.logger.debug({ database: database.Name }, 'skipping a database resource link or federated database');
          else if (database.Name) names.push(database.Name);
        }
      }
    } catch (error) {
      throw sourceError(error, `Glue GetDatabases${this.inCatalog}`);
    }
    return names;
  }

  /**
   * The tables of a database, page by page, the next page read while the caller works on this one
   * (see readAhead). A database deleted meanwhile simply has no tables.
   */
  async *tablePages(database: string, signal: AbortSignal): AsyncGenerator<TablePage> {
    const page = async (token: string | undefined) => {
      // Taken just before the request is sent: a lower bound of when the page was read.
      const startedAt = Date.now();
      const input = { CatalogId: this.catalogId, DatabaseName: database, MaxResults: PAGE_SIZE, NextToken: token };
      const output = await this.client.send(new GetTablesCommand(input), { abortSignal: callSignal(signal) });
      return { page: { startedAt, tables: output.TableList ?? [] }, nextToken: output.NextToken };
    };
    try {
      yield* readAhead(page);
    } catch (error) {
      // Its absent tables become drop candidates that are each confirmed with GetTable before a DROP.
      if (isEntityNotFound(error)) return;
      throw sourceError(error, `Glue GetTables of database ${database}${this.inCatalog}`);
    }
  }

  async table(database: string, name: string, signal?: AbortSignal): Promise<TableRead> {
    const startedAt = Date.now();
    try {
      const { Table: table } = await this.client.send(new GetTableCommand({ CatalogId: this.catalogId, DatabaseName: database, Name: name }), { abortSignal: callSignal(signal) });
      if (!table) throw new MirrorError(`Glue GetTable of ${database}.${name} answered without a table`, { retryable: true });
      return { startedAt, found: true, table };
    } catch (error) {
      if (isEntityNotFound(error)) return { startedAt, found: false };
      throw sourceError(error, `Glue GetTable of ${database}.${name}${this.inCatalog}`);
    }
  }

  async databaseExists(database: string, signal?: AbortSignal): Promise<{ startedAt: number; exists: boolean }> {
    const startedAt = Date.now();
    try {
      await this.client.send(new GetDatabaseCommand({ CatalogId: this.catalogId, Name: database }), { abortSignal: callSignal(signal) });
      return { startedAt, exists: true };
    } catch (error) {
      if (isEntityNotFound(error)) return { startedAt, exists: false };
      throw sourceError(error, `Glue GetDatabase of ${database}${this.inCatalog}`);
    }
  }
}

function isForeign(database: Database): boolean {
  return database.TargetDatabase !== undefined || database.FederatedDatabase !== undefined;
}
