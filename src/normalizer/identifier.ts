import { NAMESPACE_SEPARATOR, type SourceTable } from '../model/table.js';

/**
 * "." and ".." are steps of a URL path: an HTTP client, a proxy or Polaris itself normalises them away
 * (so does "%2e"), and a notification for table ".." of namespace "sales" would be sent to the route of
 * the namespace itself. No name may be one of them.
 */
export function isDotSegment(name: string): boolean {
  return name === '.' || name === '..';
}

/**
 * Why Polaris cannot represent a table name, or undefined when it can. Polaris joins namespace levels
 * with U+001F in URLs, so a level containing it (or an empty level) would address another namespace;
 * a name that is a URL path step ("." or "..") would address another route.
 */
export function unrepresentableReason(table: SourceTable, prefix: readonly string[] = []): string | undefined {
  if (table.name === '') return 'the table name is empty';
  if (isDotSegment(table.name)) return `the table name "${table.name}" is a URL path step, which would address another route`;
  if (table.name.includes(NAMESPACE_SEPARATOR)) return 'the table name contains U+001F, which Polaris uses between namespace levels';
  if (prefix.length + table.namespace.length === 0) return 'the table has no namespace; Polaris tables live in a namespace';
  // Checked in place (no joined copy of the levels): this runs for every observation.
  for (const level of prefix) {
    const problem = levelProblem(level);
    if (problem) return problem;
  }
  for (const level of table.namespace) {
    const problem = levelProblem(level);
    if (problem) return problem;
  }
  return undefined;
}

function levelProblem(level: string): string | undefined {
  if (level === '') return 'a namespace level is empty';
  if (isDotSegment(level)) return `namespace level "${level}" is a URL path step, which would address another route`;
  if (level.includes(NAMESPACE_SEPARATOR)) return `namespace level ${JSON.stringify(level)} contains U+001F, which Polaris uses between namespace levels`;
  return undefined;
}
