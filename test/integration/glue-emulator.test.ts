// The Glue + SQS emulator itself, driven by the real AWS SDK clients: Glue's paging, timestamps,
// versions and error shapes; SQS's visibility timeout, receipt handles, long polls and redrive.
import {
  GetDatabasesCommand,
  GetTableCommand,
  GetTablesCommand,
  GlueClient,
  paginateGetDatabases,
  paginateGetTables,
} from '@aws-sdk/client-glue';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hiveTable, icebergTable } from '../emulators/glue/glue-tables.js';
import { startGlueEmulator, type GlueEmulator } from '../emulators/glue/index.js';
import { GlueLake } from '../emulators/glue/lake.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

let emu: GlueEmulator;
let glue: GlueClient;
let sqs: SQSClient;
beforeEach(async () => {
  emu = await startGlueEmulator();
  glue = new GlueClient({ region: 'us-east-1', endpoint: emu.url, credentials, maxAttempts: 1 });
  sqs = new SQSClient({ region: 'us-east-1', endpoint: emu.url, credentials, maxAttempts: 1 });
});
afterEach(async () => {
  glue.destroy();
  sqs.destroy();
  await emu.close();
});

const table = (name: string) => icebergTable(name, { location: `s3://lake/db/${name}`, metadataLocation: `s3://lake/db/${name}/metadata/1.json` });

