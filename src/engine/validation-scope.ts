import { tableLocationOf } from '../model/locations.js';

/**
 * What one VALIDATE can stand for. Polaris answers a VALIDATE from the table's place in the catalog
 * (the storage configuration found up its namespace hierarchy, with its credentials) and from the
 * location sent (inside an allowed location: whole path segments, so a directory that is allowed
 * allows everything under it); it reads no file. A VALIDATE of the directory holding a table's
 * location therefore proves the same for every table of that Polaris namespace under that directory
 * — a first sync of 200,000 tables in one database sends one VALIDATE, not 200,000.
 */
export interface ValidationScope {
  /** The directory to VALIDATE (ends with '/'). */
  readonly directory: string;
  /** The VALIDATE cache's key for it: the directory within this Polaris namespace. */
  readonly key: string;
}

/** The shared scope of a table's VALIDATE, or undefined when its directory is a bucket's root (too wide to stand for anything). */
export function validationScope(namespace: readonly string[], metadataLocation: string): ValidationScope | undefined {
  const tableLocation = tableLocationOf(metadataLocation);
  const slash = tableLocation.lastIndexOf('/');
  const authority = tableLocation.indexOf('://');
  // At least one path segment below the authority ("s3://bucket/warehouse/"), never the bucket itself.
  if (authority < 0 || slash <= tableLocation.indexOf('/', authority + 3)) return undefined;
  const directory = tableLocation.slice(0, slash + 1);
  return { directory, key: `${directory} ${JSON.stringify(namespace)}` };
}
