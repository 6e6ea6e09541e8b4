import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/cli/table-format.js';

describe('formatTable', () => {
  it('pads each column to its widest cell and leaves the last column unpadded', () => {
    expect(formatTable(['a', 'bb'], [['xxx', 'y'], ['z', 'wwww']])).toBe(['a    bb', '---  ----', 'xxx  y', 'z    wwww'].join('\n'));
  });

  it('takes 500,000 rows (a plan of a large catalog) without exceeding the argument limit', () => {
    const rows = Array.from({ length: 500_000 }, (_, i) => [`t${i}`, 'create']);
    const lines = formatTable(['table', 'action'], rows).split('\n');
    expect(lines).toHaveLength(500_002);
    expect(lines[1]).toBe(`${'-'.repeat('t499999'.length)}  ------`);
  });
});
