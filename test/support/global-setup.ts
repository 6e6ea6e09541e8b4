// vitest globalSetup: what the secured-metastore tests need on this machine, prepared once before any
// worker starts (so two workers never run apt-get at once): Debian packages, and SaslFront.java compiled.
import { compileSaslFront } from '../emulators/hive/sasl/sasl-front.js';
import { ensureTestPackages } from './system-packages.js';

export default async function setup(): Promise<void> {
  ensureTestPackages();
  await compileSaslFront();
}
