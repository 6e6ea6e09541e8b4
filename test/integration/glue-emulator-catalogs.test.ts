// The Glue emulator's catalogs and STS, driven by the real AWS SDK: GetCatalogs (Recursive,
// ParentCatalogId, IncludeRoot, HasDatabases, paging), CatalogId on every call, S3 Tables-shaped child
// catalogs, and AssumeRole made by the SDK's own credential provider (fromTemporaryCredentials),
// whose credentials alone reach the other account's catalog.
import { GetCatalogsCommand, GetDatabasesCommand, GetTableCommand, GlueClient, type GetCatalogsRequest } from '@aws-sdk/client-glue';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { icebergTable } from '../emulators/glue/glue-tables.js';
import { startGlueEmulator, type GlueEmulator } from '../emulators/glue/index.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const OTHER = '210987654321';
const ROLE = `arn:aws:iam::${OTHER}:role/polaris-mirror-reader`;

let emu: GlueEmulator;
let glue: GlueClient;
beforeEach(async () => {
  emu = await startGlueEmulator();
  glue = new GlueClient({ region: 'us-east-1', endpoint: emu.url, credentials, maxAttempts: 1 });
});
afterEach(async () => {
  glue.destroy();
  await emu.close();
});

const table = (name: string) => icebergTable(name, { location: `s3://lake/db/${name}`, metadataLocation: `s3://lake/db/${name}/metadata/1.json` });

