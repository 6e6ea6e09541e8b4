/**
 * What the first bytes from a peer say it speaks, for errors when a connection's layers do not match
 * the metastore's (SASL vs plain Thrift, TLS vs none, HTTP on a Thrift port). Undefined: unknown.
 */
export function describePeerBytes(bytes: Buffer): { speaks: string; hint: string } | undefined {
  if (bytes.length === 0) return undefined;
  const first = bytes[0]!;
  if (first === 0x80 && bytes[1] === 0x01) {
    return { speaks: 'plain Thrift (no SASL)', hint: 'the metastore does not use SASL (hive.metastore.sasl.enabled=false): set auth to { type: none }' };
  }
  if ((first === 0x15 || first === 0x16) && bytes[1] === 0x03) {
    return { speaks: 'TLS', hint: 'the metastore expects TLS (hive.metastore.use.SSL=true): add tls (with caFile for a private CA)' };
  }
  if (bytes.subarray(0, 5).toString('latin1') === 'HTTP/') {
    return { speaks: 'HTTP', hint: 'this port serves Thrift over HTTP (metastore.server.thrift.transport.mode=http): use an http:// or https:// uri' };
  }
  if (first >= 2 && first <= 5 && bytes.length >= 5) {
    const length = bytes.readUInt32BE(1);
    if (length <= 64 * 1024 && bytes.length >= 5 + Math.min(length, 200)) {
      const reason = bytes.subarray(5, 5 + Math.min(length, 200)).toString('utf8');
      return {
        speaks: `SASL ("${reason}")`,
        hint: 'the metastore requires SASL (hive.metastore.sasl.enabled=true): set auth to kerberos (a Kerberized metastore) or plain (an LDAP-backed one)',
      };
    }
  }
  return undefined;
}
