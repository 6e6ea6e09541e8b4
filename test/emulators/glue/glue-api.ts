// The Glue operations the connector calls (awsJson1_1, target "AWSGlue.<Operation>"): GetCatalogs,
// GetDatabases, GetDatabase, GetTables and GetTable, with Glue's paging (opaque NextToken, at most 100
// per page, 1000 for catalogs), its input checks and its error types. Every call names its catalog
// (CatalogId, default: the caller's account), reached only by a caller of the catalog's account.
import { AwsError, accessDenied, invalidInput, notFound } from './aws-errors.js';
import type { GlueCatalog } from './catalog.js';
import type { GlueCatalogs } from './catalogs.js';
import type { GlueFaultPlan } from './glue-faults.js';
import type { Caller } from './sts.js';
import { ACCOUNT_ID } from './types.js';

export interface GlueApiDeps {
  catalogs: GlueCatalogs;
  faults: GlueFaultPlan;
  /** Page size when MaxResults is absent, and the cap (Glue: 100). Tests lower it to page small sets. */
  maxPageSize: number;
}

type Input = Record<string, unknown>;

export function handleGlue(deps: GlueApiDeps, operation: string, input: Input, caller: Caller): unknown {
  if (operation === 'GetCatalogs') return getCatalogs(deps, input, caller);
  const { id, catalog } = catalogOf(deps, input['CatalogId'], caller);
  // Fault subjects: "db" and "db.table" in the emulator's own default catalog, "<catalog id>/db" and
  // "<catalog id>/db.table" in any other; "catalog:<id>" denies or fails every call on a catalog.
  const subject = (name: string): string => (id === ACCOUNT_ID ? name : `${id}/${name}`);
  switch (operation) {
    case 'GetDatabases': {
      deps.faults.check(operation, [`catalog:${id}`]);
      const after = decodeToken(input['NextToken']);
      const names = catalog.databaseNames().filter((n) => after === undefined || n > after);
      const page = names.slice(0, pageSize(deps, input));
      return {
        DatabaseList: page.map((n) => catalog.databaseWire(n)),
        ...(names.length > page.length ? { NextToken: encodeToken(page[page.length - 1]!) } : {}),
      };
    }
    case 'GetDatabase': {
      const name = required(input, 'Name');
      deps.faults.check(operation, [`catalog:${id}`, subject(name)]);
      return { Database: catalog.databaseWire(name) };
    }
    case 'GetTables': {
      const database = required(input, 'DatabaseName');
      deps.faults.check(operation, [`catalog:${id}`, subject(database)]);
      const { tables, more } = catalog.tablesAfter(database, decodeToken(input['NextToken']), pageSize(deps, input));
      // Lake Formation leaves out tables the caller may not describe (the page is then shorter).
      const visible = tables.filter((t) => !deps.faults.isDenied(subject(`${database}.${String(t['Name'])}`)));
      return { TableList: visible, ...(more ? { NextToken: encodeToken(String(tables[tables.length - 1]!['Name'])) } : {}) };
    }
    case 'GetTable': {
      const database = required(input, 'DatabaseName');
      const name = required(input, 'Name');
      deps.faults.check(operation, [`catalog:${id}`, subject(database), subject(`${database}.${name}`)]);
      return { Table: catalog.tableWire(database, name) };
    }
    default:
      throw new AwsError('UnknownOperationException', `The emulator does not implement ${operation}`);
  }
}

function pageSize(deps: GlueApiDeps, input: Input): number {
  const max = input['MaxResults'];
  if (max === undefined) return deps.maxPageSize;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 100) {
    throw invalidInput('1 validation error detected: Value at \'maxResults\' failed to satisfy constraint: Member must have value less than or equal to 100');
  }
  return Math.min(max, deps.maxPageSize);
}

function required(input: Input, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value === '') throw invalidInput(`${key} is required`);
  return value;
}

/**
 * The catalog a call names. Another account's catalog is denied (it is not shared with the caller:
 * assume a role in that account); a catalog of the caller's account that does not exist is not found.
 */
function catalogOf(deps: GlueApiDeps, catalogId: unknown, caller: Caller): { id: string; catalog: GlueCatalog } {
  const id = deps.catalogs.resolveId(catalogId, caller.account);
  const account = id.split(':')[0];
  if (account !== caller.account) throw accessDenied(`catalog ${id}`);
  const entry = deps.catalogs.lookup(id);
  if (!entry) throw notFound(`Catalog ${id}`);
  return { id, catalog: entry.catalog };
}

/** GetCatalogs: ParentCatalogId (default: the caller's root), Recursive, IncludeRoot, HasDatabases, paging. */
function getCatalogs(deps: GlueApiDeps, input: Input, caller: Caller): unknown {
  const parent = catalogOf(deps, input['ParentCatalogId'], caller).id;
  deps.faults.check('GetCatalogs', [`catalog:${parent}`]);
  if (input['IncludeRoot'] !== undefined && parent.includes(':')) {
    throw invalidInput('IncludeRoot can only be passed when ParentCatalogId is null or the account id');
  }
  const max = input['MaxResults'] ?? 1000;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 1000) {
    throw invalidInput("1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000");
  }
  const after = decodeToken(input['NextToken']);
  const all = deps.catalogs
    .list(parent, { recursive: input['Recursive'] === true, includeRoot: input['IncludeRoot'] === true, hasDatabases: input['HasDatabases'] === true })
    .filter((meta) => after === undefined || meta.id > after);
  const page = all.slice(0, Math.min(max, deps.maxPageSize));
  return {
    CatalogList: page.map((meta) => deps.catalogs.wire(meta)),
    ...(all.length > page.length ? { NextToken: encodeToken(page[page.length - 1]!.id) } : {}),
  };
}

// Glue's tokens are opaque; here they carry the last name served, so paging stays consistent while
// tables come and go (a table created behind the cursor is missed by this scan, as in real life).
function encodeToken(after: string): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64url');
}

function decodeToken(token: unknown): string | undefined {
  if (token === undefined || token === null) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw invalidInput('Invalid NextToken');
}
