// Runs an emulator in its own process (benchmarks put it on another core):
//   node dist/test/emulators/polaris/cli.js '{"port":0,"catalogs":[…],"principals":[…],"objects":{"s3://…":"…"},"mounts":{"s3://lake/wh":"/tmp/wh"}}'
// Prints one JSON line {"url":"…"} on stdout once listening, then serves until SIGTERM/SIGINT.
// Stats and faults are reachable over HTTP: GET /_emulator/stats, PUT /_emulator/faults.
import { startPolarisEmulator } from './index.js';
import type { CatalogSpec, PolarisEmulatorOptions, PrincipalSpec } from './types.js';

interface CliConfig extends PolarisEmulatorOptions {
  catalogs?: CatalogSpec[];
  principals?: PrincipalSpec[];
  objects?: Record<string, string>;
  /** Bucket prefix → local directory served as its objects (mountBucket). */
  mounts?: Record<string, string>;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as CliConfig;
  const { catalogs = [], principals = [], objects = {}, mounts = {}, ...options } = config;
  const emulator = await startPolarisEmulator(options);
  for (const c of catalogs) emulator.createCatalog(c);
  for (const p of principals) emulator.createPrincipal(p);
  for (const [uri, content] of Object.entries(objects)) emulator.putObject(uri, content);
  for (const [prefix, dir] of Object.entries(mounts)) emulator.mountBucket(prefix, dir);
  process.stdout.write(`${JSON.stringify({ url: emulator.url })}\n`);
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`polaris emulator: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
