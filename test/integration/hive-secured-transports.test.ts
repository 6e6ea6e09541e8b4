// The other ways metastores are secured: SASL PLAIN (LDAP-backed metastores), TLS on the metastore
// socket (hive.metastore.use.SSL) with a private CA, PLAIN over TLS, and Hive 4's Thrift over HTTP(S)
// with a bearer token and a gateway's headers. Each carries the whole scenario (bootstrap, log, gap,
// hook); each way of getting it wrong is reported as what it is.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHttpMetastore, type HttpMetastore } from '../emulators/hive/http-endpoint.js';
import { startRelay, type Relay } from '../emulators/hive/relay.js';
import { startSaslFront, type SaslFront } from '../emulators/hive/sasl/sasl-front.js';
import { startHiveKit, type HiveKit } from '../emulators/hive/test-kit.js';
import { runCli } from '../support/harness.js';
import { makePrivateCa, type PrivateCa } from '../support/private-ca.js';
import { mirrorsOverTransport } from './hive-transport-scenario.js';

// Each test starts a JVM, a KDC or CLI processes: generous limits for a busy machine (they wait on conditions, never on time).
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
const PASSWORD = 'ldap-password-9f3a';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwb2xhcmlzLW1pcnJvciJ9.c2lnbmF0dXJl';
let ca: PrivateCa;
let otherCa: PrivateCa;
let kit: HiveKit | undefined;
let front: SaslFront | undefined;
let tls: Relay | undefined;
let http: HttpMetastore | undefined;

beforeAll(async () => {
  ca = await makePrivateCa();
  otherCa = await makePrivateCa('some other CA');
}, 60_000);
afterEach(async () => {
  await kit?.close();
  await front?.close();
  await tls?.close();
  await http?.close();
  [kit, front, tls, http] = [undefined, undefined, undefined, undefined];
});

async function checkLine(): Promise<{ code: number | null; stdout: string }> {
  const result = await runCli(['check', '--config', kit!.harness.configFile]);
  return { code: result.code, stdout: result.stdout };
}

describe('SASL PLAIN', () => {
  it('an LDAP-backed metastore: bootstrap, log, gap and hook', async () => {
    kit = await startHiveKit();
    front = await startSaslFront({ mechanism: 'PLAIN', backendPort: kit.hms.port, user: 'svc_polaris', password: PASSWORD });
    const running = await mirrorsOverTransport(kit, { uris: [front.uri], auth: { type: 'plain', username: 'svc_polaris', password: PASSWORD } });
    expect(front.events.filter((e) => e.event === 'authenticated').every((e) => e.user === 'svc_polaris' && e.mech === 'PLAIN')).toBe(true);
    await running.stop();
  });

  it('a wrong password: refused with the metastore\'s reason, the password never printed', async () => {
    kit = await startHiveKit();
    front = await startSaslFront({ mechanism: 'PLAIN', backendPort: kit.hms.port, user: 'svc_polaris', password: PASSWORD });
    await kit.configure({ uris: [front.uri], auth: { type: 'plain', username: 'svc_polaris', password: 'not-the-password' } });
    const result = await checkLine();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}source hms: thrift:\/\/127\.0\.0\.1:\d+: the metastore at thrift:\/\/127\.0\.0\.1:\d+ refused the SASL PLAIN authentication: Error validating the login/);
    expect(result.stdout).toMatch(/hint: check auth\.username and auth\.password/);
    expect(result.stdout).not.toContain('not-the-password');
  });

  it('a SASL client at a metastore without SASL: says so', async () => {
    kit = await startHiveKit();
    await kit.configure({ uris: [kit.hms.uri], auth: { type: 'plain', username: 'svc_polaris', password: PASSWORD }, connectTimeoutMs: 3000 });
    const result = await checkLine();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {2}source hms: thrift:\/\/127\.0\.0\.1:\d+: the metastore at thrift:\/\/127\.0\.0\.1:\d+ closed the connection during SASL PLAIN negotiation/);
    expect(result.stdout).toMatch(/hint: does the metastore use SASL \(hive\.metastore\.sasl\.enabled=true\)\? If not, set auth to \{ type: none \}/);
  });
});

