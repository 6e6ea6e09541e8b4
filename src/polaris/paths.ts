import { NAMESPACE_SEPARATOR } from '../model/table.js';
import { isDotSegment } from '../normalizer/identifier.js';
import { MirrorError } from '../util/errors.js';

/**
 * One URL path segment holding a name: percent-encoded (encodeURIComponent escapes "/", "%", "?", "#"
 * and spaces, so no name can break out of its segment), and never "." or "..", which URL parsers
 * resolve as path steps — the request would reach another route. The normalizer refuses such names
 * before they get here; this refusal keeps it true for any caller, and for a prefix a server names.
 */
export function pathSegment(value: string, what: string): string {
  if (isDotSegment(value)) {
    throw new MirrorError(`${what} "${value}" cannot be put in a URL: it is a path step and would address another route`, {
      retryable: false,
      hint: 'rename it; "." and ".." cannot be Iceberg REST names',
    });
  }
  return encodeURIComponent(value);
}

/**
 * URL path pieces of the Iceberg REST API as Polaris reads them: namespace levels joined with U+001F,
 * then percent-encoded as one segment; catalog prefix and table name percent-encoded on their own.
 */
export function namespaceSegment(levels: readonly string[]): string {
  return pathSegment(levels.join(NAMESPACE_SEPARATOR), 'the namespace');
}

export function tablePath(prefix: string, namespace: readonly string[], name: string): string {
  return `/v1/${pathSegment(prefix, 'the catalog prefix')}/namespaces/${namespaceSegment(namespace)}/tables/${pathSegment(name, 'the table name')}`;
}

export function notificationPath(prefix: string, namespace: readonly string[], name: string): string {
  return `${tablePath(prefix, namespace, name)}/notifications`;
}

/** Joins the configured base URI (the part before /v1) and an API path. */
export function joinUri(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/**
 * The management API's base beside a catalog API base: `…/api/catalog` → `…/api/management/v1` (how
 * Polaris serves both). Undefined for a base of another shape (a gateway path): no guessing.
 */
export function managementBase(catalogBase: string): string | undefined {
  const base = catalogBase.replace(/\/+$/, '');
  return base.endsWith('/api/catalog') ? `${base.slice(0, -'/api/catalog'.length)}/api/management/v1` : undefined;
}
