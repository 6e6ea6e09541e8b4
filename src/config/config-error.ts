/** One problem in the configuration, located by its path (e.g. `sources[1].target.catalog`). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

/** Raised for any invalid configuration; the CLI prints every issue and exits with code 2. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`invalid configuration in ${file}:\n${issues.map(formatIssue).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.path === '' ? '(top level)' : issue.path;
  return `  - ${where}: ${issue.message}${issue.hint ? `\n      hint: ${issue.hint}` : ''}`;
}

/** ["sources", 1, "target"] → "sources[1].target" */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
