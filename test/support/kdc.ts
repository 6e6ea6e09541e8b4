// A throwaway MIT Kerberos realm for tests: a real KDC (krb5kdc) on a free loopback port, its database,
// principals and keytabs made with kadmin.local, all under a temporary directory removed at close().
// The connector (MIT GSSAPI through KRB5_CONFIG) and the JDK's metastore side (java.security.krb5.conf)
// read the same krb5.conf.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { waitFor } from './ingest-client.js';
import { command } from './system-packages.js';

const run = promisify(execFile);

export const REALM = 'PM.TEST';

export interface TestKdc {
  readonly realm: string;
  readonly dir: string;
  /** The krb5.conf clients use (KRB5_CONFIG, -Djava.security.krb5.conf). */
  readonly krb5Config: string;
  readonly port: number;
  /** Environment for a process that uses this realm (the CLI, kinit). */
  readonly env: Record<string, string>;
  /** Adds a principal with a random key; maxLife e.g. "8 seconds" caps its tickets' lifetime. */
  addPrincipal(principal: string, options?: { maxLife?: string }): Promise<void>;
  /** Writes the principal's current key to a keytab (without changing it) and returns the path. */
  keytab(principal: string, file?: string): Promise<string>;
  /** Gives the principal a new random key: keytabs written before hold a stale key. */
  rekey(principal: string): Promise<void>;
  /** Runs kinit from a keytab into a ticket cache (FILE:…), with a requested lifetime ("5s"). */
  kinit(principal: string, keytab: string, cache: string, lifetime?: string): Promise<void>;
  /** Initial tickets the KDC issued to the principal so far (its AS exchanges: logins). */
  logins(principal: string): number;
  /** Stops the KDC (clients then cannot log in); start() brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The Hive service's principal on loopback (a metastore or HiveServer2) and the connector's. */
export const HIVE_SERVICE_PRINCIPAL = `hive/127.0.0.1@${REALM}`;
export const CONNECTOR_PRINCIPAL = `polaris-mirror@${REALM}`;

export interface ServiceRealm {
  readonly kdc: TestKdc;
  readonly serviceKeytab: string;
  readonly connectorKeytab: string;
}

/** A throwaway realm holding both principals, with a keytab each: how every Kerberos test starts. */
export async function startServiceRealm(): Promise<ServiceRealm> {
  const kdc = await startKdc();
  try {
    await kdc.addPrincipal(HIVE_SERVICE_PRINCIPAL);
    await kdc.addPrincipal(CONNECTOR_PRINCIPAL);
    return { kdc, serviceKeytab: await kdc.keytab(HIVE_SERVICE_PRINCIPAL), connectorKeytab: await kdc.keytab(CONNECTOR_PRINCIPAL) };
  } catch (error) {
    await kdc.close();
    throw error;
  }
}

export async function startKdc(): Promise<TestKdc> {
  const dir = mkdtempSync(join(tmpdir(), 'pm-kdc-'));
  const port = await freePort();
  const krb5Config = join(dir, 'krb5.conf');
  const kdcProfile = join(dir, 'kdc.conf');
  const logFile = join(dir, 'kdc.log');
  writeFileSync(
    krb5Config,
    `[libdefaults]
  default_realm = ${REALM}
  dns_lookup_kdc = false
  dns_lookup_realm = false
  dns_canonicalize_hostname = false
  rdns = false
  udp_preference_limit = 1
  ticket_lifetime = 1h
  forwardable = false
  kdc_timeout = 2000
  max_retries = 1
[realms]
  ${REALM} = {
    kdc = 127.0.0.1:${port}
  }
`,
  );
  writeFileSync(
    kdcProfile,
    `[kdcdefaults]
  kdc_listen = 127.0.0.1:${port}
  kdc_tcp_listen = 127.0.0.1:${port}
[realms]
  ${REALM} = {
    database_name = ${join(dir, 'principal')}
    key_stash_file = ${join(dir, 'stash')}
    acl_file = ${join(dir, 'kadm5.acl')}
    max_life = 1h
    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
  }
[logging]
  kdc = FILE:${logFile}
`,
  );
  writeFileSync(join(dir, 'kadm5.acl'), '');
  const env = { KRB5_CONFIG: krb5Config, KRB5_KDC_PROFILE: kdcProfile };
  const withEnv = { env: { ...process.env, ...env } };
  await run(command('kdb5_util'), ['create', '-s', '-r', REALM, '-P', 'test-master-password'], withEnv);
  const kadmin = (query: string) => run(command('kadmin.local'), ['-r', REALM, '-q', query], withEnv);

  let kdc: ChildProcess | undefined;
  const start = async () => {
    const child = spawn(command('krb5kdc'), ['-n', '-r', REALM], { ...withEnv, stdio: 'ignore' });
    kdc = child;
    await waitFor('the KDC to listen', () => accepts(port), 60_000, 50);
  };
  const stop = async () => {
    const child = kdc;
    kdc = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  await start();

  return {
    realm: REALM,
    dir,
    krb5Config,
    port,
    env: { KRB5_CONFIG: krb5Config },
    async addPrincipal(principal, options = {}) {
      await kadmin(`addprinc -randkey ${options.maxLife ? `-maxlife "${options.maxLife}" ` : ''}${principal}`);
    },
    async keytab(principal, file = join(dir, `${principal.replace(/[^\w.-]/g, '_')}.keytab`)) {
      await kadmin(`ktadd -norandkey -k ${file} ${principal}`);
      return file;
    },
    async rekey(principal) {
      await kadmin(`cpw -randkey ${principal}`);
    },
    async kinit(principal, keytab, cache, lifetime) {
      await run(command('kinit'), [...(lifetime ? ['-l', lifetime] : []), '-k', '-t', keytab, '-c', cache, principal], withEnv);
    },
    logins(principal) {
      let log = '';
      try {
        log = readFileSync(logFile, 'utf8');
      } catch {
        return 0;
      }
      return log.split('\n').filter((line) => line.includes('AS_REQ') && line.includes('ISSUE') && line.includes(`${principal} for krbtgt/`)).length;
    },
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
