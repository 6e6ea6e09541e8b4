/**
 * A metastore address from `uris`: thrift://host[:port] (the Thrift port, 9083 by default), or
 * http(s)://host[:port][/path] for Thrift over HTTP (Hive 4; the path defaults to /metastore, the
 * metastore's metastore.server.thrift.http.path).
 */
export interface HmsAddress {
  readonly uri: string;
  readonly scheme: 'thrift' | 'http' | 'https';
  readonly host: string;
  readonly port: number;
  /** http(s) only: where calls are POSTed. */
  readonly url?: string;
}

export const DEFAULT_HMS_PORT = 9083;
export const DEFAULT_HTTP_PATH = '/metastore';

/** Undefined when the text is not a thrift:// or http(s):// metastore URI. */
export function parseHmsUri(uri: string): HmsAddress | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.hostname === '' || url.username || url.password || url.hash) return undefined;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (url.protocol === 'thrift:') {
    if ((url.pathname !== '' && url.pathname !== '/') || url.search) return undefined;
    return { uri, scheme: 'thrift', host, port: url.port === '' ? DEFAULT_HMS_PORT : Number(url.port) };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const scheme = url.protocol === 'http:' ? 'http' : 'https';
    if (url.pathname === '' || url.pathname === '/') url.pathname = DEFAULT_HTTP_PATH;
    return { uri, scheme, host, port: url.port === '' ? (scheme === 'http' ? 80 : 443) : Number(url.port), url: url.toString() };
  }
  return undefined;
}
