import type { Socket } from 'node:net';
import { messageOf } from '../../../../src/util/errors.js';
import { ThriftTransportError } from '../../thrift/errors.js';
import { MetastoreAuthError } from '../auth-error.js';
import { describePeerBytes } from '../peer-bytes.js';
import type { SaslMechanism, SecurityLayer } from './sasl-mechanism.js';
import { encodeSaslMessage, readSaslMessage, SaslProtocolError, SaslStatus, type SaslMessage } from './sasl-messages.js';

const REFUSAL_HINT: Record<SaslMechanism['name'], string> = {
  GSSAPI:
    'the metastore log says why; usual causes: servicePrincipal is not the metastore\'s hive.metastore.kerberos.principal, the metastore\'s keytab is out of date, or the clocks differ',
  PLAIN: 'check auth.username and auth.password (the metastore checks them against its LDAP or custom authenticator)',
};

/**
 * Runs the Thrift SASL negotiation (TSaslClientTransport's side) on a connected socket: START with the
 * mechanism, the initial response, challenges and answers until the server says COMPLETE. Resolves
 * with the negotiated security layer and any bytes already received after COMPLETE. A refusal (BAD,
 * ERROR) is a MetastoreAuthError with the server's reason; bytes that are not SASL say what the peer
 * speaks instead.
 */
export async function negotiateSasl(socket: Socket, mechanism: SaslMechanism, options: { uri: string; timeoutMs: number }): Promise<{ layer: SecurityLayer | undefined; leftover: Buffer }> {
  const reader = new NegotiationReader(socket, mechanism.name, options.uri);
  let timer: NodeJS.Timeout | undefined;
  // The whole negotiation, KDC round trips included, is bounded: a silent peer or KDC cannot hold a connection attempt.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ThriftTransportError(`SASL negotiation with ${options.uri} did not finish within ${options.timeoutMs} ms`)), options.timeoutMs);
  });
  const negotiation = exchange(socket, mechanism, reader, options.uri);
  try {
    return await Promise.race([negotiation, deadline]);
  } catch (error) {
    negotiation.catch(() => undefined);
    reader.abort(error as Error);
    mechanism.dispose();
    throw error;
  } finally {
    clearTimeout(timer);
    reader.detach();
  }
}

async function exchange(socket: Socket, mechanism: SaslMechanism, reader: NegotiationReader, uri: string): Promise<{ layer: SecurityLayer | undefined; leftover: Buffer }> {
  socket.write(encodeSaslMessage(SaslStatus.START, Buffer.from(mechanism.name, 'utf8')));
  const initial = await mechanism.initialResponse();
  socket.write(encodeSaslMessage(mechanism.complete ? SaslStatus.COMPLETE : SaslStatus.OK, initial));
  let last: SaslMessage | undefined;
  while (!mechanism.complete) {
    last = await reader.next();
    const response = await answer(mechanism, last, socket);
    if (last.status === SaslStatus.COMPLETE) break;
    socket.write(encodeSaslMessage(mechanism.complete ? SaslStatus.COMPLETE : SaslStatus.OK, response));
  }
  // Complete on our side; the server still has to say so (PLAIN, and GSSAPI's last answer).
  if (last === undefined || last.status === SaslStatus.OK) {
    const final = await reader.next();
    if (final.status !== SaslStatus.COMPLETE) throw new MetastoreAuthError(`the metastore at ${uri} did not complete the SASL ${mechanism.name} negotiation (status ${final.status})`, { scope: 'metastore' });
  }
  return { layer: mechanism.securityLayer(), leftover: reader.leftover() };
}

/** A server challenge answered by the mechanism; our own failure is told to the server (BAD) before closing. */
async function answer(mechanism: SaslMechanism, message: SaslMessage, socket: Socket): Promise<Buffer> {
  try {
    return await mechanism.evaluateChallenge(message.payload);
  } catch (error) {
    if (error instanceof MetastoreAuthError && error.scope === 'metastore') socket.write(encodeSaslMessage(SaslStatus.BAD, Buffer.from(error.message, 'utf8')));
    throw error;
  }
}

/** Collects socket bytes into negotiation messages. */
class NegotiationReader {
  private buffer: Buffer = Buffer.alloc(0);
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.wake?.();
  };
  private readonly onError = (error: Error) => this.abort(new ThriftTransportError(`connection to ${this.uri} failed during SASL negotiation: ${error.message}`, { cause: error }));
  private readonly onClose = () => {
    const peer = describePeerBytes(this.buffer);
    this.abort(
      new MetastoreAuthError(`the metastore at ${this.uri} closed the connection during SASL ${this.mechanism} negotiation${peer ? `; it speaks ${peer.speaks}` : ''}`, {
        scope: 'metastore',
        hint: peer?.hint ?? 'does the metastore use SASL (hive.metastore.sasl.enabled=true)? If not, set auth to { type: none }. If it uses TLS (hive.metastore.use.SSL=true), add tls',
      }),
    );
  };

  constructor(
    private readonly socket: Socket,
    private readonly mechanism: SaslMechanism['name'],
    private readonly uri: string,
  ) {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  async next(): Promise<SaslMessage> {
    for (;;) {
      if (this.failure) throw this.failure;
      let read: ReturnType<typeof readSaslMessage>;
      try {
        read = readSaslMessage(this.buffer);
      } catch (error) {
        if (!(error instanceof SaslProtocolError)) throw error;
        const peer = describePeerBytes(error.received);
        throw new MetastoreAuthError(`the metastore at ${this.uri} did not answer the SASL ${this.mechanism} negotiation (${peer ? `it speaks ${peer.speaks}` : messageOf(error)})`, {
          scope: 'metastore',
          hint: peer?.hint ?? 'check that the uri is the metastore\'s Thrift port and that it has hive.metastore.sasl.enabled=true',
        });
      }
      if (read) {
        this.buffer = read.rest;
        const { message } = read;
        if (message.status === SaslStatus.BAD || message.status === SaslStatus.ERROR) {
          throw new MetastoreAuthError(`the metastore at ${this.uri} refused the SASL ${this.mechanism} authentication: ${message.payload.toString('utf8') || '(no reason given)'}`, {
            scope: 'metastore',
            reloginMayHelp: this.mechanism === 'GSSAPI',
            hint: REFUSAL_HINT[this.mechanism],
          });
        }
        if (message.status !== SaslStatus.OK && message.status !== SaslStatus.COMPLETE) {
          throw new MetastoreAuthError(`the metastore at ${this.uri} sent SASL status ${message.status} during negotiation`, { scope: 'metastore' });
        }
        return message;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  abort(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }

  leftover(): Buffer {
    return this.buffer;
  }

  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
  }
}
