// Glue catalogs beyond the account's default one, with the real SDK against the Glue + SQS + STS
// emulator: two catalogs (the default and an S3 Tables bucket) named apart by a first namespace level
// (or a mapping), discovery with GetCatalogs, another account's catalogs through a role the SDK's own
// provider assumes, events routed to the catalog they name, and `check` per catalog.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mirror } from '../../src/engine/mirror.js';
import { glueEventsOf } from '../emulators/glue/eventbridge.js';
import { GlueLake } from '../emulators/glue/lake.js';
import { counter, QUEUE, SOURCE, startGlueHarness, waitFor, watchInProcess, type GlueHarness } from './glue-harness.js';

const ACCOUNT = '123456789012';
const ANALYTICS = `${ACCOUNT}:s3tablescatalog/analytics`;
const OTHER = '210987654321';
const ROLE = `arn:aws:iam::${OTHER}:role/polaris-mirror-reader`;

let h: GlueHarness;
let mirror: Mirror | undefined;
let watching: ReturnType<typeof watchInProcess> | undefined;
beforeEach(async () => {
  h = await startGlueHarness({ visibilityTimeoutSeconds: 1 });
});
afterEach(async () => {
  await watching?.stop();
  await mirror?.close();
  watching = undefined;
  mirror = undefined;
  await h.close();
});

/** An S3 Tables bucket as a Glue catalog, with its tables' metadata in the lake Polaris reads. */
async function bucket(name: string, account = ACCOUNT): Promise<GlueLake> {
  return GlueLake.create(h.glue.catalogs.addS3TablesBucket(name, account), h.polaris, `s3://lake/warehouse/${account}/${name}`);
}

const keys = () => [...h.polarisState().keys()].sort();

async function check(): Promise<{ ok: boolean; detail: string; hint?: string }> {
  const m = h.openMirror();
  try {
    return await m.sources.get(SOURCE)!.adapter.check!(new AbortController().signal);
  } finally {
    await m.close();
  }
}

describe('several Glue catalogs', () => {
  it('the default catalog and an S3 Tables bucket: the catalog is the first namespace level; updates and drops are read in the right catalog', async () => {
    const analytics = await bucket('analytics');
    h.lake.commit('sales', 'orders');
    // The same database and table names in both catalogs: the names must keep them apart.
    h.lake.commit('events', 'clicks');
    analytics.commit('events', 'clicks');
    analytics.commit('events', 'views');
    await h.writeConfig((source) => {
      source.catalogs = [ACCOUNT, ANALYTICS];
      delete source.events;
    });

    await h.sync();
    expect(keys()).toEqual(['123456789012.events.clicks', '123456789012.sales.orders', 's3tablescatalog_analytics.events.clicks', 's3tablescatalog_analytics.events.views']);

    const newer = analytics.commit('events', 'clicks');
    const defaultClicks = h.polarisState().get('123456789012.events.clicks');
    analytics.drop('events', 'views');
    await h.sync({ allowMassDrop: true });
    expect(h.polarisState().get('s3tablescatalog_analytics.events.clicks')).toBe(newer);
    expect(h.polarisState().get('123456789012.events.clicks')).toBe(defaultClicks);
    expect(keys()).not.toContain('s3tablescatalog_analytics.events.views');
    // The drop was confirmed with GetTable in the bucket's catalog (the default catalog has no events.views to find).
    expect(h.glue.calls()['GetTable:EntityNotFoundException']).toBeGreaterThan(0);
  });

  it('a mapping names the levels, and "" keeps the default catalog\'s names as they were with one catalog', async () => {
    const analytics = await bucket('analytics');
    h.lake.commit('sales', 'orders');
    analytics.commit('events', 'clicks');
    await h.writeConfig((source) => {
      delete source.events;
    });
    await h.sync();
    expect(keys()).toEqual(['sales.orders']); // one catalog: names as always

    await h.writeConfig((source) => {
      source.catalogs = [ACCOUNT, ANALYTICS];
      source.catalogNamespaces = { [ACCOUNT]: '', [ANALYTICS]: 'analytics' };
      delete source.events;
    });
    await h.sync();
    expect(keys()).toEqual(['analytics.events.clicks', 'sales.orders']);
  });

  it('discoverCatalogs mirrors every catalog GetCatalogs finds, and one added later on the next scan', async () => {
    const analytics = await bucket('analytics');
    h.lake.commit('sales', 'orders');
    analytics.commit('events', 'clicks');
    await h.writeConfig((source) => {
      source.discoverCatalogs = true;
      source.catalogNamespaces = { [ACCOUNT]: '' };
      delete source.events;
    });
    await h.sync();
    expect(keys()).toEqual(['s3tablescatalog_analytics.events.clicks', 'sales.orders']);

    (await bucket('raw')).commit('logs', 'app');
    await h.sync();
    expect(keys()).toEqual(['s3tablescatalog_analytics.events.clicks', 's3tablescatalog_raw.logs.app', 'sales.orders']);
    expect(h.glue.calls()['GetCatalogs:ok']).toBeGreaterThanOrEqual(2);
    // The container s3tablescatalog holds no databases: it is never listed as a catalog.
    expect(h.glue.calls()['GetDatabases:ok']).toBe(2 + 3);
  });
});

