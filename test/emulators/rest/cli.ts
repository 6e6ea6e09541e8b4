// Runs the REST emulator in its own process (benchmarks put it on another core):
//   node dist/test/emulators/rest/cli.js '{"maxPageSize":100,"metadataDir":"/tmp/wh","populate":{"tables":20000,"fanout":[10,10,2]}}'
// With metadataDir, table locations are file:// URIs under it and every metadata file is written
// there (so a Polaris emulator can read them). Prints one JSON line {"url":"…","tables":N} once ready,
// then serves until SIGTERM/SIGINT. GET /_emulator/stats and POST /_emulator/reset-stats over HTTP.
import { pathToFileURL } from 'node:url';
import { writeMetadataFile } from './file-store.js';
import { startRestCatalogEmulator } from './index.js';
import { populate } from './populate.js';
import type { RestEmulatorOptions } from './types.js';

interface CliConfig extends Omit<RestEmulatorOptions, 'writeMetadata' | 'tableRoot'> {
  metadataDir?: string;
  populate?: { tables: number; fanout: number[] };
}

async function main(): Promise<void> {
  const { metadataDir, populate: bulk, ...options } = JSON.parse(process.argv[2] ?? '{}') as CliConfig;
  const emulator = await startRestCatalogEmulator({
    ...options,
    ...(metadataDir ? { tableRoot: pathToFileURL(metadataDir).href.replace(/\/+$/, ''), writeMetadata: writeMetadataFile } : {}),
  });
  const tables = bulk ? await populate(emulator, bulk) : 0;
  process.stdout.write(`${JSON.stringify({ url: emulator.url, tables })}\n`);
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
  process.stderr.write(`rest emulator: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
