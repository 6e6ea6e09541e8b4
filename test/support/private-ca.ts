// A private CA made at test time with openssl, and a server certificate it signed for 127.0.0.1 and
// localhost: what a metastore behind hive.metastore.use.SSL (or an https gateway) presents.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { command } from './system-packages.js';

const run = promisify(execFile);

export interface PrivateCa {
  /** PEM of the CA certificate (for tls.caFile). */
  readonly caFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export async function makePrivateCa(name = 'polaris-mirror test CA'): Promise<PrivateCa> {
  const dir = mkdtempSync(join(tmpdir(), 'pm-ca-'));
  const openssl = command('openssl');
  const file = (f: string) => join(dir, f);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run(openssl, ['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '3', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run(openssl, ['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await run(openssl, ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.crt'), '-days', '3', '-extfile', file('ext.cnf')]);
  return { caFile: file('ca.crt'), cert: readFileSync(file('server.crt')), key: readFileSync(file('server.key')) };
}
