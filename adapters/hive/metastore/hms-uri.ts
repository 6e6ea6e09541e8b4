/** A metastore address from `uris` (thrift://host:port; the port defaults to 9083). */
export interface HmsAddress {
  readonly uri: string;
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_HMS_PORT = 9083;

/** Undefined when the text is not a thrift://host[:port] URI. */
export function parseHmsUri(uri: string): HmsAddress | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'thrift:' || url.hostname === '' || url.username || url.password) return undefined;
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) return undefined;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { uri, host, port: url.port === '' ? DEFAULT_HMS_PORT : Number(url.port) };
}
