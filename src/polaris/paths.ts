import { NAMESPACE_SEPARATOR } from '../model/table.js';

/**
 * URL path pieces of the Iceberg REST API as Polaris reads them: namespace levels joined with U+001F,
 * then percent-encoded as one segment; catalog prefix and table name percent-encoded on their own.
 * encodeURIComponent escapes "/", "%", "?", "#" and spaces, so no name can break out of its segment.
 */
export function namespaceSegment(levels: readonly string[]): string {
  return encodeURIComponent(levels.join(NAMESPACE_SEPARATOR));
}

export function tablePath(prefix: string, namespace: readonly string[], name: string): string {
  return `/v1/${encodeURIComponent(prefix)}/namespaces/${namespaceSegment(namespace)}/tables/${encodeURIComponent(name)}`;
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
