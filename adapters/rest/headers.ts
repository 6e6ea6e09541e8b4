/**
 * The configured extra headers (`headers:` of a rest source): gateways' keys, Polaris-Realm, ...
 */

/** Names lower-cased, so the client's own (accept, authorization) replace them instead of duplicating. */
export function lowerCaseNames(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** Header names whose values are credentials (X-Api-Key, Authorization, Cookie, ...). */
const SECRET_HEADER = /authorization|token|secret|key|cookie|signature|password|credential/i;

/** Values to register with the redactor: the config's secret collector only knows key names it expects. */
export function secretHeaderValues(headers: Readonly<Record<string, string>>): string[] {
  return Object.entries(headers)
    .filter(([name]) => SECRET_HEADER.test(name))
    .map(([, value]) => value);
}
