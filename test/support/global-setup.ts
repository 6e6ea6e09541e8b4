// vitest globalSetup: what the secured-metastore tests need on this machine, prepared once before any
// worker starts (so two workers never run apt-get at once): Debian packages, SaslFront.java compiled, and
// a PostgreSQL cluster for the shared-ledger tests.
import { compileSaslFront } from '../emulators/hive/sasl/sasl-front.js';
import { startPostgres } from './postgres-server.js';
import { ensureTestPackages } from './system-packages.js';

export default async function setup(): Promise<() => void> {
  ensureTestPackages();
  await compileSaslFront();
  // One PostgreSQL for the shared-ledger tests (each test uses a schema of its own); the workers
  // inherit its URL. Tests that stop the database start their own.
  const postgres = await startPostgres();
  process.env.POLARIS_MIRROR_TEST_PG_URL = postgres.url;
  return () => postgres.stop();
}
