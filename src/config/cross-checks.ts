import type { ConfigIssue } from './config-error.js';
import type { MirrorConfig } from './schema.js';
import { DEFAULT_POLARIS } from './targets.js';

/** Rules that span several keys, checked after the schema has accepted the file. */
export function crossCheck(config: MirrorConfig): ConfigIssue[] {
  return [...duplicateNames(config), ...webhooksNeedServer(config), ...overlappingTargets(config)];
}

function duplicateNames(config: MirrorConfig): ConfigIssue[] {
  const firstIndex = new Map<string, number>();
  const issues: ConfigIssue[] = [];
  config.sources.forEach((source, i) => {
    const first = firstIndex.get(source.name);
    if (first === undefined) firstIndex.set(source.name, i);
    else
      issues.push({
        path: `sources[${i}].name`,
        message: `duplicate source name "${source.name}" (also sources[${first}])`,
        hint: 'names key the ledger and the ingest URL: give each source its own',
      });
  });
  return issues;
}

/** Sources that receive events over HTTP (webhooks, Hive hooks with an ingestToken) need the server. */
function webhooksNeedServer(config: MirrorConfig): ConfigIssue[] {
  if (config.server) return [];
  const pushed = config.sources.findIndex((s) => s.type === 'webhook' || ('ingestToken' in s && s.ingestToken !== undefined));
  if (pushed < 0) return [];
  const source = config.sources[pushed]!;
  return [
    {
      path: 'server',
      message: `required: source "${source.name}" receives events over HTTP (${source.type === 'webhook' ? 'a webhook' : 'its ingestToken enables the hook endpoint'})`,
      hint: 'add  server: { host: 127.0.0.1, port: 9470 }',
    },
  ];
}

/**
 * Two sources writing the same Polaris table would fight over its timestamps. Where the overlap is
 * visible in the config (same catalog and namespace prefix, no filters telling them apart) it is an
 * error here; anything subtler is caught per table at run time ("owned by source X").
 */
/**
 * Undefined when the include/exclude globs visibly keep two sources apart; otherwise a note on what they
 * share. Unfiltered covers everything: it overlaps any filtered source unless it excludes the other's globs.
 */
function visibleOverlap(a: MirrorConfig['sources'][number], b: MirrorConfig['sources'][number]): string | undefined {
  if (a.include.length === 0 && b.include.length === 0) return '';
  const shared = a.include.find((glob) => b.include.includes(glob));
  if (shared !== undefined) return ` (both include "${shared}")`;
  const [open, filtered] = a.include.length === 0 ? [a, b] : b.include.length === 0 ? [b, a] : [undefined, undefined];
  if (!open || !filtered) return undefined;
  if (filtered.include.every((glob) => open.exclude.includes(glob))) return undefined;
  return ` ("${open.name}" has no include filter, so it also covers "${filtered.include.join('", "')}")`;
}

/** Checked per target: two sources clash only when they write the same catalog of the same Polaris instance. */
function overlappingTargets(config: MirrorConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.sources.forEach((b, j) => {
    for (let i = 0; i < j; i++) {
      const a = config.sources[i]!;
      b.targets.forEach((tb, k) => {
        const shared = a.targets.find(
          (ta) => ta.polaris === tb.polaris && ta.catalog === tb.catalog && ta.namespacePrefix.join('\u001f') === tb.namespacePrefix.join('\u001f'),
        );
        if (!shared) return;
        const overlap = visibleOverlap(a, b);
        if (overlap === undefined) return;
        const instance = tb.polaris === DEFAULT_POLARIS ? '' : ` of Polaris "${tb.polaris}"`;
        issues.push({
          path: b.targets.length === 1 && tb.polaris === DEFAULT_POLARIS ? `sources[${j}].target` : `sources[${j}].targets[${k}]`,
          message: `sources "${a.name}" and "${b.name}" would both write catalog "${tb.catalog}"${instance} under the same namespace prefix${overlap}`,
          hint: 'give one of them a different namespacePrefix or catalog, or filters that do not overlap (exclude the other\'s include globs)',
        });
      });
    }
  });
  return issues;
}
