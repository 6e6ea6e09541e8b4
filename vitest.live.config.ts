import { defineConfig } from 'vitest/config';

// `npm run test:live`: only the tests against a real Polaris (test/live), one at a time.
export default defineConfig({
  test: {
    include: ['test/live/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
