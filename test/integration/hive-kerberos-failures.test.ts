// What goes wrong with Kerberized metastores, as `polaris-mirror check` reports it: one FAIL line per
// problem, saying what failed in the terms of the KDC or the metastore, with a hint of what to change —
// never "the metastore did not answer". A real MIT KDC and the JDK's GSSAPI server play their parts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSaslFront, type SaslFront } from '../emulators/hive/sasl/sasl-front.js';
import { startHiveKit, type HiveKit } from '../emulators/hive/test-kit.js';
import { runCli } from '../support/harness.js';
import { freePort, waitFor } from '../support/ingest-client.js';
import { CONNECTOR_PRINCIPAL as CONNECTOR, HIVE_SERVICE_PRINCIPAL as METASTORE, startServiceRealm, type TestKdc } from '../support/kdc.js';

// Each test starts a JVM, a KDC or CLI processes: generous limits for a busy machine (they wait on conditions, never on time).
vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
let kdc: TestKdc;
let metastoreKeytab: string;
let connectorKeytab: string;
let kit: HiveKit | undefined;
let front: SaslFront | undefined;

beforeAll(async () => {
  ({ kdc, serviceKeytab: metastoreKeytab, connectorKeytab } = await startServiceRealm());
}, 60_000);
afterAll(async () => {
  await kdc?.close();
});
afterEach(async () => {
  await kit?.close();
  await front?.close();
  kit = undefined;
  front = undefined;
});

async function metastore(options: { qop?: string; keytab?: string } = {}): Promise<string> {
  kit = await startHiveKit();
  front = await startSaslFront({ mechanism: 'GSSAPI', backendPort: kit.hms.port, krb5Config: kdc.krb5Config, principal: METASTORE, keytab: options.keytab ?? metastoreKeytab, qop: options.qop ?? 'auth-conf' });
  return front.uri;
}

