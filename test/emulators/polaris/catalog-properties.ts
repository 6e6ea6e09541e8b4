// Catalog properties that change how Polaris 1.7 treats notifications (`polaris.config.*` keys set on
// the catalog, each overriding the realm's feature flag of the same meaning), and the 1.7 rule for the
// location of a namespace that a CREATE/UPDATE creates on its way (LocalIcebergCatalog
// .validateNamespaceLocation).
import { PolarisError } from './errors.js';
import { normalizeLocation, sameLocation, withTrailingSlash } from './locations.js';
import type { Catalog } from './state.js';

export const NAMESPACE_CUSTOM_LOCATION = 'polaris.config.namespace-custom-location.enabled';
export const ALLOW_EXTERNAL_METADATA_FILE_LOCATION = 'polaris.config.allow.external.metadata.file.location';
/** Deprecated alias of ALLOW_EXTERNAL_METADATA_FILE_LOCATION (ALLOW_EXTERNAL_TABLE_LOCATION). */
export const ALLOW_EXTERNAL_TABLE_LOCATION = 'polaris.config.allow.external.table.location';

export function catalogFlag(catalog: Catalog, key: string): boolean {
  return catalog.properties[key]?.trim().toLowerCase() === 'true';
}

export function allowsExternalMetadataFile(catalog: Catalog): boolean {
  return catalogFlag(catalog, ALLOW_EXTERNAL_METADATA_FILE_LOCATION) || catalogFlag(catalog, ALLOW_EXTERNAL_TABLE_LOCATION);
}

/**
 * A new top-level namespace gets the location `<default-base-location>/<name>/`; unless the catalog
 * enables custom namespace locations, that must be `<an allowed location>/<name>/`. So a catalog whose
 * default-base-location is not one of its allowed locations (say `s3://lake/warehouse` under the allowed
 * `s3://lake`) cannot get a new top-level namespace at all: 400, and nothing is created. Nested
 * namespaces inherit their parent's location and always pass.
 */
export function checkNewTopLevelNamespace(catalog: Catalog, name: string): void {
  if (catalogFlag(catalog, NAMESPACE_CUSTOM_LOCATION)) return;
  if (!catalog.storageConfigured) {
    throw new PolarisError(400, 'IllegalArgumentException', 'Cannot create namespace without a parent storage configuration');
  }
  const got = withTrailingSlash(`${normalizeLocation(catalog.defaultBaseLocation).replace(/\/+$/, '')}/${name}`);
  const expected = catalog.allowedLocations.map((allowed) => withTrailingSlash(`${withTrailingSlash(allowed)}${name}`));
  if (!expected.some((location) => sameLocation(location, got))) {
    throw new PolarisError(
      400,
      'IllegalArgumentException',
      `Namespace ${name} has a custom location, which is not enabled. Expected a location in: [${expected.join(', ')}]. Got location: ${got}]`,
    );
  }
}
