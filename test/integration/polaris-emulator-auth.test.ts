// Authentication (OAuth2 client credentials), realms, privileges and /v1/config.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dirUri, writeFixtureTable } from '../emulators/polaris/fixture-warehouse.js';
import { CLIENT_ID, CLIENT_SECRET, err, type Kit, notification, notify, raw, startKit } from '../emulators/polaris/test-kit.js';

let kit: Kit;
beforeEach(async () => {
  kit = await startKit();
});
afterEach(async () => {
  await kit.close();
});

function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}) {
  return raw(`${kit.base}/v1/oauth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

const creds = { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, scope: 'PRINCIPAL_ROLE:ALL' };

describe('token endpoint', () => {
  it('issues a bearer token usable for notifications', async () => {
    const r = await tokenRequest(creds);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      expires_in: 3600,
    });
    const t = await writeFixtureTable(join(kit.root, 'db', 't'));
    const n = await notify({ base: kit.base, token: r.json.access_token }, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1));
    expect(n.status).toBe(204);
    expect(kit.emu.stats().tokensIssued).toBe(1);
  });

  it('accepts client id/secret as HTTP Basic', async () => {
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    const r = await tokenRequest({ grant_type: 'client_credentials', scope: 'PRINCIPAL_ROLE:mirror_role' }, { authorization: `Basic ${basic}` });
    expect(r.status).toBe(200);
    expect(typeof r.json.access_token).toBe('string');
  });

  it.each([
    ['bad secret', { ...creds, client_secret: 'wrong' }, 401, 'unauthorized_client'],
    ['unknown client', { ...creds, client_id: 'who' }, 401, 'unauthorized_client'],
    ['missing client id', { grant_type: 'client_credentials', client_secret: 'x', scope: 'PRINCIPAL_ROLE:ALL' }, 400, 'invalid_client'],
    ['missing scope', { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: CLIENT_SECRET }, 400, 'invalid_scope'],
    ['malformed scope', { ...creds, scope: 'catalog' }, 400, 'invalid_scope'],
    ['wrong grant type', { ...creds, grant_type: 'password' }, 400, 'unsupported_grant_type'],
  ] as const)('%s → %i %s', async (_label, form, status, error) => {
    const r = await tokenRequest(form as Record<string, string>);
    expect(r.status).toBe(status);
    expect(r.json).toEqual({ error, error_description: expect.any(String) });
    expect(kit.emu.stats().tokensIssued).toBe(0);
  });

  it('a token of a principal role without grants on the catalog → 403', async () => {
    kit.emu.createPrincipal({
      clientId: 'two',
      clientSecret: 'pw',
      roles: { reader: { lake: ['TABLE_READ_PROPERTIES'] }, writer: { lake: ['CATALOG_MANAGE_CONTENT'] } },
    });
    const t = await writeFixtureTable(join(kit.root, 'db', 't'));
    const body = notification('CREATE', 't', t.metadataLocation, 1);
    const reader = await tokenRequest({ grant_type: 'client_credentials', client_id: 'two', client_secret: 'pw', scope: 'PRINCIPAL_ROLE:reader' });
    expect((await notify({ base: kit.base, token: reader.json.access_token }, 'lake', ['db'], 't', body)).status).toBe(403);
    const both = await tokenRequest({ grant_type: 'client_credentials', client_id: 'two', client_secret: 'pw', scope: 'PRINCIPAL_ROLE:reader PRINCIPAL_ROLE:writer' });
    expect((await notify({ base: kit.base, token: both.json.access_token }, 'lake', ['db'], 't', body)).status).toBe(204);
  });

  it('a scope naming a principal role the principal does not hold: the token is issued, then every call is 401', async () => {
    const r = await tokenRequest({ ...creds, scope: 'PRINCIPAL_ROLE:admin' });
    expect(r.status).toBe(200);
    expect(kit.emu.stats().tokensIssued).toBe(1);
    const withIt = { headers: { authorization: `Bearer ${r.json.access_token}` } };
    const config = await raw(`${kit.base}/v1/config?warehouse=lake`, withIt);
    expect(config.status).toBe(401);
    expect(config.json).toEqual(err(401, 'NotAuthorizedException', 'Unable to authenticate'));
    const t = await writeFixtureTable(join(kit.root, 'db', 't'));
    const sent = await notify({ base: kit.base, token: r.json.access_token }, 'lake', ['db'], 't', notification('VALIDATE', 't', t.metadataLocation, 1));
    expect(sent.status).toBe(401);
  });
});

describe('bearer token checks → 401', () => {
  it('missing, unknown and expired tokens', async () => {
    const t = await writeFixtureTable(join(kit.root, 'db', 't'));
    const body = JSON.stringify(notification('CREATE', 't', t.metadataLocation, 1));
    const url = `${kit.base}/v1/lake/namespaces/db/tables/t/notifications`;
    let r = await raw(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(r.status).toBe(401);
    expect(r.json).toEqual(err(401, 'NotAuthorizedException', 'Authentication required'));
    expect(r.headers.get('www-authenticate')).toBe('Bearer');

    r = await notify({ base: kit.base, token: 'forged' }, 'lake', ['db'], 't', body);
    expect(r.status).toBe(401);
    expect(r.json).toEqual(err(401, 'NotAuthorizedException', 'Failed to verify token'));

    kit.emu.expireAllTokens();
    r = await notify(kit, 'lake', ['db'], 't', body);
    expect(r.status).toBe(401);
    expect(r.json).toEqual(err(401, 'NotAuthorizedException', 'Token expired'));
    // A fresh token works again.
    r = await notify({ base: kit.base, token: kit.emu.issueToken(CLIENT_ID) }, 'lake', ['db'], 't', body);
    expect(r.status).toBe(204);
    expect(kit.emu.tables('lake')).toHaveLength(1);
  });

  it('auth comes before body checks and catalog lookup', async () => {
    const r = await notify({ base: kit.base, token: 'forged' }, 'nope', ['db'], 't', '{not json');
    expect(r.status).toBe(401);
  });

  it('tokens expire after tokenTtlSeconds', async () => {
    const k = await startKit({ tokenTtlSeconds: 1 });
    try {
      const t = await writeFixtureTable(join(k.root, 'db', 't'));
      const body = notification('VALIDATE', 't', t.metadataLocation, 1);
      expect((await notify(k, 'lake', ['db'], 't', body)).status).toBe(204);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await notify(k, 'lake', ['db'], 't', body)).status).toBe(401);
    } finally {
      await k.close();
    }
  });

  it('expiredTokenStatus: 419 answers expired tokens with 419', async () => {
    const k = await startKit({ expiredTokenStatus: 419 });
    try {
      k.emu.expireAllTokens();
      const r = await notify(k, 'lake', ['db'], 't', notification('VALIDATE', 't', 'file:///x', 1));
      expect(r.status).toBe(419);
      expect(r.json).toEqual(err(419, 'AuthenticationTimeoutException', 'Token expired'));
    } finally {
      await k.close();
    }
  });
});

describe('privileges → 403', () => {
  const five = ['TABLE_CREATE', 'TABLE_WRITE_PROPERTIES', 'TABLE_DROP', 'NAMESPACE_CREATE', 'NAMESPACE_DROP'];

  it.each(five)('all five but %s → 403 for every notification type', async (missing) => {
    kit.emu.createPrincipal({ clientId: 'p', clientSecret: 's', roles: { r: { lake: five.filter((p) => p !== missing) } } });
    const token = kit.emu.issueToken('p');
    for (const type of ['CREATE', 'UPDATE', 'DROP', 'VALIDATE', 'UNKNOWN']) {
      const r = await notify({ base: kit.base, token }, 'lake', ['db'], 't', notification(type, 't', 'file:///x/m.json', 1));
      expect(r.status).toBe(403);
      expect(r.json.error.type).toBe('ForbiddenException');
      expect(r.json.error.message).toBe("Principal 'p' with activated PrincipalRoles '[r]' and activated grants via '[]' is not authorized for op SEND_NOTIFICATIONS");
    }
    expect(kit.emu.namespaces('lake')).toEqual([]);
  });

  it('the five privileges together suffice; privileges on another catalog do not count', async () => {
    kit.emu.createPrincipal({ clientId: 'p', clientSecret: 's', roles: { r: { lake: five }, other: { s3lake: ['CATALOG_MANAGE_CONTENT'] } } });
    const token = kit.emu.issueToken('p');
    const t = await writeFixtureTable(join(kit.root, 'db', 't'));
    expect((await notify({ base: kit.base, token }, 'lake', ['db'], 't', notification('CREATE', 't', t.metadataLocation, 1))).status).toBe(204);
    kit.emu.createPrincipal({ clientId: 'q', clientSecret: 's', roles: { other: { s3lake: ['CATALOG_MANAGE_CONTENT'] } } });
    const q = kit.emu.issueToken('q');
    expect((await notify({ base: kit.base, token: q }, 'lake', ['db'], 't', notification('DROP', 't', t.metadataLocation, 2))).status).toBe(403);
    expect(kit.emu.tables('lake')).toHaveLength(1);
  });

  it('unknown catalog is 404 before privileges are checked; an INTERNAL catalog needs privileges first (403)', async () => {
    kit.emu.createPrincipal({ clientId: 'none', clientSecret: 's' });
    const token = kit.emu.issueToken('none');
    expect((await notify({ base: kit.base, token }, 'nope', ['db'], 't', notification('DROP', 't', 'file:///x', 1))).status).toBe(404);
    expect((await notify({ base: kit.base, token }, 'internal', ['db'], 't', notification('DROP', 't', 'file:///x', 1))).status).toBe(403);
  });
});

describe('realm', () => {
  it('the served realm (or no header) is accepted; another realm → 404 MissingOrInvalidRealm', async () => {
    const t = await writeFixtureTable(join(kit.root, 'db', 't'));
    const body = notification('VALIDATE', 't', t.metadataLocation, 1);
    expect((await notify(kit, 'lake', ['db'], 't', body, { 'polaris-realm': 'POLARIS' })).status).toBe(204);
    const r = await notify(kit, 'lake', ['db'], 't', body, { 'polaris-realm': 'other' });
    expect(r.status).toBe(404);
    expect(r.json).toEqual(err(404, 'MissingOrInvalidRealm', 'Missing or invalid realm'));
    const tok = await tokenRequest(creds, { 'polaris-realm': 'other' });
    expect(tok.status).toBe(404);
  });
});

describe('GET /v1/config', () => {
  const get = (query: string, token?: string) =>
    raw(`${kit.base}/v1/config${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('returns the catalog name as overrides.prefix', async () => {
    const r = await get('?warehouse=lake', kit.token);
    expect(r.status).toBe(200);
    // Polaris answers the catalog's properties as defaults.
    expect(r.json.defaults).toEqual({ 'default-base-location': dirUri(kit.root) });
    expect(r.json.overrides).toEqual({ prefix: 'lake' });
    expect(r.json.endpoints).toContain('POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/notifications');
  });

  it('unknown warehouse → 404, missing → 400, no token → 401', async () => {
    expect((await get('?warehouse=nope', kit.token)).json).toEqual(err(404, 'NotFoundException', 'Unable to find warehouse nope'));
    expect((await get('', kit.token)).status).toBe(400);
    expect((await get('?warehouse=lake')).status).toBe(401);
  });
});

describe('an external identity provider (polaris.authentication.type=external)', () => {
  it('the token endpoint answers 501 with an empty body; tokens from the identity provider work', async () => {
    const external = await startKit({ authentication: 'external' });
    try {
      const r = await raw(`${external.base}/v1/oauth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(creds).toString(),
      });
      expect(r.status).toBe(501);
      expect(r.text).toBe('');
      const config = await raw(`${external.base}/v1/config?warehouse=lake`, { headers: { authorization: `Bearer ${external.token}` } });
      expect(config.status).toBe(200);
    } finally {
      await external.close();
    }
  });
});

describe("Polaris's rate limiter", () => {
  it('beyond the rate: 429 TooManyRequestsException "Rate exceeded" without Retry-After', async () => {
    const limited = await startKit({ rateLimit: { requestsPerSecond: 1, burst: 2 } });
    try {
      const get = () => raw(`${limited.base}/v1/config?warehouse=lake`, { headers: { authorization: `Bearer ${limited.token}` } });
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(200);
      const third = await get();
      expect(third.status).toBe(429);
      expect(third.json).toEqual(err(429, 'TooManyRequestsException', 'Rate exceeded'));
      expect(third.headers.get('retry-after')).toBeNull();
    } finally {
      await limited.close();
    }
  });
});
