// The HTTP ingest body: its schema, and how an event becomes an observation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SOURCE_TIME_MS } from '../../src/normalizer/timestamp.js';
import { eventToObservation, ingestBodySchema, ingestEventSchema, type IngestEvent } from '../../adapters/webhook/events.js';
import { WebhookSource } from '../../adapters/webhook/webhook-source.js';

const LOC = 's3://lake/sales/orders/metadata/00007-x.metadata.json';

const paths = (list: Array<{ path: string }>) => [...new Set(list.map((i) => i.path))];

function issues(value: unknown): Array<{ path: string; message: string }> {
  const result = ingestEventSchema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('ingestEventSchema', () => {
  it('accepts a full update event', () => {
    const event = { namespace: ['sales'], table: 'orders', operation: 'update', metadataLocation: LOC, tableUuid: 'u-1', sourceTimestampMs: 1_732_500_000_123 };
    expect(ingestEventSchema.parse(event)).toEqual(event);
  });

  it('metadataLocation is required for create and update', () => {
    expect(issues({ namespace: ['db'], table: 't', operation: 'create' })).toEqual([
      { path: 'metadataLocation', message: 'metadataLocation is required for create' },
    ]);
    expect(issues({ namespace: ['db'], table: 't', operation: 'update' })).toEqual([
      { path: 'metadataLocation', message: 'metadataLocation is required for update' },
    ]);
  });

  it('a drop needs no metadataLocation', () => {
    expect(issues({ namespace: ['db'], table: 't', operation: 'drop' })).toEqual([]);
  });

  it('unknown fields are rejected', () => {
    const result = ingestEventSchema.safeParse({ namespace: ['db'], table: 't', operation: 'drop', metadata_location: LOC });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['metadata_location'] })]);
  });

  it('refuses an unknown operation with a readable message', () => {
    expect(issues({ namespace: ['db'], table: 't', operation: 'rename', metadataLocation: LOC })).toEqual([
      { path: 'operation', message: 'operation must be create, update or drop' },
    ]);
  });

  it('refuses empty namespaces, empty levels and empty names', () => {
    expect(issues({ namespace: [], table: 't', operation: 'drop' })).toEqual([
      { path: 'namespace', message: 'at least one namespace level is needed' },
    ]);
    expect(issues({ namespace: ['a', ''], table: 't', operation: 'drop' })).toEqual([
      { path: 'namespace.1', message: 'namespace levels cannot be empty' },
    ]);
    expect(issues({ namespace: ['a'], table: '', operation: 'drop' })).toEqual([{ path: 'table', message: 'the table name cannot be empty' }]);
  });

  it('sourceTimestampMs must be whole milliseconds between the epoch and 9999-12-31', () => {
    const base = { namespace: ['db'], table: 't', operation: 'drop' };
    expect(issues({ ...base, sourceTimestampMs: 0 })).toEqual([]);
    expect(issues({ ...base, sourceTimestampMs: MAX_SOURCE_TIME_MS })).toEqual([]);
    expect(paths(issues({ ...base, sourceTimestampMs: MAX_SOURCE_TIME_MS + 1 }))).toEqual(['sourceTimestampMs']);
    expect(paths(issues({ ...base, sourceTimestampMs: -1 }))).toEqual(['sourceTimestampMs']);
    expect(paths(issues({ ...base, sourceTimestampMs: 1.5 }))).toEqual(['sourceTimestampMs']);
    expect(paths(issues({ ...base, sourceTimestampMs: Number.MAX_SAFE_INTEGER + 2 }))).toEqual(['sourceTimestampMs']);
    expect(paths(issues({ ...base, sourceTimestampMs: '17' }))).toEqual(['sourceTimestampMs']);
  });

  it('the body needs at least one event and nothing else', () => {
    expect(ingestBodySchema.safeParse({ events: [] }).success).toBe(false);
    expect(ingestBodySchema.safeParse({ events: [{}], extra: 1 }).success).toBe(false);
    expect(ingestBodySchema.parse({ events: [1, 'x'] })).toEqual({ events: [1, 'x'] });
  });
});

