/**
 * One SASL mechanism on the client side (javax.security.sasl.SaslClient's shape): an initial response,
 * answers to challenges until complete, then the protection of data frames it negotiated.
 */
export interface SaslMechanism {
  readonly name: 'GSSAPI' | 'PLAIN';
  readonly complete: boolean;
  initialResponse(): Promise<Buffer>;
  evaluateChallenge(challenge: Buffer): Promise<Buffer>;
  /** Undefined: frames carry the Thrift bytes as they are (`auth`, PLAIN). */
  securityLayer(): SecurityLayer | undefined;
  /** Frees what the mechanism holds when negotiation fails (a completed layer is disposed by its channel). */
  dispose(): void;
}

/** Integrity (auth-int) or privacy (auth-conf) on every frame in both directions. */
export interface SecurityLayer {
  readonly qop: 'auth-int' | 'auth-conf';
  /** The outgoing bytes as wrapped tokens, each within the peer's receive limit (one frame each). */
  wrap(data: Buffer): Buffer[];
  unwrap(token: Buffer): Buffer;
  dispose(): void;
}
