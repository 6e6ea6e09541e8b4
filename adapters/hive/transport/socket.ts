import { connect, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions as TlsOptions } from 'node:tls';
import { ThriftTransportError } from '../thrift/errors.js';
import { MetastoreAuthError } from './auth-error.js';

export interface SocketOptions {
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
  /** TLS on the socket (hive.metastore.use.SSL); `ca` adds trusted CA certificates (PEM). */
  readonly tls?: { readonly ca?: Buffer };
}

/** Certificate problems: the peer is reachable but not trusted. Not a transport failure. */
export const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY|ALTNAME|HOSTNAME/;

/**
 * A connected TCP or TLS socket (the bottom layer of a metastore connection): no delay, keep-alive,
 * and unref'd so an idle connection never holds the process open (a caller refs it while a call waits).
 */
export function openSocket(options: SocketOptions): Promise<Socket> {
  const address = `${options.host}:${options.port}`;
  return new Promise((resolve, reject) => {
    const tls = options.tls;
    const tlsOptions: TlsOptions | undefined = tls ? { host: options.host, port: options.port, ca: tls.ca, servername: isIp(options.host) ? undefined : options.host } : undefined;
    const socket: Socket = tlsOptions ? connectTls(tlsOptions) : connect({ host: options.host, port: options.port });
    const ready = tlsOptions ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ThriftTransportError(`could not connect to ${address}${tls ? ' with TLS' : ''} within ${options.connectTimeoutMs} ms`));
    }, options.connectTimeoutMs);
    const onError = (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (tls && CERTIFICATE_ERRORS.test(error.code ?? '')) {
        reject(
          new MetastoreAuthError(`the TLS certificate of ${address} is not trusted: ${error.message}`, {
            scope: 'metastore',
            hint: 'set tls.caFile to the CA that signed the metastore\'s certificate (PEM), and use the host name the certificate names in the uri',
            cause: error,
          }),
        );
      } else if (tls && /TLS|SSL|socket disconnected before secure/i.test(error.message)) {
        reject(
          new MetastoreAuthError(`the TLS handshake with ${address} failed: ${error.message}`, {
            scope: 'metastore',
            hint: 'does the metastore use TLS (hive.metastore.use.SSL=true)? If not, remove tls from the source',
            cause: error,
          }),
        );
      } else {
        reject(new ThriftTransportError(`could not connect to ${address}: ${error.message}`, { cause: error }));
      }
    };
    socket.once('error', onError);
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      socket.unref();
      resolve(socket);
    });
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
