import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Installs the KDC, JDK and openssl when missing (the Kerberos, TLS and SASL tests use the real ones).
    globalSetup: ['test/support/global-setup.ts'],
    // The live test needs a real Polaris: it runs only through `npm run test:live` (vitest.live.config.ts),
    // so `npm test` neither skips it nor needs one.
    exclude: [...configDefaults.exclude, 'test/live/**'],
    // Generous bounds, not speed checks: many tests spawn the CLI several times, and on a busy 2-core
    // machine (CI, or a suite beside other work) each spawn can take seconds. A hung test still fails.
    testTimeout: 180_000,
    // expect.poll waits for a condition (1 s by default, which a loaded machine or a browser's first start
    // on a fresh one can exceed): a minute, like the suites' own waitFor helpers.
    expect: { poll: { timeout: 60_000 } },
    hookTimeout: 180_000,
    // Several suites spawn the real CLI and run emulators: two workers match the 2-core CI machine.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
