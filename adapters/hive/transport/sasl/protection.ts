/**
 * SASL qualities of protection as GSSAPI (RFC 4752) offers them: a bit each in the server's offer.
 * Hadoop's hadoop.rpc.protection names them authentication / integrity / privacy.
 */
export type Qop = 'auth' | 'auth-int' | 'auth-conf';

export const QOP_BIT: Record<Qop, number> = { auth: 1, 'auth-int': 2, 'auth-conf': 4 };
const HADOOP_NAME: Record<Qop, string> = { auth: 'authentication', 'auth-int': 'integrity', 'auth-conf': 'privacy' };
const ORDER: readonly Qop[] = ['auth', 'auth-int', 'auth-conf'];

export function describeQop(qop: Qop): string {
  return `${HADOOP_NAME[qop]} (${qop})`;
}

/** The levels set in an offer's bitmask, weakest first. */
export function offeredLevels(mask: number): Qop[] {
  return ORDER.filter((qop) => (mask & QOP_BIT[qop]) !== 0);
}

/**
 * The level to answer the server's offer with: `qop` itself, as Hadoop's clients do with
 * hadoop.rpc.protection — never weaker, and never a level the operator did not choose. A mismatch
 * is explained in the metastore's terms (a message and a hint), undefined when `qop` is offered.
 */
export function protectionMismatch(mask: number, qop: Qop): { message: string; hint: string } | undefined {
  const offered = offeredLevels(mask);
  if (offered.includes(qop)) return undefined;
  const rank = ORDER.indexOf(qop);
  const names = offered.map(describeQop).join(' or ') || 'no protection level';
  const message = offered.every((level) => ORDER.indexOf(level) > rank)
    ? `the metastore requires ${names}; qop is ${qop}`
    : offered.every((level) => ORDER.indexOf(level) < rank)
      ? `the metastore offers only ${names}; qop is ${qop}`
      : `the metastore offers ${names}; qop is ${qop}`;
  return {
    message,
    hint: `set auth.qop to ${offered.join(' or ') || 'a level the metastore allows'}: the metastore's hadoop.rpc.protection (authentication = auth, integrity = auth-int, privacy = auth-conf) must include it`,
  };
}
