// Allowed-location checks. Polaris compares storage locations as path prefixes with segment
// boundaries: `s3://b/p` covers `s3://b/p` and `s3://b/p/x` but not `s3://b/px`. Trailing slashes
// are insignificant; `s3a://` and `s3n://` name the same place as `s3://` (Polaris's S3 storage
// location ignores the Hadoop scheme variant); and the spellings `file:/x`, `file:///x`,
// `file://localhost/x` are the same place.

export function normalizeLocation(location: string): string {
  let loc = location;
  if (/^file:/i.test(loc)) {
    // file:///x, file://localhost/x and file:/x all name the local path /x.
    loc = loc.replace(/^file:(\/\/localhost)?\/*/i, 'file:///');
  }
  loc = loc.replace(/^s3[an]?:\/\//i, 's3://');
  // Strip trailing slashes but keep the authority separator of `scheme://`.
  while (loc.endsWith('/') && !loc.endsWith('://') && !/^file:\/\/\/$/i.test(loc)) loc = loc.slice(0, -1);
  return loc;
}

export function sameLocation(a: string, b: string): boolean {
  return normalizeLocation(a) === normalizeLocation(b);
}

export function isChildOf(location: string, parent: string): boolean {
  const loc = normalizeLocation(location);
  const base = normalizeLocation(parent);
  if (loc === base) return true;
  const prefix = base.endsWith('/') ? base : `${base}/`;
  return loc.startsWith(prefix);
}

export function isAllowed(location: string, allowedLocations: readonly string[]): boolean {
  return allowedLocations.some((allowed) => isChildOf(location, allowed));
}

/** The locations (in order) that no allowed location covers. */
export function disallowed(locations: readonly string[], allowedLocations: readonly string[]): string[] {
  return locations.filter((l) => !isAllowed(l, allowedLocations));
}

/** `location` with exactly one trailing slash (StorageLocation.ensureTrailingSlash). */
export function withTrailingSlash(location: string): string {
  return location.endsWith('/') ? location : `${location}/`;
}