describe('eventToObservation', () => {
  it('create/update → present with order = source time = sourceTimestampMs', () => {
    const event: IngestEvent = { namespace: ['sales', 'eu'], table: 'orders', operation: 'update', metadataLocation: LOC, tableUuid: 'u-1', sourceTimestampMs: 500 };
    expect(eventToObservation(event, 9_999)).toEqual({
      table: { namespace: ['sales', 'eu'], name: 'orders' },
      state: 'present',
      metadataLocation: LOC,
      tableUuid: 'u-1',
      order: 500,
      sourceTimeMs: 500,
    });
  });

  it('drop → confirmed absent ordered by sourceTimestampMs', () => {
    expect(eventToObservation({ namespace: ['db'], table: 't', operation: 'drop', sourceTimestampMs: 42 }, 9_999)).toEqual({
      table: { namespace: ['db'], name: 't' },
      state: 'absent',
      confirmed: true,
      order: 42,
      sourceTimeMs: 42,
    });
  });

  it('without sourceTimestampMs the time is receivedAt', () => {
    expect(eventToObservation({ namespace: ['db'], table: 't', operation: 'create', metadataLocation: LOC }, 1_234)).toMatchObject({
      order: 1_234,
      sourceTimeMs: 1_234,
      tableUuid: undefined,
    });
    expect(eventToObservation({ namespace: ['db'], table: 't', operation: 'drop' }, 777)).toMatchObject({ order: 777, sourceTimeMs: 777 });
  });

  it('sourceTimestampMs 0 is a real time, not "missing"', () => {
    expect(eventToObservation({ namespace: ['db'], table: 't', operation: 'drop', sourceTimestampMs: 0 }, 777)).toMatchObject({ order: 0, sourceTimeMs: 0 });
  });

  it('property: every valid event maps to an observation of the same table with its time', () => {
    const level = fc.string({ minLength: 1, maxLength: 8 });
    const event = fc.record(
      {
        namespace: fc.array(level, { minLength: 1, maxLength: 3 }),
        table: level,
        operation: fc.constantFrom('create' as const, 'update' as const, 'drop' as const),
        metadataLocation: fc.webUrl(),
        sourceTimestampMs: fc.integer({ min: 0, max: MAX_SOURCE_TIME_MS }),
      },
      { requiredKeys: ['namespace', 'table', 'operation', 'metadataLocation'] },
    );
    fc.assert(
      fc.property(event, fc.integer({ min: 0, max: 2 ** 45 }), (raw, receivedAt) => {
        const parsed = ingestEventSchema.parse(raw);
        const obs = eventToObservation(parsed, receivedAt);
        expect(obs.table).toEqual({ namespace: raw.namespace, name: raw.table });
        expect(obs.state).toBe(raw.operation === 'drop' ? 'absent' : 'present');
        expect(obs.order).toBe(raw.sourceTimestampMs ?? receivedAt);
        expect(obs.sourceTimeMs).toBe(obs.order);
      }),
      { numRuns: 150 },
    );
  });
});

describe('WebhookSource', () => {
  it('has a name and token, and can neither list nor read (its drops are trusted)', async () => {
    const s = new WebhookSource({
      type: 'webhook',
      name: 'hooks',
      token: 'tok-1234',
      target: { catalog: 'lake', namespacePrefix: [] },
      include: [],
      exclude: [],
      reconcileIntervalSeconds: 3600,
      maxDropFraction: 0.25,
    });
    expect([s.name, s.type, s.ingest.path, s.ingest.token]).toEqual(['hooks', 'webhook', 'events', 'tok-1234']);
    const parsed = await s.ingest.parse({ events: [{ namespace: ['db'], table: 't', operation: 'drop', sourceTimestampMs: 5 }] }, 9);
    expect(parsed).toEqual({
      problems: [],
      problemCount: 0,
      accepted: 1,
      items: [{ path: 'events[0]', observation: { table: { namespace: ['db'], name: 't' }, state: 'absent', confirmed: true, order: 5, sourceTimeMs: 5 } }],
    });
    const bad = await s.ingest.parse({ events: [{ namespace: ['db'], table: 't', operation: 'update' }] }, 9);
    expect(bad).toMatchObject({ items: [], problems: [{ path: 'events[0].metadataLocation' }] });
    expect((s as { list?: unknown }).list).toBeUndefined();
    expect((s as { read?: unknown }).read).toBeUndefined();
  });
});
