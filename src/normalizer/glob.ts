/**
 * Include/exclude globs on "namespace.table": `*` matches any run of characters (dots included, so
 * "sales.*" covers nested namespaces too), `?` one character; everything else is literal.
 */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (const char of glob) {
    if (char === '*') pattern += '.*';
    else if (char === '?') pattern += '.';
    else pattern += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`, 'su');
}

/** A compiled include/exclude pair: a name passes when it matches an include (or none are set) and no exclude. */
export class TableFilter {
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];

  constructor(include: readonly string[], exclude: readonly string[]) {
    this.include = include.map(globToRegExp);
    this.exclude = exclude.map(globToRegExp);
  }

  accepts(dottedName: string): boolean {
    if (this.include.length > 0 && !this.include.some((re) => re.test(dottedName))) return false;
    return !this.exclude.some((re) => re.test(dottedName));
  }
}
