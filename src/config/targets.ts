import { DEFAULT_POLARIS, type ResolvedTarget, type SourceTarget } from './source-schema.js';

export { DEFAULT_POLARIS, POLARIS_INSTANCE_PATTERN, type ResolvedTarget } from './source-schema.js';

/**
 * Several Polaris targets per source. `polaris` is the instance named "default";
 * `polarisInstances` names more (another realm, a disaster-recovery copy). A source writes either one
 * `target` (on "default", as before) or a list of `targets`, each naming its instance.
 */
/** "dr/lake_mirror": how a target is named in status, metrics, logs and `retry --target`. */
export function targetLabel(target: { readonly polaris: string; readonly catalog: string }): string {
  return `${target.polaris}/${target.catalog}`;
}

/** A problem with a source's targets, located for zod (the config schema reports it with its hint). */
export interface TargetIssue {
  readonly path: Array<string | number>;
  readonly message: string;
  readonly hint: string;
}

interface RawSource {
  readonly target?: SourceTarget;
  readonly targets?: readonly ResolvedTarget[];
}

/** The source's targets: `targets` as given, or its one `target` on the default instance. */
export function resolveTargets(source: RawSource): ResolvedTarget[] {
  if (source.targets !== undefined) return source.targets.map((t) => ({ polaris: t.polaris, catalog: t.catalog, namespacePrefix: t.namespacePrefix }));
  if (source.target !== undefined) return [{ polaris: DEFAULT_POLARIS, ...source.target }];
  return [];
}

/**
 * `target` and `targets` are exclusive and one is required; every instance named must exist; a source
 * cannot write one catalog of one instance twice (its ledger rows are keyed by instance and catalog).
 */
export function targetIssues(sources: readonly RawSource[], instances: readonly string[]): TargetIssue[] {
  const issues: TargetIssue[] = [];
  const known = [DEFAULT_POLARIS, ...instances];
  sources.forEach((source, i) => {
    if (source.target !== undefined && source.targets !== undefined) {
      issues.push({ path: ['sources', i, 'targets'], message: 'target and targets are exclusive', hint: 'keep one: a single target, or the list of targets' });
    } else if (source.target === undefined && source.targets === undefined) {
      issues.push({ path: ['sources', i, 'target'], message: 'required: where this source is mirrored', hint: 'add  target: { catalog: lake_mirror }  or  targets: [{ catalog: lake_mirror }, { polaris: dr, catalog: lake_mirror }]' });
    }
    const seen = new Set<string>();
    (source.targets ?? []).forEach((target, k) => {
      if (!known.includes(target.polaris)) {
        issues.push({
          path: ['sources', i, 'targets', k, 'polaris'],
          message: `unknown Polaris instance "${target.polaris}"; configured: ${known.join(', ')}`,
          hint: `define it under polarisInstances (e.g.  polarisInstances: { ${target.polaris}: { uri: …, auth: … } }), or name one of the configured instances`,
        });
      }
      const key = targetLabel(target);
      if (seen.has(key)) {
        issues.push({ path: ['sources', i, 'targets', k], message: `catalog "${target.catalog}" of Polaris "${target.polaris}" is listed twice`, hint: 'list each catalog of an instance once per source' });
      }
      seen.add(key);
    });
  });
  return issues;
}
