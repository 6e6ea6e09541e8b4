// Debian packages the secured-metastore tests need: a real MIT Kerberos KDC and its tools, the JDK
// (the metastore side of SASL GSSAPI is the JDK's own), openssl (a private CA); and Chromium, the
// browser the console tests drive through playwright-core. On a fresh machine
// they are installed here (as root, with apt-get), so no test is ever skipped for want of them.
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { postgresBinDir } from './postgres-server.js';

/** Command → the Debian package that provides it. */
const COMMANDS: Record<string, string> = {
  krb5kdc: 'krb5-kdc',
  kdb5_util: 'krb5-kdc',
  'kadmin.local': 'krb5-admin-server',
  kinit: 'krb5-user',
  ktutil: 'krb5-user',
  java: 'default-jdk-headless',
  javac: 'default-jdk-headless',
  openssl: 'openssl',
  chromium: 'chromium',
};
/** The runtime library the connector's Kerberos uses (libgssapi_krb5.so.2). */
const LIBRARY_PACKAGE = 'libgssapi-krb5-2';
const SEARCH = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/sbin'];

/** The absolute path of a command, looking in PATH and the sbin directories where Debian puts the KDC. */
export function findCommand(name: string): string | undefined {
  for (const dir of SEARCH) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function command(name: string): string {
  const found = findCommand(name);
  if (!found) throw new Error(`${name} is not installed (Debian package ${COMMANDS[name] ?? name}); the test set-up installs it when run as root`);
  return found;
}

/** Installs whatever is missing; throws with the package list when it cannot (not root). */
export function ensureTestPackages(): void {
  const missing = new Set(Object.entries(COMMANDS).filter(([name]) => !findCommand(name)).map(([, pkg]) => pkg));
  if (!hasGssapiLibrary()) missing.add(LIBRARY_PACKAGE);
  // The shared-ledger tests run a real PostgreSQL server (its binaries live outside PATH).
  if (!postgresBinDir()) missing.add('postgresql');
  if (missing.size === 0) return;
  const packages = [...missing];
  if (process.getuid?.() !== 0) throw new Error(`the Kerberos, console and PostgreSQL tests need these Debian packages: ${packages.join(' ')} (install them, or run the tests as root)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  process.stderr.write(`installing ${packages.join(' ')} for the Kerberos, console and PostgreSQL tests…\n`);
  execFileSync('apt-get', ['update'], { stdio: 'ignore', env, timeout: 600_000 });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'ignore', env, timeout: 900_000 });
}

function hasGssapiLibrary(): boolean {
  try {
    return execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }).includes('libgssapi_krb5.so.2');
  } catch {
    return true; // no ldconfig to ask: let the library load tell
  }
}