describe('Glue API', () => {
  it('GetTables pages at most 100 tables, follows NextToken, and rejects MaxResults above 100', async () => {
    emu.catalog.createDatabase({ name: 'db' });
    for (let i = 0; i < 250; i++) emu.catalog.createTable('db', table(`t${String(i).padStart(3, '0')}`));
    const sizes: number[] = [];
    const names: string[] = [];
    for await (const page of paginateGetTables({ client: glue, pageSize: 100 }, { DatabaseName: 'db' })) {
      sizes.push(page.TableList!.length);
      names.push(...page.TableList!.map((t) => t.Name!));
    }
    expect(sizes).toEqual([100, 100, 50]);
    expect(new Set(names).size).toBe(250);
    const unpaged = await glue.send(new GetTablesCommand({ DatabaseName: 'db' }));
    expect(unpaged.TableList).toHaveLength(100);
    expect(unpaged.NextToken).toBeDefined();
    await expect(glue.send(new GetTablesCommand({ DatabaseName: 'db', MaxResults: 500 }))).rejects.toMatchObject({ name: 'InvalidInputException' });
  });

  it('GetTables paging sees tables created and deleted between its pages, in name order', async () => {
    emu.catalog.createDatabase({ name: 'db' });
    for (let i = 0; i < 150; i++) emu.catalog.createTable('db', table(`t${String(i).padStart(3, '0')}`));
    const page = (NextToken?: string) => glue.send(new GetTablesCommand({ DatabaseName: 'db', MaxResults: 50, NextToken }));
    const first = await page();
    expect(first.TableList!.at(-1)!.Name).toBe('t049');
    emu.catalog.createTable('db', table('t060a'));
    const second = await page(first.NextToken);
    expect(second.TableList!.map((t) => t.Name)).toContain('t060a');
    expect(second.TableList!.at(-1)!.Name).toBe('t098');
    emu.catalog.deleteTable('db', 't120');
    const third = await page(second.NextToken);
    const names = third.TableList!.map((t) => t.Name!);
    expect(names).not.toContain('t120');
    expect(names[0]).toBe('t099');
    expect(names).toEqual([...names].sort());
    expect(names).toHaveLength(50);
    expect(third.NextToken).toBeUndefined();
  });

  it('a lake whose store cannot delete refuses a purging drop before changing anything, and drops without purging', async () => {
    const puts: string[] = [];
    const lake = await GlueLake.create(emu.catalog, { putObject: (uri) => void puts.push(uri) });
    lake.commit('db', 't');
    expect(() => lake.drop('db', 't', { purge: true })).toThrow(/cannot delete/);
    expect(emu.catalog.hasTable('db', 't')).toBe(true);
    lake.drop('db', 't');
    expect(emu.catalog.hasTable('db', 't')).toBe(false);
    expect(puts).toHaveLength(1);
  });

  it('a table read from the catalog is a copy: changing it changes nothing stored', () => {
    emu.catalog.createDatabase({ name: 'db' });
    emu.catalog.createTable('db', table('t'));
    const spec = emu.catalog.tableSpec('db', 't');
    spec.parameters!['metadata_location'] = 's3://elsewhere/1.json';
    expect(emu.catalog.tableSpec('db', 't').parameters!['metadata_location']).toBe('s3://lake/db/t/metadata/1.json');
  });

  it('GetDatabases pages too', async () => {
    for (let i = 0; i < 130; i++) emu.catalog.createDatabase({ name: `db${String(i).padStart(3, '0')}` });
    const names: string[] = [];
    for await (const page of paginateGetDatabases({ client: glue, pageSize: 100 }, {})) names.push(...page.DatabaseList!.map((d) => d.Name!));
    expect(names).toHaveLength(130);
    expect(emu.calls()['GetDatabases:ok']).toBe(2);
  });

  it('tables carry epoch-second timestamps and a VersionId that rises with every update', async () => {
    emu.catalog.now = () => 1_700_000_000_123;
    emu.catalog.createDatabase({ name: 'db' });
    emu.catalog.createTable('db', table('t'));
    emu.catalog.now = () => 1_700_000_555_000;
    emu.catalog.updateTable('db', table('t'));
    const { Table } = await glue.send(new GetTableCommand({ DatabaseName: 'db', Name: 't' }));
    expect(Table).toMatchObject({ VersionId: '1', CreateTime: new Date(1_700_000_000_123), UpdateTime: new Date(1_700_000_555_000) });
    expect(Table!.Parameters).toMatchObject({ table_type: 'ICEBERG', metadata_location: 's3://lake/db/t/metadata/1.json' });
  });

  it('errors in AWS shape: not found, access denied, cross-account catalog, unsigned requests', async () => {
    emu.catalog.createDatabase({ name: 'db' });
    emu.catalog.createTable('db', hiveTable('h', 's3://lake/h'));
    await expect(glue.send(new GetTableCommand({ DatabaseName: 'db', Name: 'nope' }))).rejects.toMatchObject({ name: 'EntityNotFoundException', $metadata: { httpStatusCode: 400 } });
    await expect(glue.send(new GetTablesCommand({ DatabaseName: 'nodb' }))).rejects.toMatchObject({ name: 'EntityNotFoundException' });
    emu.faults.set({ accessDenied: ['db.h'] });
    await expect(glue.send(new GetTableCommand({ DatabaseName: 'db', Name: 'h' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect((await glue.send(new GetTablesCommand({ DatabaseName: 'db' }))).TableList).toEqual([]);
    await expect(glue.send(new GetDatabasesCommand({ CatalogId: '999999999999' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const unsigned = await fetch(emu.url, { method: 'POST', headers: { 'x-amz-target': 'AWSGlue.GetDatabases', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(unsigned.status).toBe(403);
  });

  it('throttles at the configured rate with ThrottlingException', async () => {
    emu.catalog.createDatabase({ name: 'db' });
    emu.faults.set({ throttleRate: 0.5 });
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () => glue.send(new GetDatabasesCommand({})).then(() => 'ok', (e: Error) => e.name)),
    );
    const throttled = outcomes.filter((o) => o === 'ThrottlingException').length;
    expect(throttled).toBeGreaterThan(8);
    expect(throttled).toBeLessThan(32);
    expect(outcomes.every((o) => o === 'ok' || o === 'ThrottlingException')).toBe(true);
  });
});

describe('SQS API', () => {
  it('a received message is invisible for the visibility timeout, then comes back with a new handle', async () => {
    const url = emu.sqs.createQueue({ name: 'q', visibilityTimeoutSeconds: 1 });
    emu.sqs.send('q', 'hello');
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
    expect(first.Messages).toMatchObject([{ Body: 'hello', Attributes: { ApproximateReceiveCount: '1' } }]);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();

    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 3, MessageSystemAttributeNames: ['All'] }));
    expect(again.Messages).toMatchObject([{ Body: 'hello', Attributes: { ApproximateReceiveCount: '2' } }]);
    expect(again.Messages![0]!.ReceiptHandle).not.toBe(first.Messages![0]!.ReceiptHandle);
    // An outdated handle answers success but deletes nothing (as SQS does); the latest one deletes.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages![0]!.ReceiptHandle }));
    expect(emu.sqs.messages('q')).toHaveLength(1);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.Messages![0]!.ReceiptHandle }));
    expect(emu.sqs.messages('q')).toHaveLength(0);
  });

  it('ChangeMessageVisibility moves a message back sooner or later; garbage handles are refused', async () => {
    const url = emu.sqs.createQueue({ name: 'q', visibilityTimeoutSeconds: 30 });
    emu.sqs.send('q', 'm');
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: Messages![0]!.ReceiptHandle, VisibilityTimeout: 0 }));
    expect(emu.sqs.messages('q')).toMatchObject([{ visible: true }]);
    await expect(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: 'garbage', VisibilityTimeout: 0 }))).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: `${url}-missing` }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });

  it('a long poll returns as soon as a message is sent', async () => {
    const url = emu.sqs.createQueue({ name: 'q' });
    const started = Date.now();
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    setTimeout(() => emu.sqs.send('q', 'late'), 150);
    const { Messages } = await polling;
    expect(Messages).toMatchObject([{ Body: 'late' }]);
    // Answered by the message, not by the end of the 20 s wait (a generous margin for a busy machine).
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('after maxReceiveCount receives a message moves to the dead-letter queue', async () => {
    emu.sqs.createQueue({ name: 'dlq' });
    const url = emu.sqs.createQueue({ name: 'q', redrive: { maxReceiveCount: 2, deadLetterQueue: 'dlq' } });
    emu.sqs.send('q', 'poison');
    for (let i = 0; i < 2; i++) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: Messages![0]!.ReceiptHandle, VisibilityTimeout: 0 }));
    }
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    expect(emu.sqs.messages('dlq')).toMatchObject([{ body: 'poison', receiveCount: 0 }]);
  });
});
