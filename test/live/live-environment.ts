// The environment `npm run test:live` needs, read once, with one clear error naming every variable
// that is missing or wrong (instead of a silently skipped test).
import { fileStorage, s3Storage, type LiveStorage } from '../support/live-storage.js';

export interface LiveEnvironment {
  readonly polaris: { uri: string; adminClientId: string; adminClientSecret: string; realm?: string };
  /** Which storage the scenario puts the tables on, and a name for the test. */
  readonly storage: { readonly name: string; create(): LiveStorage };
}

export function liveEnvironment(env: NodeJS.ProcessEnv): LiveEnvironment {
  const required = ['POLARIS_URI', 'POLARIS_ADMIN_CLIENT_ID', 'POLARIS_ADMIN_CLIENT_SECRET'] as const;
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `npm run test:live needs a real Polaris: set ${missing.join(', ')} (the admin principal may create catalogs, principals and roles). ` +
        'For tables in S3 also set POLARIS_LIVE_S3_LOCATION. See the README section "Live test against a real Polaris".',
    );
  }
  return {
    polaris: {
      uri: env.POLARIS_URI!,
      adminClientId: env.POLARIS_ADMIN_CLIENT_ID!,
      adminClientSecret: env.POLARIS_ADMIN_CLIENT_SECRET!,
      ...(env.POLARIS_REALM ? { realm: env.POLARIS_REALM } : {}),
    },
    storage: env.POLARIS_LIVE_S3_LOCATION ? s3Variant(env) : { name: 'FILE storage (POLARIS_SHARED_DIR)', create: () => fileStorage },
  };
}

function s3Variant(env: NodeJS.ProcessEnv): LiveEnvironment['storage'] {
  const location = env.POLARIS_LIVE_S3_LOCATION!;
  let storageConfig: Record<string, unknown> = {};
  if (env.POLARIS_LIVE_S3_STORAGE_CONFIG) {
    try {
      storageConfig = JSON.parse(env.POLARIS_LIVE_S3_STORAGE_CONFIG) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`POLARIS_LIVE_S3_STORAGE_CONFIG must be a JSON object (the catalog's S3 storageConfigInfo fields): ${(error as Error).message}`);
    }
  }
  return {
    name: `S3 storage at ${location}`,
    create: () =>
      s3Storage({
        location,
        storageConfig,
        ...(env.POLARIS_LIVE_S3_ENDPOINT ? { endpoint: env.POLARIS_LIVE_S3_ENDPOINT } : {}),
        ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
      }),
  };
}
