import type { SaslMechanism } from './sasl-mechanism.js';

/**
 * SASL PLAIN (RFC 4616): one message, authzid \0 authcid \0 password. The user name goes in as both
 * authzid and authcid, as Hive's own clients send it; LDAP-backed metastores check the pair.
 */
export class PlainMechanism implements SaslMechanism {
  readonly name = 'PLAIN';
  complete = false;

  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  async initialResponse(): Promise<Buffer> {
    this.complete = true;
    return Buffer.from(`${this.username}\0${this.username}\0${this.password}`, 'utf8');
  }

  async evaluateChallenge(): Promise<Buffer> {
    throw new Error('SASL PLAIN expects no challenge');
  }

  securityLayer(): undefined {
    return undefined;
  }

  dispose(): void {}
}
