/**
 * Glue catalog ids as the connector reads and writes them. An account's default catalog is the
 * account id ("123456789012"); any other catalog is "<account>:<path>", e.g. an S3 Tables bucket
 * "123456789012:s3tablescatalog/analytics". Glue also accepts a path without the account, relative
 * to the caller's account ("s3tablescatalog/analytics").
 */

export interface CatalogRef {
  /** Undefined when the id leaves it to the caller's account. */
  readonly account: string | undefined;
  /** "" for an account's default catalog; "s3tablescatalog/analytics" for a child catalog. */
  readonly path: string;
}

const ACCOUNT = /^\d{12}$/;
/** A path step: Glue catalog names and S3 table bucket names use letters, digits, "_" and "-". */
const STEP = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,254}$/;

export const CATALOG_ID_HELP =
  'a Glue catalog id is an account id (123456789012), or <account>:<catalog path> such as 123456789012:s3tablescatalog/analytics (the account may be left out: s3tablescatalog/analytics)';

/** The reason an id is malformed, or undefined when it is well-formed. */
export function catalogIdProblem(id: string): string | undefined {
  if (id.length === 0 || id.length > 255) return 'must be 1 to 255 characters';
  if (id.trim() !== id) return 'has leading or trailing spaces';
  if (/^\d+$/.test(id) && !ACCOUNT.test(id)) return 'is not a 12-digit AWS account id';
  const colon = id.indexOf(':');
  const account = colon >= 0 ? id.slice(0, colon) : ACCOUNT.test(id) ? id : undefined;
  if (account !== undefined && !ACCOUNT.test(account)) return `"${account}" is not a 12-digit AWS account id`;
  const path = colon >= 0 ? id.slice(colon + 1) : account === undefined ? id : '';
  if (colon >= 0 && path === '') return 'has nothing after ":"';
  if (path !== '') {
    const bad = path.split('/').find((step) => !STEP.test(step) || step === '.' || step === '..');
    if (bad !== undefined) return bad === '' ? 'has an empty path step ("//" or a "/" at an end)' : `has an invalid path step "${bad}"`;
  }
  return undefined;
}

export function parseCatalogId(id: string): CatalogRef {
  if (ACCOUNT.test(id)) return { account: id, path: '' };
  const colon = id.indexOf(':');
  return colon >= 0 ? { account: id.slice(0, colon), path: id.slice(colon + 1) } : { account: undefined, path: id };
}

export function formatCatalogId(ref: CatalogRef): string | undefined {
  if (ref.path === '') return ref.account;
  return ref.account === undefined ? ref.path : `${ref.account}:${ref.path}`;
}

/**
 * The namespace level a catalog gets when a source mirrors several and no mapping names it: the
 * account id for a default catalog, the path with "/" as "_" otherwise (s3tablescatalog_analytics).
 * Polaris levels travel in URL paths, where ":" and "/" are not safe. Two catalogs that would get the
 * same level (the same path in two accounts) are refused at start with a request for a mapping.
 */
export function derivedLevel(ref: CatalogRef): string {
  return ref.path === '' ? (ref.account ?? 'default') : ref.path.split('/').join('_');
}

/**
 * Whether `mirrored` (as configured or discovered) is the catalog `seen` names. A side whose account
 * is unknown (the caller's own, not written) matches any account.
 */
export function sameCatalog(mirrored: CatalogRef, seen: CatalogRef): boolean {
  return mirrored.path === seen.path && (mirrored.account === undefined || seen.account === undefined || mirrored.account === seen.account);
}

/** A catalog id as GetCatalogs answers it, with the account written (taken from its ARN if need be). */
export function listedCatalogRef(catalogId: string | undefined, resourceArn: string | undefined): CatalogRef | undefined {
  if (catalogId === undefined || catalogIdProblem(catalogId) !== undefined) return undefined;
  const ref = parseCatalogId(catalogId);
  if (ref.account !== undefined) return ref;
  const account = /^arn:[^:]+:glue:[^:]*:(\d{12}):/.exec(resourceArn ?? '')?.[1];
  return { account, path: ref.path };
}
