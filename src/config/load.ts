import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import YAML from 'yaml';
import { resolveSourcePaths } from '../../adapters/paths.js';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { crossCheck } from './cross-checks.js';
import { toConfigIssues } from './hints.js';
import { interpolateEnv } from './interpolate.js';
import { configSchema, type MirrorConfig, type PolarisConfig } from './schema.js';
import { Redactor } from '../telemetry/redactor.js';
import { excerpt } from '../telemetry/safe-text.js';
import { collectSecrets } from './secrets.js';

export interface LoadedConfig {
  readonly config: MirrorConfig;
  /** Absolute path of the file; relative paths inside it were resolved against its directory. */
  readonly file: string;
  /** Secret values found in the file, for redaction. */
  readonly secrets: readonly string[];
}

/**
 * Reads a YAML or JSON config (YAML parses JSON too), replaces ${VAR}, validates it and resolves
 * relative paths. Throws ConfigError listing every problem at once, so a user fixes them in one go.
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const absolute = resolve(file);
  let raw: unknown;
  try {
    raw = parseFile(absolute);
  } catch (error) {
    // YAML messages quote the file: bounded and printable like every other issue.
    throw error instanceof ConfigError ? new ConfigError(absolute, shown(error.issues, new Redactor())) : error;
  }
  const envIssues: ConfigIssue[] = [];
  const interpolated = interpolateEnv(raw, env, envIssues);

  // Known before validation, so that no message about a bad file can show them (and the top-level
  // error printer, which scrubs with every secret the process knows, hides them too).
  const secrets = collectSecrets(interpolated);
  const redactor = new Redactor(secrets);
  const refuse = (issues: ConfigIssue[]) => new ConfigError(absolute, shown(issues, redactor));

  const parsed = configSchema.safeParse(interpolated);
  if (!parsed.success || envIssues.length > 0) {
    // Report everything at once; a value left as "${VAR}" may also fail the schema at the same path.
    const unset = new Set(envIssues.map((i) => i.path));
    const schemaIssues = parsed.success ? [] : toConfigIssues(parsed.error, configSchema, interpolated).filter((i) => !unset.has(i.path));
    throw refuse([...envIssues, ...schemaIssues]);
  }
  const crossIssues = crossCheck(parsed.data);
  if (crossIssues.length > 0) throw refuse(crossIssues);

  return { config: resolvePaths(parsed.data, dirname(absolute)), file: absolute, secrets };
}

/** Problems listed at most; a generated file with thousands of bad keys gets a readable answer. */
const MAX_ISSUES_SHOWN = 100;

/** Issues as printed: scrubbed, made printable and bounded (keys and YAML messages quote the file). */
function shown(issues: readonly ConfigIssue[], redactor: Redactor): ConfigIssue[] {
  const safe = (text: string, max?: number) => excerpt(redactor.scrub(text), max);
  const listed = issues.slice(0, MAX_ISSUES_SHOWN).map((i) => ({
    path: safe(i.path, 200),
    message: safe(i.message),
    hint: i.hint === undefined ? undefined : safe(i.hint),
  }));
  if (issues.length > MAX_ISSUES_SHOWN) listed.push({ path: '', message: `${issues.length - MAX_ISSUES_SHOWN} more problems not shown`, hint: undefined });
  return listed;
}

function parseFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [
      {
        path: '',
        message: `cannot read the config file (${code ?? String(error)})`,
        hint: code === 'ENOENT' ? 'check the path given to --config' : 'check the file permissions',
      },
    ]);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '',
        message: e.message.split('\n')[0]!,
        hint: 'the file must be valid YAML or JSON',
      })),
    );
  }
  let value: unknown;
  try {
    // Aliases are resolved here: an unknown one, or too many (an alias bomb), throws.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `the YAML cannot be read: ${(error as Error).message}`, hint: 'the file must be valid YAML or JSON' }]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(file, [{ path: '', message: 'the file must contain a mapping with polaris, sources, …' }]);
  }
  return value;
}

function resolvePolarisPaths(polaris: PolarisConfig, base: string): PolarisConfig {
  return polaris.tls ? { ...polaris, tls: { ...polaris.tls, caFile: resolve(base, polaris.tls.caFile) } } : polaris;
}

function resolvePaths(config: MirrorConfig, base: string): MirrorConfig {
  return {
    ...config,
    state: {
      ...config.state,
      path: config.state.path === undefined ? undefined : resolve(base, config.state.path),
      tls: config.state.tls ? { caFile: resolve(base, config.state.tls.caFile) } : undefined,
    },
    polaris: resolvePolarisPaths(config.polaris, base),
    polarisInstances:
      config.polarisInstances === undefined
        ? undefined
        : Object.fromEntries(Object.entries(config.polarisInstances).map(([name, instance]) => [name, resolvePolarisPaths(instance, base)])),
    server: config.server?.tls
      ? { ...config.server, tls: { certFile: resolve(base, config.server.tls.certFile), keyFile: resolve(base, config.server.tls.keyFile) } }
      : config.server,
    sources: config.sources.map((source) => resolveSourcePaths(source, base)),
  };
}
