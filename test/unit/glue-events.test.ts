// Parsing Glue's EventBridge events out of SQS message bodies: the documented shapes (fixtures), SNS
// wrapping, events that need no read, and every reason a message is left for the redrive policy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGlueMessage } from '../../adapters/glue/glue-events.js';
import { retryDelaySeconds } from '../../adapters/glue/sqs-watcher.js';
import { packageRoot } from '../../src/util/package-info.js';

const fixture = (name: string) => readFileSync(join(packageRoot(), 'fixtures', 'glue-events', name), 'utf8');
const withDetail = (detail: Record<string, unknown>, detailType = 'Glue Data Catalog Database State Change') =>
  JSON.stringify({ ...JSON.parse(fixture('database-state-change-create-table.json')), 'detail-type': detailType, detail });

describe('parseGlueMessage', () => {
  it('the documented events', () => {
    expect(parseGlueMessage(fixture('database-state-change-create-table.json'))).toEqual({
      ok: true,
      eventId: '2a8a4a3f-6d1f-4d36-b2a5-0f1f3e0c9a11',
      // The default catalog's events name no catalog: the account's.
      catalog: { account: '123456789012', path: '' },
      change: { kind: 'tables', database: 'sales', tables: ['orders'], typeOfChange: 'CreateTable' },
    });
    expect(parseGlueMessage(fixture('database-state-change-batch-delete.json'))).toMatchObject({
      ok: true,
      change: { kind: 'tables', database: 'sales', tables: ['orders_tmp', 'returns_old'], typeOfChange: 'BatchDeleteTable' },
    });
    expect(parseGlueMessage(fixture('table-state-change-update-table.json'))).toMatchObject({
      ok: true,
      change: { kind: 'tables', database: 'sales', tables: ['orders'], typeOfChange: 'UpdateTable' },
    });
  });

  it('DeleteDatabase asks for the database; CreateDatabase and partition changes need nothing', () => {
    expect(parseGlueMessage(withDetail({ databaseName: 'sales', typeOfChange: 'DeleteDatabase' }))).toMatchObject({ ok: true, change: { kind: 'database-deleted', database: 'sales' } });
    expect(parseGlueMessage(withDetail({ databaseName: 'sales', typeOfChange: 'CreateDatabase' }))).toMatchObject({ ok: true, change: { kind: 'ignored' } });
    const partition = withDetail({ databaseName: 'sales', tableName: 'orders', typeOfChange: 'BatchCreatePartition', changedPartitions: ['[1]'] }, 'Glue Data Catalog Table State Change');
    expect(parseGlueMessage(partition)).toMatchObject({ ok: true, change: { kind: 'ignored', typeOfChange: 'BatchCreatePartition' } });
  });

  it('table names come from the resource ARNs when changedTables is missing; duplicates are read once', () => {
    const event = JSON.parse(fixture('database-state-change-batch-delete.json'));
    delete event.detail.changedTables;
    expect(parseGlueMessage(JSON.stringify(event))).toMatchObject({ change: { tables: ['orders_tmp', 'returns_old'] } });
    expect(parseGlueMessage(withDetail({ databaseName: 'sales', typeOfChange: 'BatchDeleteTable', changedTables: ['a', 'a', 'b'] }))).toMatchObject({ change: { tables: ['a', 'b'] } });
  });

  it('unknown fields are allowed; an unknown kind that names tables is read', () => {
    const event = { ...JSON.parse(fixture('database-state-change-create-table.json')), extra: 1 };
    event.detail = { ...event.detail, typeOfChange: 'SomethingNewTable', newField: true };
    expect(parseGlueMessage(JSON.stringify(event))).toMatchObject({ ok: true, change: { kind: 'tables', tables: ['orders'], typeOfChange: 'SomethingNewTable' } });
  });

  it('an SNS notification wrapping the event is unwrapped', () => {
    const body = JSON.stringify({ Type: 'Notification', MessageId: 'x', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: fixture('table-state-change-update-table.json') });
    expect(parseGlueMessage(body)).toMatchObject({ ok: true, change: { kind: 'tables', tables: ['orders'] } });
  });

  it('says why a message cannot be used', () => {
    const reason = (body: string | undefined) => {
      const parsed = parseGlueMessage(body);
      return parsed.ok ? 'parsed' : parsed.reason;
    };
    expect(reason('{oops')).toBe('the message body is not JSON');
    expect(reason(undefined)).toBe('the message body is not JSON');
    expect(reason('{"hello":"world"}')).toMatch(/^not an EventBridge event: /);
    expect(reason(JSON.stringify({ ...JSON.parse(fixture('database-state-change-create-table.json')), source: 'aws.s3' }))).toMatch(/not a Glue Data Catalog state change \(source "aws.s3"/);
    expect(reason(withDetail({ typeOfChange: 'CreateTable', changedTables: ['a'] }))).toMatch(/Database State Change without databaseName/);
    expect(reason(withDetail({ databaseName: 'sales', typeOfChange: 'UpdateTable' }, 'Glue Data Catalog Table State Change'))).toMatch(/without tableName/);
    const noTables = JSON.parse(fixture('database-state-change-create-table.json'));
    noTables.resources = [];
    delete noTables.detail.changedTables;
    expect(reason(JSON.stringify(noTables))).toBe('a CreateTable event that names no table (no changedTables, no table ARN)');
  });
});

describe('the catalog of an event', () => {
  const s3Tables = (event: Record<string, any>): Record<string, any> => ({
    ...event,
    resources: (event.resources as string[]).map((arn) => arn.replace(':table/', ':table/s3tablescatalog/analytics/')),
  });

  it('comes from the resource ARNs: table/<catalog path>/<database>/<table>, names read from them too', () => {
    const event = s3Tables(JSON.parse(fixture('database-state-change-batch-delete.json')));
    expect(parseGlueMessage(JSON.stringify(event))).toMatchObject({ ok: true, catalog: { account: '123456789012', path: 's3tablescatalog/analytics' }, change: { tables: ['orders_tmp', 'returns_old'] } });
    delete event.detail.changedTables;
    expect(parseGlueMessage(JSON.stringify(event))).toMatchObject({ ok: true, catalog: { path: 's3tablescatalog/analytics' }, change: { tables: ['orders_tmp', 'returns_old'] } });
    const update = s3Tables(JSON.parse(fixture('table-state-change-update-table.json')));
    expect(parseGlueMessage(JSON.stringify(update))).toMatchObject({ ok: true, catalog: { account: '123456789012', path: 's3tablescatalog/analytics' }, change: { tables: ['orders'] } });
  });

  it('a database ARN names the catalog of a DeleteDatabase; the account comes from the ARN', () => {
    const event = {
      ...JSON.parse(fixture('database-state-change-create-table.json')),
      resources: ['arn:aws:glue:us-east-1:210987654321:database/s3tablescatalog/raw/events'],
      detail: { databaseName: 'events', typeOfChange: 'DeleteDatabase' },
    };
    expect(parseGlueMessage(JSON.stringify(event))).toMatchObject({ ok: true, catalog: { account: '210987654321', path: 's3tablescatalog/raw' }, change: { kind: 'database-deleted', database: 'events' } });
  });

  it('a detail.catalogId is taken first; a malformed one is a reason to leave the message', () => {
    const event = JSON.parse(fixture('table-state-change-update-table.json'));
    event.detail.catalogId = 's3tablescatalog/raw';
    expect(parseGlueMessage(JSON.stringify(event))).toMatchObject({ ok: true, catalog: { account: '123456789012', path: 's3tablescatalog/raw' } });
    event.detail.catalogId = 'abc:x';
    expect(parseGlueMessage(JSON.stringify(event))).toMatchObject({ ok: false, reason: expect.stringContaining('is not a Glue catalog id') });
  });
});

describe('retryDelaySeconds', () => {
  it('doubles from 5 s per receive, capped at 15 minutes', () => {
    expect([1, 2, 3, 4].map(retryDelaySeconds)).toEqual([5, 10, 20, 40]);
    expect(retryDelaySeconds(9)).toBe(900);
    expect(retryDelaySeconds(1000)).toBe(900);
    expect(retryDelaySeconds(0)).toBe(5);
  });
});