describe('another account through a role', () => {
  it("assumes the role with the SDK's provider; only the assumed credentials reach that account's catalogs", async () => {
    await GlueLake.create(h.glue.catalogs.addRoot(OTHER), h.polaris, `s3://lake/warehouse/${OTHER}`).then((lake) => lake.commit('partner', 'orders'));
    (await bucket('shared', OTHER)).commit('events', 'clicks');
    h.glue.sts.addRole({ arn: ROLE, externalId: 'ext-7f3a' });
    const catalogs = [OTHER, `${OTHER}:s3tablescatalog/shared`];

    // Without the role: the other account's catalogs are not shared with the connector.
    await h.writeConfig((source) => {
      source.catalogs = catalogs;
      delete source.events;
    });
    const denied = await h.sync();
    expect(denied.summary.passes[0]).toMatchObject({ complete: false, error: expect.stringMatching(/GetDatabases in catalog 210987654321 failed: AccessDeniedException/) });
    expect(keys()).toEqual([]);

    await h.writeConfig((source) => {
      source.catalogs = catalogs;
      source.roleArn = ROLE;
      source.externalId = 'ext-7f3a';
      source.sessionName = 'mirror-test';
      source.stsEndpoint = h.glue.url;
      delete source.events;
    });
    await h.sync();
    expect(keys()).toEqual(['210987654321.partner.orders', 's3tablescatalog_shared.events.clicks']);
    expect(h.glue.sts.assumed).toEqual([{ role: ROLE, sessionName: 'mirror-test', externalId: 'ext-7f3a', by: 'AKIDEXAMPLE' }]);
  });

  it('discoverCatalogs as the role lists the role\'s account: its default catalog and its buckets', async () => {
    await GlueLake.create(h.glue.catalogs.addRoot(OTHER), h.polaris, `s3://lake/warehouse/${OTHER}`).then((lake) => lake.commit('partner', 'orders'));
    (await bucket('shared', OTHER)).commit('events', 'clicks');
    h.lake.commit('sales', 'orders'); // the connector's own account: not the role's, so not listed
    h.glue.sts.addRole({ arn: ROLE });
    await h.writeConfig((source) => {
      source.discoverCatalogs = true;
      source.roleArn = ROLE;
      source.stsEndpoint = h.glue.url;
      delete source.events;
    });
    await h.sync();
    expect(keys()).toEqual(['210987654321.partner.orders', 's3tablescatalog_shared.events.clicks']);
    expect(h.glue.sts.assumed).toMatchObject([{ role: ROLE, sessionName: 'polaris-mirror' }]);
  });

  it('a long-running source keeps reading as the role\'s credentials expire: the SDK\'s provider assumes the role again', async () => {
    await GlueLake.create(h.glue.catalogs.addRoot(OTHER), h.polaris, `s3://lake/warehouse/${OTHER}`).then((lake) => lake.commit('partner', 'orders'));
    h.glue.sts.addRole({ arn: ROLE });
    await h.writeConfig((source) => {
      source.catalogs = [OTHER];
      source.roleArn = ROLE;
      source.stsEndpoint = h.glue.url;
      delete source.events;
    });
    // Credentials that expire within the SDK's refresh window: each request needs fresh ones, as every
    // request of a daemon does once its hour-long credentials near their end.
    h.glue.sts.issuedLifetimeSeconds = 60;
    const m = h.openMirror();
    const names = async () => {
      const listed: string[] = [];
      for await (const item of m.sources.get(SOURCE)!.adapter.list!(new AbortController().signal)) {
        if (item.kind === 'observation') listed.push([...item.observation.table.namespace, item.observation.table.name].join('.'));
      }
      return listed;
    };
    try {
      expect(await names()).toEqual(['partner.orders']);
      const assumedBefore = h.glue.sts.assumed.length;
      h.glue.sts.expireAll(); // every key issued so far is now refused (ExpiredTokenException)
      expect(await names()).toEqual(['partner.orders']);
      expect(h.glue.sts.assumed.length).toBeGreaterThan(assumedBefore);
    } finally {
      await m.close();
    }
  });

  it('check says which permission is missing: sts:AssumeRole for a refused role, glue:GetCatalogs for discovery, per catalog for a denied one', async () => {
    h.glue.catalogs.addRoot(OTHER);
    h.glue.sts.addRole({ arn: ROLE, externalId: 'right' });
    await h.writeConfig((source) => {
      source.catalogs = [OTHER];
      source.roleArn = ROLE;
      source.externalId = 'wrong';
      source.stsEndpoint = h.glue.url;
      delete source.events;
    });
    const refused = await check();
    expect(refused.ok).toBe(false);
    expect(refused.detail).toMatch(/STS AssumeRole of arn:aws:iam::210987654321:role\/polaris-mirror-reader failed: .*not authorized to perform: sts:AssumeRole/);
    expect(refused.hint).toMatch(/allow sts:AssumeRole on the role/);

    await bucket('analytics');
    await h.writeConfig((source) => {
      source.discoverCatalogs = true;
      delete source.events;
    });
    h.glue.faults.set({ accessDenied: [`catalog:${ACCOUNT}`] });
    const undiscovered = await check();
    expect(undiscovered).toMatchObject({ ok: false, detail: expect.stringMatching(/GetCatalogs \(discoverCatalogs\) failed: AccessDeniedException/) });
    expect(undiscovered.hint).toMatch(/allow glue:GetCatalogs/);

    h.glue.faults.set({ accessDenied: [`catalog:${ANALYTICS}`] });
    const oneDenied = await check();
    expect(oneDenied.ok).toBe(false);
    expect(oneDenied.detail).toMatch(/^2 Glue catalog\(s\) found by GetCatalogs in us-east-1, 1 readable:/);
    expect(oneDenied.detail).toMatch(/ok {4}123456789012 \(namespace level "123456789012"\) is readable \(0 database\(s\)\)/);
    expect(oneDenied.detail).toMatch(/FAIL {2}123456789012:s3tablescatalog\/analytics \(namespace level "s3tablescatalog_analytics"\): GetDatabases\/GetTables failed: AccessDeniedException/);
    expect(oneDenied.hint).toMatch(/allow glue:GetDatabases/);

    h.glue.faults.set({});
    expect(await check()).toMatchObject({ ok: true, detail: expect.stringMatching(/2 readable/) });
  });
});

