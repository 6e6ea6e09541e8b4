// VALIDATE once per directory of tables within a Polaris namespace (src/engine/validation-scope.ts):
// a first sync of many tables in one database sends one VALIDATE, and a catalog that allows only the
// tables' own locations still gets each table through (the directory refused, then the table asked).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMirror, syncWith } from '../support/engine.js';
import { runSync } from '../../src/cli/commands/sync.js';
import { waitFor } from '../support/ingest-client.js';
import { CATALOG, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const TABLES: Array<[string[], string]> = [...['a', 'b', 'c', 'd', 'e', 'g'].map((name): [string[], string] => [['sales'], name]), [['stock'], 'f']];

/** The VALIDATEs Polaris received for any of the tables, whichever table's URL carried them. */
const validates = (catalog = CATALOG) =>
  TABLES.flatMap(([namespace, name]) => h.emulator.history(catalog, namespace, name)).filter((e) => e.type === 'VALIDATE');

describe('VALIDATE per directory and namespace', () => {
  it('a table that asked the ledger before the directory\'s VALIDATE passed, and acts after, sends no second VALIDATE', async () => {
    for (const name of ['a', 'b', 'c']) await h.writeTable(['sales'], name);
    const mirror = openMirror(h);
    try {
      // The race, made certain: every question after the first about a key gets the answer read at the
      // time (not validated), but only once the ledger says the key is validated (the shared VALIDATE
      // has passed and been recorded), as a slow ledger read would deliver it.
      const ledger = mirror.ledger;
      const ask = ledger.isValidated.bind(ledger);
      const asked = new Set<string>();
      ledger.isValidated = async (scope: string, key: string) => {
        const answer = await ask(scope, key);
        const first = !asked.has(key);
        asked.add(key);
        if (!first && !answer) await waitFor(`the VALIDATE of ${key} recorded`, () => ask(scope, key));
        return answer;
      };
      const summary = await runSync(mirror, { progress: false });
      expect(summary.converged).toBe(true);
    } finally {
      await mirror.close();
    }
    expect(h.polarisState().size).toBe(3);
    expect(validates().map((r) => `${r.status} ${r.metadataLocation}`)).toEqual([`204 ${h.warehouseUri}/sales/`]);
  });

  it('tables of one directory and namespace share one VALIDATE of the directory; another namespace gets its own', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await h.writeTable(['sales'], name);
    await h.writeTable(['stock'], 'f');
    const { summary } = await syncWith(h);
    expect(summary.converged).toBe(true);
    expect(h.polarisState().size).toBe(6);
    const sent = validates();
    expect(sent.map((r) => `${r.status} ${r.metadataLocation}`).sort()).toEqual([`204 ${h.warehouseUri}/sales/`, `204 ${h.warehouseUri}/stock/`]);
    // A table added later under a validated directory needs none.
    await h.writeTable(['sales'], 'g');
    await syncWith(h);
    expect(validates()).toHaveLength(2);
    expect(h.polarisState().has('sales.g')).toBe(true);
  });

  it('a catalog allowing only the tables themselves: the directory is refused, each table is validated on its own and created', async () => {
    const a = await h.writeTable(['sales'], 'a');
    await h.writeTable(['sales'], 'b');
    h.emulator.createCatalog({ name: 'narrow', allowedLocations: [h.tableLocation(['sales'], 'a'), h.tableLocation(['sales'], 'b')] });
    h.emulator.createPrincipal({ clientId: 'narrow-client', clientSecret: 'narrow-secret-0001', roles: { narrow: { narrow: ['CATALOG_MANAGE_CONTENT'] } } });
    await h.writeConfig((c) => {
      c.polaris.auth = { clientId: 'narrow-client', clientSecret: 'narrow-secret-0001' };
      c.sources[0].target = { catalog: 'narrow' };
    });
    const { summary } = await syncWith(h);
    expect(summary.converged).toBe(true);
    expect(h.emulator.tables('narrow').map((t) => t.metadataLocation)).toContain(a);
    const sent = validates('narrow');
    expect(sent.filter((r) => r.status === 403).map((r) => r.metadataLocation)).toContain(`${h.warehouseUri}/sales/`);
    expect(sent.filter((r) => r.status === 204)).toHaveLength(2);
    expect(h.emulator.tables(CATALOG)).toEqual([]);
  });
});
