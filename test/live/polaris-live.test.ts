// `npm run test:live`: the connector against a REAL Polaris. Skipped unless POLARIS_URI and admin
// credentials are set — see the README section "Live test against a real Polaris" for the exact steps.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { runLiveScenario } from '../support/live-scenario.js';
import { expectLiveScenarioPassed } from './expect-live.js';

const uri = process.env.POLARIS_URI;
const adminClientId = process.env.POLARIS_ADMIN_CLIENT_ID;
const adminClientSecret = process.env.POLARIS_ADMIN_CLIENT_SECRET;

describe.skipIf(!uri || !adminClientId || !adminClientSecret)('live: a real Polaris at POLARIS_URI', () => {
  it('mirrors a files warehouse into a new EXTERNAL catalog, follows a change and a drop, and cleans up', async () => {
    const report = await runLiveScenario({
      uri: uri!,
      adminClientId: adminClientId!,
      adminClientSecret: adminClientSecret!,
      realm: process.env.POLARIS_REALM,
      sharedDir: process.env.POLARIS_SHARED_DIR ?? mkdtempSync(join(tmpdir(), 'pm-live-')),
    });
    expectLiveScenarioPassed(report);
  }, 300_000);
});