/** `check` on a kerberos source; the FAIL line of the source and its hint. */
async function check(auth: Record<string, unknown>, options: { uri?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; line: string; hint: string }> {
  const uri = options.uri ?? (await metastore());
  await kit!.configure({ uris: [uri], auth: { type: 'kerberos', servicePrincipal: 'hive/_HOST@PM.TEST', qop: 'auth-conf', ...auth } });
  const result = await runCli(['check', '--config', kit!.harness.configFile], { ...kdc.env, ...options.env });
  const lines = result.stdout.split('\n');
  const at = lines.findIndex((l) => l.includes('source hms:'));
  expect(at, result.stdout + result.stderr).toBeGreaterThanOrEqual(0);
  return { code: result.code, line: lines[at]!, hint: lines[at + 1]?.trim() ?? '' };
}

describe('check with a working Kerberos set-up', () => {
  it('PASS, naming the protection', async () => {
    const result = await check({ principal: CONNECTOR, keytab: connectorKeytab });
    expect(result.line).toMatch(/^PASS {2}source hms: thrift:\/\/127\.0\.0\.1:\d+: notification log at event \d+, \d+ database\(s\) \(Kerberos auth-conf\)/);
    expect(result.code).toBe(0);
    expect(front!.events.filter((e) => e.event === 'authenticated')).toEqual([expect.objectContaining({ user: CONNECTOR, qop: 'auth-conf' })]);
  });
});

describe('check: each failure is a FAIL line with a hint', () => {
  it('a stale keytab (the principal was re-keyed): the KDC refused the keytab', async () => {
    const stale = join(kdc.dir, 'stale.keytab');
    await kdc.addPrincipal('rekeyed@PM.TEST');
    await kdc.keytab('rekeyed@PM.TEST', stale);
    await kdc.rekey('rekeyed@PM.TEST');
    const result = await check({ principal: 'rekeyed@PM.TEST', keytab: stale });
    expect(result.code).toBe(1);
    expect(result.line).toMatch(/^FAIL {2}source hms: thrift:\/\/127\.0\.0\.1:\d+: the KDC refused the keytab for rekeyed@PM\.TEST \(/);
    expect(result.hint).toMatch(/^hint: the key in .*stale\.keytab no longer matches the KDC's/);
  });

  it('a keytab without the principal', async () => {
    const result = await check({ principal: 'someone-else@PM.TEST', keytab: connectorKeytab });
    expect(result.line).toContain(`the keytab ${connectorKeytab} holds no key for someone-else@PM.TEST (it holds: ${CONNECTOR})`);
    expect(result.hint).toMatch(/^hint: check auth\.principal/);
  });

  it('an expired ticket in the ticket cache (no keytab): what to run', async () => {
    await kdc.addPrincipal('short@PM.TEST', { maxLife: '2 seconds' });
    const keytab = await kdc.keytab('short@PM.TEST');
    const cache = `FILE:${join(kdc.dir, 'short.ccache')}`;
    await kdc.kinit('short@PM.TEST', keytab, cache);
    const expiry = Date.now() + 3000;
    await waitFor('the ticket to expire', () => Date.now() > expiry, 10_000, 100);
    const result = await check({ principal: 'short@PM.TEST' }, { env: { KRB5CCNAME: cache } });
    expect(result.line).toMatch(/the Kerberos ticket of short@PM\.TEST has expired/);
    expect(result.hint).toMatch(/^hint: run kinit again .* or set auth\.keytab/);
  });

  it('no ticket at all in the ticket cache', async () => {
    const result = await check({ principal: CONNECTOR }, { env: { KRB5CCNAME: `FILE:${join(kdc.dir, 'empty.ccache')}` } });
    expect(result.line).toMatch(/no Kerberos ticket for polaris-mirror@PM\.TEST in the ticket cache/);
    expect(result.hint).toMatch(/^hint: run kinit polaris-mirror@PM\.TEST/);
  });

  it('a metastore demanding more protection than qop', async () => {
    const uri = await metastore({ qop: 'auth-conf' });
    const result = await check({ principal: CONNECTOR, keytab: connectorKeytab, qop: 'auth' }, { uri });
    expect(result.line).toMatch(/the metastore requires privacy \(auth-conf\); qop is auth/);
    expect(result.hint).toMatch(/^hint: set auth\.qop to auth-conf/);
    await waitFor('the metastore to see the client give up', () => front!.events.some((e) => e.event === 'rejected' && /qop is auth/.test(e.error ?? '')));
  });

  it('a metastore offering less protection than qop', async () => {
    const uri = await metastore({ qop: 'auth' });
    const result = await check({ principal: CONNECTOR, keytab: connectorKeytab, qop: 'auth-conf' }, { uri });
    expect(result.line).toMatch(/the metastore offers only authentication \(auth\); qop is auth-conf/);
  });

  it('a service principal the KDC does not know', async () => {
    const result = await check({ principal: CONNECTOR, keytab: connectorKeytab, servicePrincipal: 'hvie/_HOST@PM.TEST' });
    expect(result.line).toMatch(/the KDC does not know the metastore's principal hvie\/127\.0\.0\.1@PM\.TEST/);
    expect(result.hint).toMatch(/^hint: servicePrincipal must be the metastore's hive\.metastore\.kerberos\.principal/);
  });

  it('a metastore whose own keytab is out of date rejects the ticket (after one fresh login)', async () => {
    const staleService = join(kdc.dir, 'stale-service.keytab');
    await kdc.addPrincipal('hive/localhost@PM.TEST');
    await kdc.keytab('hive/localhost@PM.TEST', staleService);
    await kdc.rekey('hive/localhost@PM.TEST');
    kit = await startHiveKit();
    front = await startSaslFront({ mechanism: 'GSSAPI', backendPort: kit.hms.port, krb5Config: kdc.krb5Config, principal: 'hive/localhost@PM.TEST', keytab: staleService, qop: 'auth' });
    const loginsBefore = kdc.logins(CONNECTOR);
    const result = await check({ principal: CONNECTOR, keytab: connectorKeytab, qop: 'auth' }, { uri: `thrift://localhost:${front.port}` });
    expect(result.line).toMatch(/the metastore at thrift:\/\/localhost:\d+ refused the SASL GSSAPI authentication: GSS initiate failed/);
    expect(result.hint).toMatch(/servicePrincipal is not the metastore's hive\.metastore\.kerberos\.principal, the metastore's keytab is out of date/);
    expect(front.events.filter((e) => e.event === 'rejected')).toHaveLength(2);
    // The login, and the fresh one after the rejection (a new ticket cache, so a new AS exchange).
    expect(kdc.logins(CONNECTOR) - loginsBefore).toBe(2);
  });

  it('the KDC down', async () => {
    const deadKdc = join(kdc.dir, 'dead-kdc.conf');
    writeFileSync(deadKdc, (await import('node:fs')).readFileSync(kdc.krb5Config, 'utf8').replace(`127.0.0.1:${kdc.port}`, `127.0.0.1:${await freePort()}`));
    const result = await check({ principal: CONNECTOR, keytab: connectorKeytab }, { env: { KRB5_CONFIG: deadKdc } });
    expect(result.line).toMatch(/no KDC answered: Cannot contact any KDC/);
    expect(result.hint).toMatch(/^hint: check the realm's kdc entries in krb5\.conf and that the KDC is up/);
  });

  it('a plain client at a SASL metastore: the metastore requires SASL', async () => {
    const uri = await metastore();
    await kit!.configure({ uris: [uri] });
    const result = await runCli(['check', '--config', kit!.harness.configFile]);
    expect(result.stdout).toMatch(/FAIL {2}source hms: thrift:\/\/127\.0\.0\.1:\d+: the metastore at 127\.0\.0\.1:\d+ answered in SASL \("Invalid status -128"\)/);
    expect(result.stdout).toMatch(/hint: the metastore requires SASL \(hive\.metastore\.sasl\.enabled=true\): set auth to kerberos/);
  });
});
