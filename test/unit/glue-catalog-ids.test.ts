// Glue catalog ids: what is well-formed, the namespace level a catalog gets, which mirrored catalog an
// event's catalog is, and ids as GetCatalogs may write them (with or without the account).
import { describe, expect, it } from 'vitest';
import { catalogIdProblem, derivedLevel, listedCatalogRef, parseCatalogId, sameCatalog } from '../../adapters/glue/catalog-ids.js';

describe('Glue catalog ids', () => {
  it('accepts an account, <account>:<path> and a path relative to the caller; says what is wrong otherwise', () => {
    for (const id of ['123456789012', '123456789012:s3tablescatalog/analytics', 's3tablescatalog/my-bucket', '123456789012:finance']) expect(catalogIdProblem(id)).toBeUndefined();
    expect(catalogIdProblem('1234')).toBe('is not a 12-digit AWS account id');
    expect(catalogIdProblem('12345678901a:x')).toBe('"12345678901a" is not a 12-digit AWS account id');
    expect(catalogIdProblem('123456789012:')).toBe('has nothing after ":"');
    expect(catalogIdProblem('123456789012:a/')).toMatch(/empty path step/);
    expect(catalogIdProblem('a/../b')).toBe('has an invalid path step ".."');
    expect(catalogIdProblem('a b')).toBe('has an invalid path step "a b"');
    expect(catalogIdProblem(' 123456789012')).toBe('has leading or trailing spaces');
    expect(catalogIdProblem('')).toBe('must be 1 to 255 characters');
  });

  it('derives a level that is safe in a URL path: the account, or the path with "/" as "_"', () => {
    expect(derivedLevel(parseCatalogId('123456789012'))).toBe('123456789012');
    expect(derivedLevel(parseCatalogId('123456789012:s3tablescatalog/analytics'))).toBe('s3tablescatalog_analytics');
    expect(derivedLevel(parseCatalogId('s3tablescatalog/analytics'))).toBe('s3tablescatalog_analytics');
  });

  it('matches an event catalog to a mirrored one; an unwritten account matches any', () => {
    const seen = { account: '123456789012', path: 's3tablescatalog/analytics' };
    expect(sameCatalog(parseCatalogId('123456789012:s3tablescatalog/analytics'), seen)).toBe(true);
    expect(sameCatalog(parseCatalogId('s3tablescatalog/analytics'), seen)).toBe(true);
    expect(sameCatalog(parseCatalogId('210987654321:s3tablescatalog/analytics'), seen)).toBe(false);
    expect(sameCatalog(parseCatalogId('123456789012:s3tablescatalog/raw'), seen)).toBe(false);
    expect(sameCatalog({ account: undefined, path: '' }, { account: '123456789012', path: '' })).toBe(true);
  });

  it('reads the ids GetCatalogs answers, taking a missing account from the ARN', () => {
    expect(listedCatalogRef('123456789012:s3tablescatalog/a', undefined)).toEqual({ account: '123456789012', path: 's3tablescatalog/a' });
    expect(listedCatalogRef('s3tablescatalog/a', 'arn:aws:glue:us-east-1:123456789012:catalog/s3tablescatalog/a')).toEqual({ account: '123456789012', path: 's3tablescatalog/a' });
    expect(listedCatalogRef(undefined, undefined)).toBeUndefined();
    expect(listedCatalogRef('bad id', undefined)).toBeUndefined();
  });
});
