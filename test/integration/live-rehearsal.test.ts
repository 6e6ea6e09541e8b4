// The live test's scenario against the Polaris emulator's management API, on every `npm test`: the
// scenario `npm run test:live` runs against a real Polaris is itself known to work.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPolarisEmulator } from '../emulators/polaris/index.js';
import type { PolarisEmulator } from '../emulators/polaris/types.js';
import { expectLiveScenarioPassed } from '../live/expect-live.js';
import { runLiveScenario } from '../support/live-scenario.js';

let emulator: PolarisEmulator | undefined;
let shared: string | undefined;
afterAll(async () => {
  await emulator?.close();
  if (shared) await rm(shared, { recursive: true, force: true });
});

describe('the live scenario, rehearsed against the emulator', () => {
  it('sets Polaris up through the management API, mirrors, follows changes, and cleans up', async () => {
    emulator = await startPolarisEmulator({ rootCredentials: { clientId: 'root', clientSecret: 's3cr3t' } });
    shared = await mkdtemp(join(tmpdir(), 'pm-live-rehearsal-'));
    const report = await runLiveScenario({ uri: emulator.rootUrl, adminClientId: 'root', adminClientSecret: 's3cr3t', sharedDir: shared });
    expectLiveScenarioPassed(report);
    // What it created is gone again: the catalog no longer exists.
    const token = emulator.issueToken('root');
    const catalog = await fetch(`${emulator.managementUrl}/catalogs/${report.catalog}`, { headers: { authorization: `Bearer ${token}` } });
    expect(catalog.status).toBe(404);
  });
});
