/**
 * Every secret value in a configuration, so the logger can scrub them from any line, error or status
 * output whatever field they end up in. Matching on key names keeps this working for source kinds
 * added later (Glue keys, Hive hook tokens, REST client secrets, credential headers) without a list to
 * maintain.
 */
const SECRET_KEY = /(secret|token|password|passwd|passphrase|credentials?|apikey|api[-_]key|key|authorization|cookie|signature)$/i;
const NOT_SECRET_KEY = /(uri|url|file|path)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !NOT_SECRET_KEY.test(key);
}

/** A config path (e.g. sources[0].signature.secret, sources[1].headers.X-Api-Key) runs through a secret-looking key. */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path.some((part) => typeof part === 'string' && isSecretKey(part));
}

/**
 * Secret values under secret-looking keys. Numbers count too: a numeric secret written without quotes
 * in YAML is a number until the schema refuses it, and the refusal must not show it.
 */
export function collectSecrets(value: unknown, key = ''): string[] {
  if (typeof value === 'string') {
    if (NOT_SECRET_KEY.test(key)) return urlPassword(value);
    return isSecretKey(key) && value.length >= 4 ? [value] : [];
  }
  if (typeof value === 'number' || typeof value === 'bigint') return collectSecrets(String(value), key);
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
