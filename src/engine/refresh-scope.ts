import { pagedRows } from '../ledger/row-reads.js';
import type { MirrorRow } from '../ledger/rows.js';
import { dottedName } from '../model/table.js';
import { UsageError, type Mirror, type SourceRuntime } from './mirror.js';

/** What a refresh re-reads: a whole source, one namespace (and what is under it), or one table. */
export interface RefreshScope {
  readonly source: string;
  /** Namespace levels; empty or absent: the whole source. */
  readonly namespace?: readonly string[];
  /** One table of the namespace. */
  readonly table?: string;
}

/** Longest name, namespace level or level count a scope may hold (the same bounds as table names elsewhere). */
const MAX_NAME_CHARS = 1024;
const MAX_LEVELS = 16;

/**
 * Checks a scope against the configuration: the source exists and can be re-read, a table comes with
 * its namespace, names are bounded. Every refusal says what is wrong and how to fix it (UsageError:
 * exit 2 on the command line, 400 on the HTTP API).
 */
export function checkScope(mirror: Mirror, scope: RefreshScope): SourceRuntime {
  const source = mirror.sources.get(scope.source);
  if (!source) throw new UsageError(`unknown source "${scope.source}"; configured: ${[...mirror.sources.keys()].join(', ')}`);
  if (!source.adapter.list && !source.adapter.read) {
    throw new UsageError(`source "${scope.source}" (${source.adapter.type}) cannot be re-read: it only receives the events pushed to it; send them again instead`);
  }
  const levels = scope.namespace ?? [];
  if (levels.length > MAX_LEVELS) throw new UsageError(`the namespace has ${levels.length} levels; at most ${MAX_LEVELS} are accepted`);
  for (const level of [...levels, ...(scope.table === undefined ? [] : [scope.table])]) {
    if (level.length === 0) throw new UsageError('a namespace level or table name is empty; write the namespace as its levels joined by "." (e.g. sales.eu)');
    if (level.length > MAX_NAME_CHARS) throw new UsageError(`a namespace level or table name is longer than ${MAX_NAME_CHARS} characters`);
  }
  if (scope.table !== undefined && levels.length === 0) {
    throw new UsageError(`say which namespace table "${scope.table}" is in: --namespace <levels joined by ".">, with --table`);
  }
  return source;
}

/** Whether a source table lies in the scope. */
export function inScope(scope: RefreshScope, table: { namespace: readonly string[]; name: string }): boolean {
  const levels = scope.namespace ?? [];
  if (scope.table !== undefined) return table.name === scope.table && table.namespace.length === levels.length && levels.every((l, i) => table.namespace[i] === l);
  return levels.every((level, i) => table.namespace[i] === level);
}

/** The scope as operators write it: "lake", "lake: sales.eu", "lake: sales.eu.orders". */
export function describeScope(scope: RefreshScope): string {
  const levels = scope.namespace ?? [];
  if (levels.length === 0) return scope.source;
  return `${scope.source}: ${scope.table === undefined ? levels.join('.') : dottedName({ namespace: levels, name: scope.table })}`;
}

/** Rows a page of the scope holds: a refresh of a namespace of 200,000 tables holds one page at a time. */
const SCOPE_PAGE = 1000;

/**
 * The ledger rows of the scope, a page at a time: the ledger seeks the scope's range of its key (a
 * table, a namespace and those under it, or the whole source), the same rows inScope accepts.
 */
export function rowsInScope(mirror: Mirror, scope: RefreshScope): AsyncGenerator<MirrorRow[]> {
  return pagedRows(mirror.ledger, { source: scope.source, namespace: scope.namespace ?? [], table: scope.table, limit: SCOPE_PAGE });
}
