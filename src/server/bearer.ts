import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a request's bearer token with the expected one in constant time. Both are hashed first so
 * the comparison takes the same time whatever their lengths (timingSafeEqual needs equal lengths).
 */
export function bearerMatches(authorization: string | undefined, expected: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  const given = match?.[1]?.trim() ?? '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}
