// Starts SaslFront.java (the SASL side of a secured metastore) in front of a Thrift emulator: compiled
// once per source version into a cache directory, then run with the JDK. Its stdout events say who
// authenticated with which protection, and what it refused.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitFor } from '../../../support/ingest-client.js';
import { command } from '../../../support/system-packages.js';

const run = promisify(execFile);

export interface SaslFrontEvent {
  readonly event: 'listening' | 'authenticated' | 'rejected' | 'done';
  readonly port?: number;
  readonly mech?: string;
  readonly user?: string;
  readonly qop?: string;
  readonly error?: string;
}

export type SaslFrontOptions = {
  /** The plain Thrift emulator the front relays to. */
  readonly backendPort: number;
} & (
  | {
      readonly mechanism: 'GSSAPI';
      /** The realm's krb5.conf. */
      readonly krb5Config: string;
      /** The metastore's principal (hive/127.0.0.1@REALM) and its keytab. */
      readonly principal: string;
      readonly keytab: string;
      /** The levels the metastore allows, strongest first (hadoop.rpc.protection), e.g. "auth-conf" or "auth-conf,auth-int,auth". */
      readonly qop: string;
    }
  | { readonly mechanism: 'PLAIN'; readonly user: string; readonly password: string }
);

export interface SaslFront {
  readonly uri: string;
  readonly port: number;
  readonly events: readonly SaslFrontEvent[];
  /** Closes every client connection, as a metastore restart does (clients must reconnect and authenticate again). */
  drop(): Promise<void>;
  close(): Promise<void>;
}

/** The directory with SaslFront.class for the current source (compiled on first use). */
export async function compileSaslFront(): Promise<string> {
  const source = join(packageRoot(), 'test', 'emulators', 'hive', 'sasl', 'SaslFront.java');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const target = join(tmpdir(), `polaris-mirror-sasl-front-${hash}`);
  if (existsSync(join(target, 'SaslFront.class'))) return target;
  const building = mkdtempSync(`${target}-building-`);
  await run(command('javac'), ['-Xlint:-removal', '-d', building, source]);
  try {
    renameSync(building, target);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another worker finished first
  }
  return target;
}

export async function startSaslFront(options: SaslFrontOptions): Promise<SaslFront> {
  const classes = await compileSaslFront();
  const args =
    options.mechanism === 'GSSAPI'
      ? [`-Djava.security.krb5.conf=${options.krb5Config}`, '-cp', classes, 'SaslFront', 'mech=GSSAPI', `principal=${options.principal}`, `keytab=${options.keytab}`, `qop=${options.qop}`]
      : ['-cp', classes, 'SaslFront', 'mech=PLAIN', `user=${options.user}`, `password=${options.password}`];
  const child: ChildProcess = spawn(command('java'), [...args, `backend=127.0.0.1:${options.backendPort}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  const events: SaslFrontEvent[] = [];
  let stderr = '';
  let pending = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as SaslFrontEvent);
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => (stderr += text));
  const listening = await waitFor('the SASL front to listen', () => {
    if (child.exitCode !== null) throw new Error(`the SASL front exited (${child.exitCode}): ${stderr}`);
    return events.find((e) => e.event === 'listening');
  }, 30_000, 20);
  const port = listening.port!;
  let commands = 0;
  return {
    uri: `thrift://127.0.0.1:${port}`,
    port,
    events,
    async drop() {
      const before = ++commands;
      child.stdin!.write('drop\n');
      await waitFor('the SASL front to drop its connections', () => events.filter((e) => e.event === 'done').length >= before, 60_000, 10);
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      child.kill();
      await exited;
    },
  };
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the package root');
    dir = parent;
  }
  return dir;
}
