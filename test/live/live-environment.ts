// The environment `npm run test:live` needs, read once, with one clear error naming every variable
// that is missing (instead of a silently skipped test).

export interface LiveEnvironment {
  readonly polaris: { uri: string; adminClientId: string; adminClientSecret: string; realm?: string };
}

export function liveEnvironment(env: NodeJS.ProcessEnv): LiveEnvironment {
  const required = ['POLARIS_URI', 'POLARIS_ADMIN_CLIENT_ID', 'POLARIS_ADMIN_CLIENT_SECRET'] as const;
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `npm run test:live needs a real Polaris: set ${missing.join(', ')} (the admin principal may create catalogs, principals and roles). ` +
        'See the README section "Live test against a real Polaris".',
    );
  }
  return {
    polaris: {
      uri: env.POLARIS_URI!,
      adminClientId: env.POLARIS_ADMIN_CLIENT_ID!,
      adminClientSecret: env.POLARIS_ADMIN_CLIENT_SECRET!,
      ...(env.POLARIS_REALM ? { realm: env.POLARIS_REALM } : {}),
    },
  };
}
