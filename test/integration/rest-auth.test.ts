// Credentials of the source catalog over time: an OAuth2 token that expires between (or during) polls
// is renewed on the 401/419 and the poll completes; a token that cannot be renewed fails the poll
// without dropping anything, with a hint, and no secret in what is recorded.
import { afterEach, describe, expect, it } from 'vitest';
import { pollAndSettle, SOURCE, startRestScenario, type RestScenario } from './rest-support.js';

let s: RestScenario | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const CLIENT = { clientId: 'mirror-reader', clientSecret: 'reader-secret-5d1c' };

describe('source credentials', () => {
  for (const expiredStatus of [401, 419] as const) {
    it(`an expired OAuth2 token (${expiredStatus}) is renewed once and the poll completes`, async () => {
      s = await startRestScenario({
        rest: { auth: { clients: [CLIENT], expiredStatus } },
        source: { auth: { ...CLIENT, scope: 'catalog' } },
      });
      for (const name of ['a', 'b', 'c']) await s.rest.createTable(['ns'], name);
      const mirror = s.open();
      try {
        expect(await pollAndSettle(mirror)).toBe(true);
        expect(s.rest.stats().tokensIssued).toBe(1);
        s.rest.expireTokens();
        const updated = await s.rest.updateTable(['ns'], 'b');
        expect(await pollAndSettle(mirror)).toBe(true);
        expect(s.rest.stats().tokensIssued).toBe(2);
        expect(s.h.polarisState().get('ns.b')).toBe(updated.metadataLocation);
        // Exactly one request met the expired token; everything after used the new one.
        const refused = Object.values(s.rest.stats().byOperation).reduce((n, byStatus) => n + (byStatus[String(expiredStatus)] ?? 0), 0);
        expect(refused).toBe(1);
      } finally {
        await mirror.close();
      }
    });
  }

  it('a token expiring in the middle of a poll (between pages) is renewed without failing the poll', async () => {
    s = await startRestScenario({ rest: { auth: { clients: [CLIENT] }, maxPageSize: 1 }, source: { auth: CLIENT, concurrency: 1 } });
    for (const name of ['a', 'b', 'c']) await s.rest.createTable(['ns'], name);
    // The second table page meets an expired token (a 401 as an expired token gets it).
    s.rest.addFault({ operation: 'listTables', page: 2, status: 401, times: 1 });
    const mirror = s.open();
    try {
      expect(await pollAndSettle(mirror)).toBe(true);
      expect(s.h.polarisState().size).toBe(3);
      expect(s.rest.stats().tokensIssued).toBe(2);
    } finally {
      await mirror.close();
    }
  });

  it('a static token the catalog stops accepting fails the poll with a hint; nothing is dropped', async () => {
    s = await startRestScenario({ rest: { auth: { tokens: ['static-token-1'] } }, source: { auth: { token: 'static-token-1' } } });
    for (const name of ['a', 'b', 'c', 'd', 'e']) await s.rest.createTable(['ns'], name);
    const mirror = s.open();
    try {
      expect(await pollAndSettle(mirror)).toBe(true);
      s.rest.dropTable(['ns'], 'e');
      s.rest.addFault({ status: 401 });
      expect(await pollAndSettle(mirror)).toBe(false);
      expect(s.h.polarisState().size).toBe(5);
      const state = (await mirror.ledger.sourceState(SOURCE))!;
      expect(state.lastError).toMatch(/401/);
      expect(state.lastHint).toMatch(/check auth/);
      expect(`${state.lastError} ${state.lastHint}`).not.toContain('static-token-1');
    } finally {
      await mirror.close();
    }
  });
});
