import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Against a real Polaris only (npm run test:live, vitest.live.config.ts); never skipped inside npm test.
    exclude: ['test/live/**', 'node_modules/**', 'dist/**'],
    // Bounds for a busy machine (npm test must pass with other CPU-bound work beside it): many tests
    // start the CLI several times, and a CLI start alone takes seconds on a loaded 2-core machine.
    // Tests wait for conditions, not for time; these only stop a test that hangs.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Several suites spawn the real CLI and run emulators: two workers match the 2-core CI machine.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
