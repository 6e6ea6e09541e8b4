// The Glue operations the connector calls (awsJson1_1, target "AWSGlue.<Operation>"): GetDatabases,
// GetDatabase, GetTables and GetTable, with Glue's paging (opaque NextToken, at most 100 per page),
// its input checks and its error types.
import { AwsError, accessDenied, invalidInput } from './aws-errors.js';
import type { GlueCatalog } from './catalog.js';
import type { GlueFaultPlan } from './glue-faults.js';
import { ACCOUNT_ID } from './types.js';

export interface GlueApiDeps {
  catalog: GlueCatalog;
  faults: GlueFaultPlan;
  /** Page size when MaxResults is absent, and the cap (Glue: 100). Tests lower it to page small sets. */
  maxPageSize: number;
}

type Input = Record<string, unknown>;

export function handleGlue(deps: GlueApiDeps, operation: string, input: Input): unknown {
  checkCatalogId(input);
  switch (operation) {
    case 'GetDatabases': {
      deps.faults.check(operation, []);
      const after = decodeToken(input['NextToken']);
      const names = deps.catalog.databaseNames().filter((n) => after === undefined || n > after);
      const page = names.slice(0, pageSize(deps, input));
      return {
        DatabaseList: page.map((n) => deps.catalog.databaseWire(n)),
        ...(names.length > page.length ? { NextToken: encodeToken(page[page.length - 1]!) } : {}),
      };
    }
    case 'GetDatabase': {
      const name = required(input, 'Name');
      deps.faults.check(operation, [name]);
      return { Database: deps.catalog.databaseWire(name) };
    }
    case 'GetTables': {
      const database = required(input, 'DatabaseName');
      deps.faults.check(operation, [database]);
      const { tables, more } = deps.catalog.tablesAfter(database, decodeToken(input['NextToken']), pageSize(deps, input));
      // Lake Formation leaves out tables the caller may not describe (the page is then shorter).
      const visible = tables.filter((t) => !deps.faults.isDenied(`${database}.${String(t['Name'])}`));
      return { TableList: visible, ...(more ? { NextToken: encodeToken(String(tables[tables.length - 1]!['Name'])) } : {}) };
    }
    case 'GetTable': {
      const database = required(input, 'DatabaseName');
      const name = required(input, 'Name');
      deps.faults.check(operation, [database, `${database}.${name}`]);
      return { Table: deps.catalog.tableWire(database, name) };
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

/** Cross-account catalogs are not shared with the emulator's caller. */
function checkCatalogId(input: Input): void {
  const id = input['CatalogId'];
  if (id !== undefined && id !== ACCOUNT_ID) throw accessDenied(`catalog ${String(id)}`);
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
