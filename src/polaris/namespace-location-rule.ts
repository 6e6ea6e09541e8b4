/**
 * Polaris 1.7's rule for the namespaces a CREATE/UPDATE creates on its way: a new top-level namespace
 * is placed at `<default-base-location>/<ns>/`, and refused (400 "Namespace <ns> has a custom location,
 * which is not enabled", nothing created) unless that is `<one of the allowedLocations>/<ns>/` or the
 * catalog property below is true. A catalog whose default-base-location lies INSIDE an allowed location
 * without being one (`s3://lake/warehouse` under `s3://lake`) is accepted by Polaris, and then no table
 * in a new top-level namespace can be mirrored into it. `check` looks for this from the catalog entity.
 */
export const NAMESPACE_CUSTOM_LOCATION = 'polaris.config.namespace-custom-location.enabled';

export interface NamespaceLocationTrap {
  readonly defaultBaseLocation: string | undefined;
  readonly allowedLocations: readonly string[];
  readonly reason: string;
}

/** The trap, read from a management API catalog entity, or undefined when new namespaces can be created. */
export function namespaceLocationTrap(entity: unknown): NamespaceLocationTrap | undefined {
  const catalog = (entity ?? {}) as { properties?: Record<string, unknown>; storageConfigInfo?: { allowedLocations?: unknown } };
  const properties = catalog.properties ?? {};
  if (String(properties[NAMESPACE_CUSTOM_LOCATION] ?? '').trim().toLowerCase() === 'true') return undefined;
  const base = typeof properties['default-base-location'] === 'string' ? properties['default-base-location'] : undefined;
  const raw = catalog.storageConfigInfo?.allowedLocations;
  const allowed = Array.isArray(raw) ? raw.filter((l): l is string => typeof l === 'string') : [];
  if (!catalog.storageConfigInfo) {
    return { defaultBaseLocation: base, allowedLocations: [], reason: 'the catalog has no storage configuration, so Polaris cannot create namespaces in it' };
  }
  if (base === undefined || allowed.some((location) => sameLocation(location, base))) return undefined;
  return {
    defaultBaseLocation: base,
    allowedLocations: allowed,
    reason: `its default-base-location ${base} is not one of its allowedLocations [${allowed.join(', ')}], so Polaris 1.7 refuses every new top-level namespace (400 "has a custom location, which is not enabled") and tables in new namespaces cannot be mirrored`,
  };
}

/** Same place: trailing slashes do not matter, and s3a:// / s3n:// are s3://. */
function sameLocation(a: string, b: string): boolean {
  const canonical = (l: string) => l.replace(/^s3[an]:\/\//i, 's3://').replace(/\/+$/, '');
  return canonical(a) === canonical(b);
}
