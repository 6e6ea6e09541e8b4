import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Installs the KDC, JDK and openssl when missing (the Kerberos, TLS and SASL tests use the real ones).
    globalSetup: ['test/support/global-setup.ts'],
    // Generous: on a shared 2-core machine under heavy load a CLI process alone takes ~5 s to start, and
    // tests wait on conditions (never on time), so a longer limit only delays the report of a real hang.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Several suites spawn the real CLI and run emulators: two workers match the 2-core CI machine.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
