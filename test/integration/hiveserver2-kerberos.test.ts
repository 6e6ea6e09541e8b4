// HiveServer2 with hive.server2.authentication=KERBEROS on the binary transport: hive-driver's SASL
// GSSAPI steps driven by the hive source's MIT libgssapi mechanism, against a real MIT KDC (a throwaway
// realm) and the JDK's GSSAPI server (SaslFront) in front of the HiveServer2 emulator.
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { startSaslFront, type SaslFront } from '../emulators/hive/sasl/sasl-front.js';
import type { RunningMirror } from '../emulators/hive/test-kit.js';
import { startHs2Kit, type Hs2Kit } from '../emulators/hiveserver2/test-kit.js';
import { waitFor } from '../support/ingest-client.js';
import { CONNECTOR_PRINCIPAL as CONNECTOR, HIVE_SERVICE_PRINCIPAL as SERVER, startServiceRealm, type TestKdc } from '../support/kdc.js';

// A KDC and a JVM: generous limits for a busy machine (the tests wait on conditions, never on time).
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
let kdc: TestKdc;
let serverKeytab: string;
let connectorKeytab: string;
let kit: Hs2Kit | undefined;
let front: SaslFront | undefined;
let running: RunningMirror | undefined;

beforeAll(async () => {
  ({ kdc, serviceKeytab: serverKeytab, connectorKeytab } = await startServiceRealm());
  process.env.KRB5_CONFIG = kdc.krb5Config;
}, 60_000);
afterAll(async () => {
  await kdc?.close();
});
afterEach(async () => {
  await running?.stop();
  await kit?.close();
  await front?.close();
  running = undefined;
  kit = undefined;
  front = undefined;
});

it('kerberos (auth): listing and the change log through a GSSAPI-authenticated session', async () => {
  kit = await startHs2Kit();
  front = await startSaslFront({ mechanism: 'GSSAPI', backendPort: kit.hs2.port, krb5Config: kdc.krb5Config, principal: SERVER, keytab: serverKeytab, qop: 'auth' });
  await kit.configureHs2({ port: front.port, auth: { type: 'kerberos', servicePrincipal: 'hive/_HOST@PM.TEST', principal: CONNECTOR, keytab: connectorKeytab } });
  const orders = await kit.createIceberg('sales', 'orders');
  running = await kit.start();
  await kit.waitForPolaris('sales.orders', orders);
  const orders2 = await kit.commit('sales', 'orders');
  await kit.waitForPolaris('sales.orders', orders2);
  await waitFor('the cursor at the head', async () => (await running!.mirror.ledger.cursor('hs2')) === String(kit!.metastore.currentEventId));
  const logins = front.events.filter((e) => e.event === 'authenticated');
  expect(logins.length).toBeGreaterThanOrEqual(2);
  expect(logins.every((e) => e.user === CONNECTOR && e.qop === 'auth')).toBe(true);
});

it('a service principal the KDC does not know: an authentication error naming it, with a hint', async () => {
  kit = await startHs2Kit();
  front = await startSaslFront({ mechanism: 'GSSAPI', backendPort: kit.hs2.port, krb5Config: kdc.krb5Config, principal: SERVER, keytab: serverKeytab, qop: 'auth' });
  await kit.configureHs2({ port: front.port, auth: { type: 'kerberos', servicePrincipal: 'hive/nowhere.example@PM.TEST', principal: CONNECTOR, keytab: connectorKeytab } });
  running = await kit.start();
  await waitFor('a warning about the login', () => kit!.logs.some((l) => l.level >= 40 && /hive\/nowhere\.example@PM\.TEST/.test(l.msg)));
  const warning = kit.logs.find((l) => l.level >= 40 && /hive\/nowhere\.example@PM\.TEST/.test(l.msg))!;
  expect(warning.hint).toBeTruthy();
  expect(front.events.some((e) => e.event === 'authenticated')).toBe(false);
});
