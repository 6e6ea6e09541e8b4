/**
 * Every secret value in a configuration, so the logger can scrub them from any line, error or status
 * output whatever field they end up in. Matching on key names keeps this working for source kinds
 * added later (Glue keys, Hive hook tokens, REST client secrets) without a list to maintain.
 */
const SECRET_KEY = /(secret|token|password|credential|apikey|api_key)$/i;
const NOT_SECRET_KEY = /(uri|url|file|path)$/i;

export function collectSecrets(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return SECRET_KEY.test(key) && !NOT_SECRET_KEY.test(key) && value.length >= 4 ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((item) => collectSecrets(item, key));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, item]) => collectSecrets(item, k));
  return [];
}
