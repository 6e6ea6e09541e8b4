// Kerberized metastores: SASL GSSAPI against a real MIT KDC (a throwaway realm) and the JDK's own GSSAPI
// server (what a metastore with hive.metastore.sasl.enabled=true runs), at each protection level of
// hadoop.rpc.protection, over the buffered and the framed transport. Every level must carry the whole
// scenario (bootstrap, log, gap, hook); privacy must leave no readable byte on the wire.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSaslFront, type SaslFront } from '../emulators/hive/sasl/sasl-front.js';
import { startRelay, type Relay } from '../emulators/hive/relay.js';
import { startHiveKit, type HiveKit } from '../emulators/hive/test-kit.js';
import { freePort } from '../support/ingest-client.js';
import { CONNECTOR_PRINCIPAL as CONNECTOR, HIVE_SERVICE_PRINCIPAL as METASTORE, startServiceRealm, type TestKdc } from '../support/kdc.js';
import { mirrorsOverTransport } from './hive-transport-scenario.js';

// Each test starts a JVM, a KDC or CLI processes: generous limits for a busy machine (they wait on conditions, never on time).
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
let kdc: TestKdc;
let metastoreKeytab: string;
let connectorKeytab: string;
let kit: HiveKit | undefined;
let front: SaslFront | undefined;
let tap: Relay | undefined;

beforeAll(async () => {
  ({ kdc, serviceKeytab: metastoreKeytab, connectorKeytab } = await startServiceRealm());
  process.env.KRB5_CONFIG = kdc.krb5Config;
}, 60_000);
afterAll(async () => {
  await kdc?.close();
});
afterEach(async () => {
  await kit?.close();
  await tap?.close();
  await front?.close();
  kit = undefined;
  tap = undefined;
  front = undefined;
});

/** A metastore requiring `serverQop`, reached through a tap that records the bytes on the wire. */
async function kerberizedMetastore(transport: 'buffered' | 'framed', serverQop: string): Promise<string> {
  kit = await startHiveKit({ emulator: { transport } });
  front = await startSaslFront({ mechanism: 'GSSAPI', backendPort: kit.hms.port, krb5Config: kdc.krb5Config, principal: METASTORE, keytab: metastoreKeytab, qop: serverQop });
  tap = await startRelay({ targetPort: front.port, record: true });
  return tap.uri;
}

const kerberos = (qop: string) => ({ type: 'kerberos', servicePrincipal: 'hive/_HOST@PM.TEST', principal: CONNECTOR, keytab: connectorKeytab, qop });

describe.each(['buffered', 'framed'] as const)('SASL GSSAPI over the %s transport', (transport) => {
  it.each(['auth', 'auth-int', 'auth-conf'] as const)('%s: bootstrap, log, gap and hook as over a plain socket', async (qop) => {
    const uri = await kerberizedMetastore(transport, qop);
    const running = await mirrorsOverTransport(kit!, { uris: [uri], transport, auth: kerberos(qop) });
    const logins = front!.events.filter((e) => e.event === 'authenticated');
    expect(logins.length).toBeGreaterThanOrEqual(2);
    expect(logins.every((e) => e.user === CONNECTOR && e.qop === qop)).toBe(true);
    // What the wire shows: table names and metadata paths in the clear, except under privacy.
    const wire = Buffer.concat([tap!.toServer(), tap!.toClient()]);
    expect(wire.includes(Buffer.from('get_next_notification'))).toBe(qop !== 'auth-conf');
    expect(wire.includes(Buffer.from('/sales/orders/metadata/'))).toBe(qop !== 'auth-conf');
    await running.stop();
  });
});

it('negotiates the level of qop when the metastore allows several (hadoop.rpc.protection=authentication,integrity,privacy)', async () => {
  const uri = await kerberizedMetastore('buffered', 'auth-conf,auth-int,auth');
  const running = await mirrorsOverTransport(kit!, { uris: [uri], auth: kerberos('auth-int') });
  expect(front!.events.filter((e) => e.event === 'authenticated').map((e) => e.qop)).toContain('auth-int');
  await running.stop();
});

it('fails over across uris as over plain sockets: a metastore that is down, then one that rejects the ticket, then one that serves', async () => {
  kit = await startHiveKit();
  front = await startSaslFront({ mechanism: 'GSSAPI', backendPort: kit.hms.port, krb5Config: kdc.krb5Config, principal: METASTORE, keytab: metastoreKeytab, qop: 'auth-conf' });
  // A metastore on "localhost" whose keytab went stale: it refuses every ticket.
  await kdc.addPrincipal('hive/localhost@PM.TEST');
  const staleKeytab = await kdc.keytab('hive/localhost@PM.TEST', `${kdc.dir}/stale-hms.keytab`);
  await kdc.rekey('hive/localhost@PM.TEST');
  const rejecting = await startSaslFront({ mechanism: 'GSSAPI', backendPort: kit.hms.port, krb5Config: kdc.krb5Config, principal: 'hive/localhost@PM.TEST', keytab: staleKeytab, qop: 'auth-conf' });
  try {
    const down = `thrift://127.0.0.1:${await freePort()}`;
    const running = await mirrorsOverTransport(kit, { uris: [down, `thrift://localhost:${rejecting.port}`, front.uri], auth: kerberos('auth-conf') });
    expect(rejecting.events.filter((e) => e.event === 'rejected').length).toBeGreaterThanOrEqual(1);
    expect(front.events.filter((e) => e.event === 'authenticated').length).toBeGreaterThanOrEqual(2);
    expect(kit.logs.some((line) => /refused the SASL GSSAPI authentication: GSS initiate failed\); trying thrift:\/\/127\.0\.0\.1/.test(line.msg))).toBe(true);
    await running.stop();
  } finally {
    await rejecting.close();
  }
});
