// A long run against a Kerberized metastore outlives its tickets: the realm issues the connector's
// principal 6-second tickets, the metastore drops its connections every ticket lifetime (a restart, an
// idle timeout), and every commit must still reach Polaris — the connector logs in again from its
// keytab as tickets expire, and the run never stops.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startSaslFront, type SaslFront } from '../emulators/hive/sasl/sasl-front.js';
import { startHiveKit, type HiveKit } from '../emulators/hive/test-kit.js';
import { waitFor } from '../support/ingest-client.js';
import { startKdc, type TestKdc } from '../support/kdc.js';

// Each test starts a JVM, a KDC or CLI processes: generous limits for a busy machine (they wait on conditions, never on time).
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
const METASTORE = 'hive/127.0.0.1@PM.TEST';
const CONNECTOR = 'renewing@PM.TEST';
const TICKET_SECONDS = 6;
let kdc: TestKdc;
let kit: HiveKit;
let front: SaslFront;

beforeAll(async () => {
  kdc = await startKdc();
  await kdc.addPrincipal(METASTORE);
  await kdc.addPrincipal(CONNECTOR, { maxLife: `${TICKET_SECONDS} seconds` });
  process.env.KRB5_CONFIG = kdc.krb5Config;
  kit = await startHiveKit();
  front = await startSaslFront({ mechanism: 'GSSAPI', backendPort: kit.hms.port, krb5Config: kdc.krb5Config, principal: METASTORE, keytab: await kdc.keytab(METASTORE), qop: 'auth-int' });
}, 60_000);
afterAll(async () => {
  await kit?.close();
  await front?.close();
  await kdc?.close();
});

it('keeps mirroring across several ticket lifetimes, logging in again from the keytab', async () => {
  const keytab = await kdc.keytab(CONNECTOR);
  await kit.configure({ uris: [front.uri], auth: { type: 'kerberos', servicePrincipal: 'hive/_HOST@PM.TEST', principal: CONNECTOR, keytab, qop: 'auth-int' } });
  const first = await kit.createIceberg('sales', 'orders');
  const running = await kit.start();
  await kit.waitForPolaris('sales.orders', first);
  const start = Date.now();
  for (let lifetime = 1; lifetime <= 4; lifetime++) {
    // The previous tickets are over; the metastore drops every connection, so the next call authenticates anew.
    await waitFor(`ticket lifetime ${lifetime} to pass`, () => Date.now() > start + lifetime * (TICKET_SECONDS + 1) * 1000, 60_000, 100);
    await front.drop();
    const location = await kit.commit('sales', 'orders');
    await kit.waitForPolaris('sales.orders', location, 30_000);
  }
  const authentications = front.events.filter((e) => e.event === 'authenticated');
  expect(authentications.length).toBeGreaterThanOrEqual(5);
  expect(authentications.every((e) => e.user === CONNECTOR && e.qop === 'auth-int')).toBe(true);
  // One login per lifetime at least: each was made from the keytab when the previous ticket ran out.
  expect(kdc.logins(CONNECTOR)).toBeGreaterThanOrEqual(4);
  expect(kit.logs.filter((line) => line.level >= 50)).toEqual([]);
  await running.stop();
}, 120_000);
