import { formatPath, type ConfigIssue } from './config-error.js';

/**
 * Replaces `${VAR}` (and `${VAR:-default}`) in every string of the parsed document from the
 * environment. Done after parsing, not on the raw text, so a secret containing `:` or `#` cannot break
 * the YAML. `$${` keeps a literal `${`.
 */
const PLACEHOLDER = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  issues: ConfigIssue[],
  path: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, issues, path);
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, issues, [...path, i]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolateEnv(item, env, issues, [...path, key]);
    return out;
  }
  return value;
}

function interpolateString(text: string, env: NodeJS.ProcessEnv, issues: ConfigIssue[], path: PropertyKey[]): string {
  return text.replace(PLACEHOLDER, (whole, escaped: string, name: string, fallback: string | undefined) => {
    if (escaped) return whole.slice(1);
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    issues.push({
      path: formatPath(path),
      message: `environment variable ${name} is not set`,
      hint: `export ${name}=… before starting, or write \${${name}:-default} to give a default`,
    });
    return whole;
  });
}