describe('Glue catalogs', () => {
  it('GetCatalogs lists children, recursively, with the root on request, containers left out with HasDatabases', async () => {
    emu.catalogs.addS3TablesBucket('analytics');
    emu.catalogs.addS3TablesBucket('raw');
    emu.catalogs.addChild('finance');
    const ids = async (input: GetCatalogsRequest) =>
      ((await glue.send(new GetCatalogsCommand(input))).CatalogList ?? []).map((c) => c.CatalogId);
    expect(await ids({})).toEqual(['123456789012:finance', '123456789012:s3tablescatalog']);
    expect(await ids({ Recursive: true, IncludeRoot: true })).toEqual([
      '123456789012',
      '123456789012:finance',
      '123456789012:s3tablescatalog',
      '123456789012:s3tablescatalog/analytics',
      '123456789012:s3tablescatalog/raw',
    ]);
    expect(await ids({ Recursive: true, HasDatabases: true })).toEqual(['123456789012:finance', '123456789012:s3tablescatalog/analytics', '123456789012:s3tablescatalog/raw']);
    expect(await ids({ ParentCatalogId: 's3tablescatalog' })).toEqual(['123456789012:s3tablescatalog/analytics', '123456789012:s3tablescatalog/raw']);
    const bucket = (await glue.send(new GetCatalogsCommand({ ParentCatalogId: '123456789012:s3tablescatalog' }))).CatalogList![0]!;
    expect(bucket).toMatchObject({
      Name: 'analytics',
      ResourceArn: 'arn:aws:glue:us-east-1:123456789012:catalog/s3tablescatalog/analytics',
      FederatedCatalog: { Identifier: 'arn:aws:s3tables:us-east-1:123456789012:bucket/analytics', ConnectionName: 'aws:s3tables' },
    });
    expect(bucket.CreateTime).toBeInstanceOf(Date);
    await expect(glue.send(new GetCatalogsCommand({ ParentCatalogId: 's3tablescatalog', IncludeRoot: true }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    await expect(glue.send(new GetCatalogsCommand({ ParentCatalogId: 'nope' }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
  });

  it('GetCatalogs pages with NextToken', async () => {
    for (let i = 0; i < 7; i++) emu.catalogs.addChild(`c${i}`);
    const pages: number[] = [];
    const ids: string[] = [];
    // The SDK has no paginator for GetCatalogs: NextToken by hand.
    let token: string | undefined;
    do {
      const page = await glue.send(new GetCatalogsCommand({ Recursive: true, MaxResults: 3, NextToken: token }));
      pages.push(page.CatalogList!.length);
      ids.push(...page.CatalogList!.map((c) => c.CatalogId!));
      token = page.NextToken;
    } while (token);
    expect(pages).toEqual([3, 3, 1]);
    expect(ids).toEqual(Array.from({ length: 7 }, (_, i) => `123456789012:c${i}`));
  });

  it('every call names its catalog: databases and tables of an S3 Tables catalog are its own', async () => {
    const bucket = emu.catalogs.addS3TablesBucket('analytics');
    bucket.createDatabase({ name: 'events' });
    bucket.createTable('events', table('clicks'));
    emu.catalog.createDatabase({ name: 'sales' });
    const names = async (catalogId?: string) => ((await glue.send(new GetDatabasesCommand({ CatalogId: catalogId }))).DatabaseList ?? []).map((d) => [d.Name, d.CatalogId]);
    expect(await names()).toEqual([['sales', '123456789012']]);
    expect(await names('123456789012:s3tablescatalog/analytics')).toEqual([['events', '123456789012:s3tablescatalog/analytics']]);
    expect(await names('s3tablescatalog/analytics')).toEqual([['events', '123456789012:s3tablescatalog/analytics']]);
    expect(await names('123456789012:s3tablescatalog')).toEqual([]);
    const { Table } = await glue.send(new GetTableCommand({ CatalogId: '123456789012:s3tablescatalog/analytics', DatabaseName: 'events', Name: 'clicks' }));
    expect(Table).toMatchObject({ CatalogId: '123456789012:s3tablescatalog/analytics', DatabaseName: 'events', Name: 'clicks' });
    await expect(glue.send(new GetTableCommand({ DatabaseName: 'events', Name: 'clicks' }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    await expect(glue.send(new GetDatabasesCommand({ CatalogId: '123456789012:s3tablescatalog/gone' }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    emu.faults.set({ accessDenied: ['catalog:123456789012:s3tablescatalog/analytics'] });
    await expect(glue.send(new GetDatabasesCommand({ CatalogId: '123456789012:s3tablescatalog/analytics' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('STS AssumeRole', () => {
  it("the SDK's fromTemporaryCredentials assumes the role, and only its credentials reach the other account's catalog", async () => {
    emu.catalogs.addRoot(OTHER).createDatabase({ name: 'partner' });
    emu.sts.addRole({ arn: ROLE, externalId: 'ext-42' });
    // Our own keys: the other account's catalog is not shared with us.
    await expect(glue.send(new GetDatabasesCommand({ CatalogId: OTHER }))).rejects.toMatchObject({ name: 'AccessDeniedException' });

    const assumed = new GlueClient({
      region: 'us-east-1',
      endpoint: emu.url,
      maxAttempts: 1,
      credentials: fromTemporaryCredentials({
        masterCredentials: credentials,
        params: { RoleArn: ROLE, ExternalId: 'ext-42', RoleSessionName: 'polaris-mirror' },
        clientConfig: { region: 'us-east-1', endpoint: emu.url },
      }),
    });
    try {
      // Without a CatalogId, the role's account's default catalog, as in AWS.
      expect((await assumed.send(new GetDatabasesCommand({}))).DatabaseList?.map((d) => d.Name)).toEqual(['partner']);
      expect((await assumed.send(new GetDatabasesCommand({ CatalogId: OTHER }))).DatabaseList?.map((d) => d.CatalogId)).toEqual([OTHER]);
      expect(emu.sts.assumed).toEqual([{ role: ROLE, sessionName: 'polaris-mirror', externalId: 'ext-42', by: 'AKIDEXAMPLE' }]);
      expect(emu.calls()['AssumeRole:ok']).toBe(1);
    } finally {
      assumed.destroy();
    }
  });

  it('answers AccessDenied in the awsQuery XML shape for a wrong external id or an unknown role, and refuses issued keys without their token', async () => {
    emu.sts.addRole({ arn: ROLE, externalId: 'ext-42' });
    const client = (externalId?: string, role = ROLE) =>
      new GlueClient({
        region: 'us-east-1',
        endpoint: emu.url,
        maxAttempts: 1,
        credentials: fromTemporaryCredentials({ masterCredentials: credentials, params: { RoleArn: role, ExternalId: externalId }, clientConfig: { region: 'us-east-1', endpoint: emu.url, maxAttempts: 1 } }),
      });
    for (const bad of [client('wrong'), client(undefined), client('ext-42', `arn:aws:iam::${OTHER}:role/unknown`)]) {
      try {
        await expect(bad.send(new GetDatabasesCommand({}))).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringContaining('sts:AssumeRole') });
      } finally {
        bad.destroy();
      }
    }
    const forged = new GlueClient({ region: 'us-east-1', endpoint: emu.url, maxAttempts: 1, credentials: { accessKeyId: 'ASIAFORGED', secretAccessKey: 'x', sessionToken: 'y' } });
    try {
      await expect(forged.send(new GetDatabasesCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    } finally {
      forged.destroy();
    }
  });
});
