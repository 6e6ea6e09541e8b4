// Runs an emulator in its own process (benchmarks put it on another core):
//   node dist/test/emulators/polaris/cli.js '{"port":0,"catalogs":[…],"principals":[…],"objects":{"s3://…":"…"},"mounts":{"s3://lake/wh":"/tmp/wh"}}'
// Prints one JSON line {"url":"…"} on stdout once listening, then serves until SIGTERM/SIGINT.
// Stats and faults are reachable over HTTP: GET /_emulator/stats, PUT /_emulator/faults.
import { runEmulatorCli } from '../emulator-cli.js';
import { startPolarisEmulator } from './index.js';
import type { CatalogSpec, PolarisEmulatorOptions, PrincipalSpec } from './types.js';

interface CliConfig extends PolarisEmulatorOptions {
  catalogs?: CatalogSpec[];
  principals?: PrincipalSpec[];
  objects?: Record<string, string>;
  /** Bucket prefix → local directory served as its objects (mountBucket). */
  mounts?: Record<string, string>;
}

runEmulatorCli('polaris emulator', async (config) => {
  const { catalogs = [], principals = [], objects = {}, mounts = {}, ...options } = config as CliConfig;
  const emulator = await startPolarisEmulator(options);
  for (const c of catalogs) emulator.createCatalog(c);
  for (const p of principals) emulator.createPrincipal(p);
  for (const [uri, content] of Object.entries(objects)) emulator.putObject(uri, content);
  for (const [prefix, dir] of Object.entries(mounts)) emulator.mountBucket(prefix, dir);
  return { ready: { url: emulator.url }, close: () => emulator.close() };
});
