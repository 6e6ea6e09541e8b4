import { describe, expect, it } from 'vitest';
import { validationScope } from '../../src/engine/validation-scope.js';

describe('validationScope: what one VALIDATE stands for', () => {
  it('the directory holding the table location, within the Polaris namespace', () => {
    expect(validationScope(['db'], 's3://lake/wh/db/t1/metadata/00001-a.metadata.json')).toEqual({ directory: 's3://lake/wh/db/', key: 's3://lake/wh/db/ ["db"]' });
    // Two tables of one directory share it; the same directory in another namespace does not.
    const a = validationScope(['db'], 's3://lake/wh/db/t1/metadata/1.json')!;
    const b = validationScope(['db'], 's3://lake/wh/db/t2/metadata/7.json')!;
    const other = validationScope(['db', 'x'], 's3://lake/wh/db/t3/metadata/1.json')!;
    expect(a.key).toBe(b.key);
    expect(other.key).not.toBe(a.key);
  });

  it('never a bucket root, nor a location without a scheme', () => {
    expect(validationScope(['db'], 's3://lake/t1/metadata/1.json')).toBeUndefined();
    expect(validationScope(['db'], 'relative/t1/metadata/1.json')).toBeUndefined();
    expect(validationScope(['db'], 'file:///wh/db/t1/metadata/1.json')).toEqual({ directory: 'file:///wh/db/', key: 'file:///wh/db/ ["db"]' });
  });
});
