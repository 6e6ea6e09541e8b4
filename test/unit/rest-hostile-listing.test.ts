// Iceberg REST listings that would never end: next-page-tokens that go round in a circle or are new
// every time, namespaces ever deeper or ever more. Each is detected or bounded and fails the listing
// with an error saying which (a failed listing drops nothing). Regression: `plan` hung and `run` polled
// forever.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { listCatalog, type ListingLimits } from '../../adapters/rest/catalog-listing.js';
import { RestCatalogClient } from '../../adapters/rest/rest-client.js';
import type { RestSource } from '../../adapters/rest/rest-source.js';
import { createTokenSource } from '../../adapters/rest/token-source.js';
import { MAX_NAMESPACE_DEPTH } from '../../src/model/limits.js';
import { createAgent } from '../../src/polaris/http.js';
import { startRestCatalogEmulator, type RestCatalogEmulator, type RestEmulatorOptions } from '../emulators/rest/index.js';
import { adapterContext, collect, observed, restConfig, restSource } from './rest-support.js';

let emu: RestCatalogEmulator;
let source: RestSource | undefined;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await source?.close();
  source = undefined;
  await emu?.close();
});

async function setup(options: RestEmulatorOptions = {}) {
  emu = await startRestCatalogEmulator(options);
  source = restSource(emu.url).source;
}

/** listCatalog with narrower limits than a real listing's, so the bounds trip fast. */
async function listWith(limits: ListingLimits) {
  const config = restConfig(emu.url);
  const context = adapterContext();
  const agent = createAgent({ connections: 4 });
  closers.push(() => agent.close());
  const tokens = createTokenSource(config.auth, { uri: config.uri, headers: config.headers, dispatcher: agent, timeoutMs: 5000, redactor: context.redactor, metrics: context.metrics, source: 'cat' });
  const client = new RestCatalogClient({ config, dispatcher: agent, tokens, metrics: context.metrics });
  const session = await client.session();
  return collect(
    listCatalog({
      client,
      session,
      concurrency: 4,
      outOfScope: () => undefined,
      storedVersions: undefined,
      signal: new AbortController().signal,
      onLoadFailed: () => undefined,
      limits,
    }),
  );
}

const signal = () => new AbortController().signal;

describe('REST listings that never end', () => {
  it('next-page-tokens going round in a circle fail the listing at the first repeat', async () => {
    await setup({ maxPageSize: 1 });
    await emu.createTable(['ns'], 'a');
    await emu.createTable(['ns'], 'b');
    expect([...observed(await collect(source!.list(signal()))).keys()]).toEqual(['ns.a', 'ns.b']);
    emu.misbehave('cycling-tokens');
    emu.resetStats();
    await expect(collect(source!.list(signal()))).rejects.toThrow(/returned a next-page-token it had already given while listing (namespaces under|tables of) [^:]+: its pages go round in a circle/);
    // Each listing stops at its first repeat ('', A, B → A); a few run side by side.
    expect(emu.stats().byOperation.listNamespaces!['200']).toBeLessThanOrEqual(6);
  });

  it('ever-new next-page-tokens fail the listing after maxPages pages', async () => {
    await setup({ maxPageSize: 1 });
    await emu.createTable(['ns'], 'a');
    emu.misbehave('endless-tokens');
    await expect(listWith({ maxPages: 25, maxDepth: 8, maxNamespaces: 100 })).rejects.toThrow(/kept answering next-page-tokens past 25 pages while listing (namespaces under|tables of) /);
    expect(emu.stats().requests).toBeLessThanOrEqual(3 * 25 + 1);
  });

  it(`namespaces ever deeper fail the listing past ${MAX_NAMESPACE_DEPTH} levels`, async () => {
    await setup();
    emu.misbehave('endless-depth');
    await expect(collect(source!.list(signal()))).rejects.toThrow(new RegExp(`namespace level1.level2.level3… ${MAX_NAMESPACE_DEPTH + 1} levels deep, more than the ${MAX_NAMESPACE_DEPTH} a listing follows`));
  });

  it('a catalog with more namespaces than maxNamespaces fails the listing', async () => {
    await setup();
    for (let i = 0; i < 12; i++) emu.createNamespace([`ns${i}`]);
    await expect(listWith({ maxPages: 100, maxDepth: 8, maxNamespaces: 10 })).rejects.toThrow(/more than 10 namespaces/);
    // Within the bound, the same catalog lists.
    await expect(listWith({ maxPages: 100, maxDepth: 8, maxNamespaces: 12 })).resolves.toEqual([]);
  });

  it('property: however a server pages, a listing ends — complete, or failed with a reason', async () => {
    // A scripted server: each listing request gets the next page from a generated script of pages
    // (items and tokens, repeats and cycles included).
    const page = fc.record({ items: fc.array(fc.constantFrom('a', 'b', 'c', 'x.y'), { maxLength: 3 }), next: fc.option(fc.constantFrom('', 't1', 't2', 't3', 't4'), { nil: undefined }) });
    await setup({ maxPageSize: 1 });
    await fc.assert(
      fc.asyncProperty(fc.array(page, { minLength: 1, maxLength: 12 }), async (script) => {
        let call = 0;
        const scripted = {
          namespacePage: async (_s: unknown, parent: readonly string[]) => {
            const step = script[Math.min(call++, script.length - 1)]!;
            return { items: step.items.map((name) => [...parent, ...name.split('.')]), next: step.next };
          },
          tablePage: async () => ({ items: [], next: undefined }),
        } as unknown as RestCatalogClient;
        const listing = collect(
          listCatalog({
            client: scripted,
            session: undefined as never,
            concurrency: 2,
            outOfScope: () => undefined,
            storedVersions: undefined,
            signal: signal(),
            onLoadFailed: () => undefined,
            limits: { maxPages: 20, maxDepth: 6, maxNamespaces: 50 },
          }),
        );
        const outcome = await listing.then(
          () => 'complete',
          (error: Error) => error.message,
        );
        expect(outcome === 'complete' || /next-page-token|levels deep|namespaces, the most/.test(outcome), outcome).toBe(true);
        expect(call).toBeLessThanOrEqual(50 * 21);
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
