// A real PostgreSQL (Debian's postgresql package) on loopback for the shared-ledger tests: initdb into a
// temporary directory, a free port, pg_ctl. PostgreSQL refuses to run as root, so when the tests run as
// root the cluster belongs to the unprivileged `postgres` user the package creates.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

const PASSWORD = 'mirror-test-secret';

/** The newest PostgreSQL server binaries installed (/usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : undefined;
}

export interface PostgresServer {
  readonly port: number;
  readonly dataDir: string;
  /** postgresql://postgres:<password>@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly password: string;
  /** `pg_ctl stop -m immediate`: the abrupt end of a crash. */
  crash(): void;
  start(): void;
  stop(): void;
}

function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Starts a fresh cluster; stop() (or the test run's end) removes it. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (Debian package postgresql); the test set-up installs it when run as root');
  const as = owner();
  const base = mkdtempSync(join(tmpdir(), 'mirror-pg-'));
  const dataDir = join(base, 'data');
  const pwfile = join(base, 'pwfile');
  writeFileSync(pwfile, `${PASSWORD}\n`);
  if (as) {
    chownSync(base, as.uid, as.gid);
    chownSync(pwfile, as.uid, as.gid);
  }
  chmodSync(base, 0o700);
  const run = (command: string, args: string[]) => {
    const result = spawnSync(join(bin, command), args, { encoding: 'utf8', uid: as?.uid, gid: as?.gid, cwd: base, timeout: 120_000 });
    if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr || result.stdout}`);
  };
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${base} -c fsync=off -c max_connections=200 -c shared_buffers=32MB`;
  const start = () => run('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(base, 'log'), '-w', '-t', '120', 'start']);
  start();
  // A run that ends without stopping it (a timed-out test, an interrupted benchmark) leaves no server behind.
  const stopAtExit = () => spawnSync(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop'], { uid: as?.uid, gid: as?.gid, cwd: base, timeout: 30_000 });
  process.once('exit', stopAtExit);
  return {
    port,
    dataDir,
    password: PASSWORD,
    url: `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    crash: () => run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']),
    start,
    stop: () => {
      process.off('exit', stopAtExit);
      try {
        run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** The test run's shared cluster (started by the global set-up), or undefined outside vitest. */
export function sharedPostgresUrl(): string {
  const url = process.env.POLARIS_MIRROR_TEST_PG_URL;
  if (!url) throw new Error('no test PostgreSQL: the vitest global set-up starts one (test/support/global-setup.ts)');
  return url;
}

let schemas = 0;
/** A schema name of its own for one test (one cluster, many tests in parallel). */
export function freshSchema(prefix = 't'): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${++schemas}`;
}

/** Removes a test's schema from the shared cluster. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: sharedPostgresUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