describe('TLS on the metastore socket', () => {
  it('a private CA: bootstrap, log, gap and hook; nothing readable on the wire', async () => {
    kit = await startHiveKit();
    tls = await startRelay({ targetPort: kit.hms.port, tls: { cert: ca.cert, key: ca.key } });
    const tap = await startRelay({ targetPort: tls.port, record: true });
    try {
      const running = await mirrorsOverTransport(kit, { uris: [tap.uri], tls: { caFile: ca.caFile } });
      expect(tap.toClient().includes(Buffer.from('/sales/orders/metadata/'))).toBe(false);
      expect(tap.toClient().length).toBeGreaterThan(1000);
      await running.stop();
    } finally {
      await tap.close();
    }
  });

  it('PLAIN over TLS (an LDAP password never travels in the clear)', async () => {
    kit = await startHiveKit();
    front = await startSaslFront({ mechanism: 'PLAIN', backendPort: kit.hms.port, user: 'svc_polaris', password: PASSWORD });
    tls = await startRelay({ targetPort: front.port, tls: { cert: ca.cert, key: ca.key } });
    const running = await mirrorsOverTransport(kit, { uris: [tls.uri], tls: { caFile: ca.caFile }, auth: { type: 'plain', username: 'svc_polaris', password: PASSWORD } });
    expect(front.events.some((e) => e.event === 'authenticated')).toBe(true);
    await running.stop();
  });

  it('a certificate from another CA: not trusted, with the setting to change', async () => {
    kit = await startHiveKit();
    tls = await startRelay({ targetPort: kit.hms.port, tls: { cert: ca.cert, key: ca.key } });
    await kit.configure({ uris: [tls.uri], tls: { caFile: otherCa.caFile } });
    const result = await checkLine();
    expect(result.stdout).toMatch(/FAIL {2}source hms: thrift:\/\/127\.0\.0\.1:\d+: the TLS certificate of 127\.0\.0\.1:\d+ is not trusted/);
    expect(result.stdout).toMatch(/hint: set tls\.caFile to the CA that signed the metastore's certificate/);
  });

  it('no tls for a TLS metastore, and tls for a plain one: each says what the other side speaks', async () => {
    kit = await startHiveKit();
    tls = await startRelay({ targetPort: kit.hms.port, tls: { cert: ca.cert, key: ca.key } });
    await kit.configure({ uris: [tls.uri] });
    const plainClient = await checkLine();
    expect(plainClient.stdout).toMatch(/FAIL {2}source hms: .*connection to 127\.0\.0\.1:\d+ closed/);
    expect(plainClient.stdout).toMatch(/hint: .*auth and tls match hive\.metastore\.sasl\.enabled and hive\.metastore\.use\.SSL/);
    await kit.configure({ uris: [kit.hms.uri], tls: { caFile: ca.caFile }, connectTimeoutMs: 3000 });
    const tlsClient = await checkLine();
    expect(tlsClient.stdout).toMatch(/FAIL {2}source hms: thrift:\/\/127\.0\.0\.1:\d+: the TLS handshake with 127\.0\.0\.1:\d+ failed/);
    expect(tlsClient.stdout).toMatch(/hint: does the metastore use TLS \(hive\.metastore\.use\.SSL=true\)\? If not, remove tls/);
  });
});

describe('Thrift over HTTP (Hive 4)', () => {
  it('http with a bearer token and a gateway header: bootstrap, log, gap and hook', async () => {
    kit = await startHiveKit();
    http = await startHttpMetastore({ metastore: kit.metastore, token: JWT, requiredHeaders: { 'x-databricks-unity-catalog-name': 'main' } });
    const running = await mirrorsOverTransport(kit, { uris: [http.uri], auth: { type: 'bearer', token: JWT }, headers: { 'X-Databricks-Unity-Catalog-Name': 'main' } });
    expect(http.stats.calls.get_next_notification).toBeGreaterThan(0);
    expect(http.requests.every((h) => h.authorization === `Bearer ${JWT}` && h['content-type'] === 'application/x-thrift')).toBe(true);
    expect(kit.logs.map((line) => JSON.stringify(line)).join('\n')).not.toContain(JWT);
    await running.stop();
  });

  it('https with a private CA, no token: the caller named by x-actor-username', async () => {
    kit = await startHiveKit();
    http = await startHttpMetastore({ metastore: kit.metastore, tls: { cert: ca.cert, key: ca.key } });
    const running = await mirrorsOverTransport(kit, { uris: [http.uri], tls: { caFile: ca.caFile }, headers: { 'x-actor-username': 'svc_polaris' } });
    expect(http.requests.every((h) => h['x-actor-username'] === 'svc_polaris')).toBe(true);
    await running.stop();
  });

  it('a refused token is an authentication failure (FAIL with the servlet\'s reason), the token never printed', async () => {
    kit = await startHiveKit();
    http = await startHttpMetastore({ metastore: kit.metastore, token: JWT });
    await kit.configure({ uris: [http.uri], auth: { type: 'bearer', token: 'expired-or-wrong-token' } });
    const result = await checkLine();
    expect(result.stdout).toMatch(/FAIL {2}source hms: http:\/\/127\.0\.0\.1:\d+\/metastore: the metastore at .* refused get_current_notificationEventId with HTTP 401: Authentication error: Failed to validate JWT/);
    expect(result.stdout).toMatch(/hint: check auth\.token/);
    expect(result.stdout).not.toContain('expired-or-wrong-token');
  });

  it('a wrong path: HTTP 404 with the setting to check', async () => {
    kit = await startHiveKit();
    http = await startHttpMetastore({ metastore: kit.metastore });
    await kit.configure({ uris: [http.uri.replace('/metastore', '/hms')] });
    const result = await checkLine();
    expect(result.stdout).toMatch(/HTTP 404.*metastore\.server\.thrift\.http\.path/);
  });
});
