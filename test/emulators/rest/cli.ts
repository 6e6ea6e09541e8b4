// Runs the REST emulator in its own process (benchmarks put it on another core):
//   node dist/test/emulators/rest/cli.js '{"maxPageSize":100,"metadataDir":"/tmp/wh","populate":{"tables":20000,"fanout":[10,10,2]}}'
// With metadataDir, table locations are file:// URIs under it and every metadata file is written
// there (so a Polaris emulator can read them). Prints one JSON line {"url":"…","tables":N} once ready,
// then serves until SIGTERM/SIGINT. GET /_emulator/stats and POST /_emulator/reset-stats over HTTP.
import { pathToFileURL } from 'node:url';
import { writeMetadataFile } from './file-store.js';
import { runEmulatorCli } from '../emulator-cli.js';
import { startRestCatalogEmulator } from './index.js';
import { populate } from './populate.js';
import type { RestEmulatorOptions } from './types.js';

interface CliConfig extends Omit<RestEmulatorOptions, 'writeMetadata' | 'tableRoot'> {
  metadataDir?: string;
  populate?: { tables: number; fanout: number[] };
}

runEmulatorCli('rest emulator', async (config) => {
  const { metadataDir, populate: bulk, ...options } = config as CliConfig;
  const emulator = await startRestCatalogEmulator({
    ...options,
    ...(metadataDir ? { tableRoot: pathToFileURL(metadataDir).href.replace(/\/+$/, ''), writeMetadata: writeMetadataFile } : {}),
  });
  const tables = bulk ? await populate(emulator, bulk) : 0;
  return { ready: { url: emulator.url, tables }, close: () => emulator.close() };
});
