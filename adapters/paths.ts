import { resolve } from 'node:path';
import type { SourceConfig } from '../src/config/schema.js';

/** Resolves the file paths a source kind's config holds against the config file's directory. */
export function resolveSourcePaths(source: SourceConfig, base: string): SourceConfig {
  switch (source.type) {
    case 'files':
      return { ...source, root: resolve(base, source.root) };
    case 'rest':
      return source.tls ? { ...source, tls: { caFile: resolve(base, source.tls.caFile) } } : source;
    case 'hive':
      return {
        ...source,
        tls: source.tls?.caFile ? { caFile: resolve(base, source.tls.caFile) } : source.tls,
        auth: source.auth.type === 'kerberos' && source.auth.keytab ? { ...source.auth, keytab: resolve(base, source.auth.keytab) } : source.auth,
      };
    case 'hiveserver2':
      return {
        ...source,
        tls: source.tls?.caFile ? { caFile: resolve(base, source.tls.caFile) } : source.tls,
        auth: source.auth.type === 'kerberos' && source.auth.keytab ? { ...source.auth, keytab: resolve(base, source.auth.keytab) } : source.auth,
      };
    default:
      return source;
  }
}
