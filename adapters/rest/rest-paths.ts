import { NAMESPACE_SEPARATOR } from '../../src/model/table.js';
import { isDotSegment } from '../../src/normalizer/identifier.js';
import { pathSegment } from '../../src/polaris/paths.js';
import { MirrorError } from '../../src/util/errors.js';

/**
 * URL paths of the Iceberg REST API as the spec writes them.
 *
 * - The prefix comes from the server (`overrides.prefix` of /v1/config) and is inserted as given, like
 *   Iceberg's own client does: some servers use several segments (Glue: `catalogs/<id>`). No prefix →
 *   /v1/namespaces.
 * - A namespace is its levels joined by U+001F, percent-encoded as one segment (%1F). Servers must
 *   accept 0x1F whatever `namespace-separator` they advertise, so it is always used.
 * - encodeURIComponent escapes "/", "%", "?", "#" and spaces: no name can break out of its segment,
 *   and a name or prefix segment that is "." or ".." (a URL path step) is refused (pathSegment).
 */
export class RestPaths {
  constructor(private readonly prefix: string | undefined) {
    for (const segment of prefix?.split('/') ?? []) {
      if (isDotSegment(decodeSegment(segment))) {
        throw new MirrorError(`the catalog's /v1/config names the prefix "${prefix}", whose segment "${segment}" would address another route`, {
          retryable: false,
          hint: 'check warehouse and the catalog\'s configuration: a prefix cannot contain "." or ".." segments',
        });
      }
    }
  }

  private base(): string {
    return this.prefix ? `/v1/${this.prefix.replace(/^\/+|\/+$/g, '')}` : '/v1';
  }

  namespaces(): string {
    return `${this.base()}/namespaces`;
  }

  tables(namespace: readonly string[]): string {
    return `${this.base()}/namespaces/${namespaceSegment(namespace)}/tables`;
  }

  table(namespace: readonly string[], name: string): string {
    return `${this.tables(namespace)}/${pathSegment(name, 'the table name')}`;
  }
}

export function namespaceSegment(levels: readonly string[]): string {
  return pathSegment(levels.join(NAMESPACE_SEPARATOR), 'the namespace');
}

/** A segment as a URL parser sees it: "%2e%2E" is ".." too. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The `parent` query value: the same joined form (URLSearchParams does the percent-encoding). */
export function namespaceParam(levels: readonly string[]): string {
  return levels.join(NAMESPACE_SEPARATOR);
}

/** The endpoint string /v1/config advertises for HEAD on a table (the spec's "<VERB> <path>" form). */
export const HEAD_TABLE_ENDPOINT = 'HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}';
/** apache/iceberg#12584's proposed change feed: advertised, it makes an events mode possible. */
export const EVENTS_ENDPOINT = 'POST /v1/{prefix}/events';
