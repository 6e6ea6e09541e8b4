import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:live`: the scenario against a real Polaris (POLARIS_URI and admin credentials; see the
 * README). Kept out of `npm test`, where it could only be skipped: the same scenario runs there against
 * the Polaris emulator (test/integration/live-rehearsal.test.ts). The base settings, only these files.
 */
export default defineConfig({ test: { ...base.test, include: ['test/live/**/*.test.ts'], exclude: [] } });
