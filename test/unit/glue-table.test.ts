// What a Glue table record means for the mirror: Iceberg with a metadata location is mirrored; every
// other kind is skipped with its reason. Records built as the SDK returns them.
import type { Table } from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import { classifyGlueTable } from '../../adapters/glue/glue-table.js';

const source = { namespace: ['sales'], name: 'orders' };
const iceberg = (extra: Partial<Table> = {}, parameters: Record<string, string> = {}): Table => ({
  Name: 'orders',
  DatabaseName: 'sales',
  TableType: 'EXTERNAL_TABLE',
  VersionId: '7',
  CreateTime: new Date(1_700_000_000_000),
  UpdateTime: new Date(1_700_000_123_456),
  Parameters: { table_type: 'ICEBERG', metadata_location: 's3://lake/sales/orders/metadata/00007-a.metadata.json', ...parameters },
  ...extra,
});

const reason = (table: Table) => {
  const item = classifyGlueTable(source, table, 1);
  return item.kind === 'skipped' ? item.skipped.reason : 'mirrored';
};

describe('classifyGlueTable', () => {
  it('an Iceberg table: metadata location, source time = UpdateTime in ms, order as given', () => {
    expect(classifyGlueTable(source, iceberg(), 42)).toEqual({
      kind: 'observation',
      observation: { table: source, state: 'present', metadataLocation: 's3://lake/sales/orders/metadata/00007-a.metadata.json', order: 42, sourceTimeMs: 1_700_000_123_456 },
    });
  });

  it('without UpdateTime the source time is CreateTime, then the order', () => {
    const noUpdate = classifyGlueTable(source, iceberg({ UpdateTime: undefined }), 42);
    expect(noUpdate.kind === 'observation' && noUpdate.observation.sourceTimeMs).toBe(1_700_000_000_000);
    const neither = classifyGlueTable(source, iceberg({ UpdateTime: undefined, CreateTime: undefined }), 42);
    expect(neither.kind === 'observation' && neither.observation.sourceTimeMs).toBe(42);
  });

  it('table_type in any case; parameter keys in any case; whitespace trimmed', () => {
    expect(reason(iceberg({}, { table_type: 'iceberg' }))).toBe('mirrored');
    const upperKeys = iceberg({ Parameters: { TABLE_TYPE: 'Iceberg', METADATA_LOCATION: ' s3://x/m.json ' } });
    const item = classifyGlueTable(source, upperKeys, 1);
    expect(item.kind === 'observation' && item.observation.metadataLocation).toBe('s3://x/m.json');
  });

  it('the table UUID: IcebergTableMetadata first, then the uuid parameter; only UUID-shaped values', () => {
    const uuid = (t: Table) => {
      const item = classifyGlueTable(source, t, 1);
      return item.kind === 'observation' ? item.observation.tableUuid : 'skipped';
    };
    expect(uuid(iceberg())).toBeUndefined();
    expect(uuid(iceberg({}, { uuid: '9c12d441-03fe-4693-9a96-a0705ddf69c1' }))).toBe('9c12d441-03fe-4693-9a96-a0705ddf69c1');
    expect(uuid(iceberg({ IcebergTableMetadata: { TableUuid: '11111111-2222-3333-4444-555555555555' } }, { uuid: '9c12d441-03fe-4693-9a96-a0705ddf69c1' }))).toBe(
      '11111111-2222-3333-4444-555555555555',
    );
    expect(uuid(iceberg({}, { uuid: 'not-a-uuid' }))).toBeUndefined();
  });

  it('skips every other kind, with a reason', () => {
    expect(reason(iceberg({ Parameters: { classification: 'parquet' } }))).toBe('not-iceberg');
    expect(reason(iceberg({}, { table_type: 'HUDI' }))).toBe('not-iceberg');
    expect(reason(iceberg({ Parameters: { table_type: 'ICEBERG' } }))).toBe('no-metadata-location');
    expect(reason(iceberg({}, { metadata_location: '  ' }))).toBe('no-metadata-location');
    expect(reason(iceberg({ TargetTable: { CatalogId: '210987654321', DatabaseName: 'p', Name: 'o' } }))).toBe('resource-link');
    expect(reason(iceberg({ FederatedTable: { Identifier: 'a', DatabaseIdentifier: 'b', ConnectionName: 'c' } }))).toBe('federated');
    expect(reason(iceberg({ TableType: 'VIRTUAL_VIEW' }))).toBe('view');
    expect(reason(iceberg({ TableType: 'EXTERNAL_TABLE', ViewOriginalText: '/* Presto View */' }))).toBe('view');
    expect(reason(iceberg({ IsMultiDialectView: true }))).toBe('view');
  });

  it('a skipped table says why in its detail', () => {
    const link = classifyGlueTable(source, iceberg({ TargetTable: { CatalogId: '210987654321', DatabaseName: 'p', Name: 'o' } }), 1);
    expect(link).toMatchObject({ kind: 'skipped', skipped: { table: source, detail: expect.stringContaining('210987654321.p.o') } });
    const plain = classifyGlueTable(source, iceberg({ Parameters: { classification: 'csv' } }), 1);
    expect(plain).toMatchObject({ skipped: { detail: 'no table_type parameter (EXTERNAL_TABLE)' } });
  });
});
