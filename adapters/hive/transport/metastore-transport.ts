import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { messageOf } from '../../../src/util/errors.js';
import type { HiveSourceConfig } from '../config.js';
import { KerberosLogin } from '../kerberos/kerberos-login.js';
import { servicePrincipalFor } from '../kerberos/service-principal.js';
import type { HmsAddress } from '../metastore/hms-uri.js';
import { ThriftConnection, type MetastoreConnection } from '../thrift/connection.js';
import { MetastoreAuthError } from './auth-error.js';
import { HttpThriftConnection } from './http-connection.js';
import { GssapiMechanism } from './sasl/gssapi-mechanism.js';
import { PlainMechanism } from './sasl/plain-mechanism.js';
import { SaslChannel } from './sasl/sasl-channel.js';
import type { SaslMechanism } from './sasl/sasl-mechanism.js';
import { negotiateSasl } from './sasl/sasl-negotiation.js';
import { openSocket } from './socket.js';

export type TransportSettings = Pick<HiveSourceConfig, 'name' | 'transport' | 'auth' | 'tls' | 'headers' | 'connectTimeoutMs' | 'maxReplyBytes'>;

/**
 * Builds the layers of a metastore connection from a source's settings (design: "transports are
 * layers"):
 *   thrift://  TCP or TLS socket → SASL (GSSAPI with its protection, or PLAIN), when auth asks for it
 *              → Thrift buffered or framed (ThriftConnection)
 *   http(s)::  Thrift over HTTP, with the bearer token and headers (HttpThriftConnection)
 * One per source: every client of the source shares its Kerberos login.
 */
export class MetastoreTransport {
  private readonly login: KerberosLogin | undefined;
  private ca: Buffer | undefined;

  constructor(private readonly settings: TransportSettings) {
    const { auth } = settings;
    this.login = auth.type === 'kerberos' ? new KerberosLogin({ principal: auth.principal, keytab: auth.keytab }, settings.name) : undefined;
  }

  /** How connections are secured, for `check` and logs (e.g. "Kerberos, auth-conf, TLS"). */
  describe(): string {
    const { auth, tls } = this.settings;
    const parts = [auth.type === 'kerberos' ? `Kerberos ${auth.qop}` : auth.type === 'plain' ? 'SASL PLAIN' : auth.type === 'bearer' ? 'bearer token' : 'no authentication'];
    if (tls) parts.push('TLS');
    return parts.join(', ');
  }

  async open(address: HmsAddress): Promise<MetastoreConnection> {
    const { settings } = this;
    if (address.scheme !== 'thrift') {
      return new HttpThriftConnection({ url: address.url!, headers: this.httpHeaders(), ca: this.caCertificates(), connectTimeoutMs: settings.connectTimeoutMs, maxMessageBytes: settings.maxReplyBytes });
    }
    const socket = await openSocket({ host: address.host, port: address.port, connectTimeoutMs: settings.connectTimeoutMs, tls: settings.tls ? { ca: this.caCertificates() } : undefined });
    const connection = { host: address.host, port: address.port, transport: settings.transport, connectTimeoutMs: settings.connectTimeoutMs, maxReplyBytes: settings.maxReplyBytes };
    const mechanism = this.mechanism(address);
    if (!mechanism) return new ThriftConnection(socket, connection);
    try {
      const { layer, leftover } = await negotiateSasl(socket, mechanism, { uri: address.uri, timeoutMs: settings.connectTimeoutMs });
      return new ThriftConnection(new SaslChannel(socket, layer, settings.maxReplyBytes, address.uri, leftover), connection);
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  /** A metastore rejected the ticket: the next connection logs in afresh (Kerberos with a keytab). */
  relogin(): void {
    this.login?.relogin();
  }

  private mechanism(address: HmsAddress): SaslMechanism | undefined {
    const { auth } = this.settings;
    if (auth.type === 'kerberos') return new GssapiMechanism(this.login!, servicePrincipalFor(auth.servicePrincipal, address.host), auth.qop, address.uri);
    if (auth.type === 'plain') return new PlainMechanism(auth.username, auth.password);
    return undefined;
  }

  /**
   * Hive 4's HTTP servlet takes the caller from a JWT (bearer) or, without one, from x-actor-username:
   * Hive's own client sends the OS user there, and so does the connector unless `headers` names one.
   */
  private httpHeaders(): Record<string, string> {
    const { auth, headers } = this.settings;
    const named = Object.keys(headers).some((name) => name.toLowerCase() === 'x-actor-username');
    const base: Record<string, string> = auth.type === 'bearer' ? { authorization: `Bearer ${auth.token}` } : named ? {} : { 'x-actor-username': osUser() };
    return { ...base, ...headers };
  }

  private caCertificates(): Buffer | undefined {
    const file = this.settings.tls?.caFile;
    if (!file) return undefined;
    try {
      this.ca ??= readFileSync(file);
    } catch (error) {
      throw new MetastoreAuthError(`cannot read tls.caFile ${file}: ${messageOf(error)}`, { scope: 'credentials', hint: 'check tls.caFile (a PEM file with the CA certificate)' });
    }
    return this.ca;
  }
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A container user without a passwd entry.
    return process.env.USER ?? 'polaris-mirror';
  }
}