describe('events of several catalogs', () => {
  it('an event is read in the catalog its ARNs name; an event of a catalog not mirrored is skipped and counted', async () => {
    const analytics = await bucket('analytics');
    await bucket('raw');
    h.lake.commit('events', 'clicks');
    analytics.commit('events', 'clicks');
    await h.writeConfig((source) => {
      source.catalogs = [ACCOUNT, ANALYTICS];
      source.catalogNamespaces = { [ACCOUNT]: '', [ANALYTICS]: 'analytics' };
    });
    await h.sync();
    const before = h.polarisState();
    mirror = h.openMirror();
    watching = watchInProcess(mirror);

    const newer = analytics.commit('events', 'clicks');
    h.lake.commit('events', 'clicks'); // changed in the default catalog too, but no event says so
    h.glue.sqs.send(QUEUE, glueEventsOf(ANALYTICS).updateTable('events', 'clicks'));
    h.glue.sqs.send(QUEUE, glueEventsOf(`${ACCOUNT}:s3tablescatalog/raw`).updateTable('events', 'clicks'));

    await waitFor(() => h.polarisState().get('analytics.events.clicks') === newer && h.glue.sqs.messages(QUEUE).length === 0, 60_000, 'the event to be applied');
    expect(h.polarisState().get('events.clicks')).toBe(before.get('events.clicks'));
    const events = (outcome: string) => counter(mirror!.deps.metrics, 'polaris_mirror_source_events_total', { source: SOURCE, outcome });
    expect(await events('applied')).toBe(1);
    expect(await events('catalog_not_mirrored')).toBe(1);
    expect(watching.errors).toEqual([]);
  });

  it('with discoverCatalogs, an event of a bucket created since the last scan finds it with GetCatalogs and is applied', async () => {
    h.lake.commit('sales', 'orders');
    await h.writeConfig((source) => {
      source.discoverCatalogs = true;
      source.catalogNamespaces = { [ACCOUNT]: '' };
    });
    await h.sync();
    mirror = h.openMirror();
    watching = watchInProcess(mirror);

    // A first event makes the watch list the catalogs (only the default one exists yet).
    const orders = h.lake.commit('sales', 'orders');
    h.glue.sqs.send(QUEUE, glueEventsOf(ACCOUNT).updateTable('sales', 'orders'));
    await waitFor(() => h.polarisState().get('sales.orders') === orders && h.glue.sqs.messages(QUEUE).length === 0, 60_000, 'the first event');
    const discoveries = h.glue.calls()['GetCatalogs:ok'];

    const location = (await bucket('fresh')).commit('events', 'clicks');
    h.glue.sqs.send(QUEUE, glueEventsOf(`${ACCOUNT}:s3tablescatalog/fresh`).createTable('events', 'clicks'));
    await waitFor(() => h.polarisState().get('s3tablescatalog_fresh.events.clicks') === location && h.glue.sqs.messages(QUEUE).length === 0, 60_000, 'the new bucket\'s table');
    expect(h.glue.calls()['GetCatalogs:ok']).toBe(discoveries! + 1);
    expect(await counter(mirror.deps.metrics, 'polaris_mirror_source_events_total', { source: SOURCE, outcome: 'applied' })).toBe(2);
    expect(watching.errors).toEqual([]);
  });
});
