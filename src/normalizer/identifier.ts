import { NAMESPACE_SEPARATOR, type SourceTable } from '../model/table.js';

/**
 * Why Polaris cannot represent a table name, or undefined when it can. Polaris joins namespace levels
 * with U+001F in URLs, so a level containing it (or an empty level) would address another namespace.
 */
export function unrepresentableReason(table: SourceTable, prefix: readonly string[] = []): string | undefined {
  if (table.name === '') return 'the table name is empty';
  if (table.name.includes(NAMESPACE_SEPARATOR)) return 'the table name contains U+001F, which Polaris uses between namespace levels';
  const levels = [...prefix, ...table.namespace];
  if (levels.length === 0) return 'the table has no namespace; Polaris tables live in a namespace';
  for (const level of levels) {
    if (level === '') return 'a namespace level is empty';
    if (level.includes(NAMESPACE_SEPARATOR)) return `namespace level ${JSON.stringify(level)} contains U+001F, which Polaris uses between namespace levels`;
  }
  return undefined;
}
