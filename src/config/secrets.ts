/**
 * Every secret value in a configuration, so the logger can scrub them from any line, error or status
 * output whatever field they end up in. Matching on key names keeps this working for source kinds
 * added later (Glue keys, Hive hook tokens, REST client secrets) without a list to maintain.
 */
const SECRET_KEY = /(secret|token|password|credential|apikey|api_key)$/i;
const NOT_SECRET_KEY = /(uri|url|file|path)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !NOT_SECRET_KEY.test(key);
}

export function collectSecrets(value: unknown, key = ''): string[] {
  if (typeof value === 'string') {
    if (NOT_SECRET_KEY.test(key)) return urlPassword(value);
    return isSecretKey(key) && value.length >= 4 ? [value] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item) => collectSecrets(item, key));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, item]) => collectSecrets(item, k));
  return [];
}

/** A password in a URL's userinfo (http://user:password@host/…), e.g. for a proxy in front of Polaris. */
function urlPassword(value: string): string[] {
  try {
    const password = decodeURIComponent(new URL(value).password);
    return password.length >= 4 ? [password] : [];
  } catch {
    return [];
  }
}
