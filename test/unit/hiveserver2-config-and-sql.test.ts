// The hiveserver2 source's config (a contract: the issue's example must parse unchanged), the HiveQL it
// builds from catalog names, and its reading of columnar row sets (remote input).
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { hiveServer2SourceSchema } from '../../adapters/hiveserver2/config.js';
import { logPage, quoteIdentifier, showTables, showTblProperties } from '../../adapters/hiveserver2/hiveql.js';
import { classifyHs2Error } from '../../adapters/hiveserver2/hs2-errors.js';
import { decodeRowSets } from '../../adapters/hiveserver2/row-sets.js';
import { configSchema } from '../../src/config/schema.js';

const ISSUE_EXAMPLE = `
- name: hs2
  type: hiveserver2
  host: hs2.example.com
  port: 10000
  transport: binary
  httpPath: cliservice
  auth:
    type: plain
    username: svc_mirror
    password: not-a-real-password
  tls: { caFile: ./ca.pem }
  changeLog: auto
  scanIntervalSeconds: 900
  include: ["analytics.*"]
  target: { catalog: hive_mirror }
`;

describe('type: hiveserver2 config', () => {
  const polaris = { uri: 'http://127.0.0.1:8181/api/catalog', auth: { token: 'tok' } };
  const issues = (source: Record<string, unknown>) =>
    (configSchema.safeParse({ polaris, sources: [{ name: 'hs2', type: 'hiveserver2', host: 'hs2', target: { catalog: 'c' }, ...source }] }).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

  it("the issue's example parses as written (httpPath is kept for transport: http), with defaults", () => {
    const [example] = parseYaml(ISSUE_EXAMPLE) as Array<Record<string, unknown>>;
    const parsed = hiveServer2SourceSchema.parse(example);
    expect(parsed).toMatchObject({ host: 'hs2.example.com', port: 10000, httpPath: 'cliservice', changeLog: 'auto', scanIntervalSeconds: 900, sessions: 4, batchSize: 500, auth: { type: 'plain', username: 'svc_mirror' } });
    expect(hiveServer2SourceSchema.parse({ type: 'hiveserver2', name: 'x', host: 'h', target: { catalog: 'c' } })).toMatchObject({ port: 10000, transport: 'binary', auth: { type: 'none' }, changeLog: 'auto' });
  });

  it('says what is wrong: kerberos over http, an unknown auth type or changeLog, a host with a scheme', () => {
    expect(issues({ transport: 'http', auth: { type: 'kerberos', servicePrincipal: 'hive/_HOST@R' } })).toEqual([expect.stringMatching(/^sources\.0\.auth\.type: kerberos is supported on transport: binary/)]);
    expect(issues({ auth: { type: 'bearer', token: 'abcd' } })).toEqual([expect.stringMatching(/auth\.type must be none, plain or kerberos/)]);
    expect(issues({ changeLog: 'sometimes' })).toEqual(['sources.0.changeLog: changeLog must be auto or off']);
    expect(issues({ host: 'thrift://hs2:10000' })[0]).toMatch(/host name or IP address/);
    expect(issues({ auth: { type: 'kerberos', servicePrincipal: 'hive/_HOST@R', qop: 'auth-conf' } })[0]).toMatch(/only qop: auth/);
  });
});

describe('HiveQL built from names', () => {
  it('backquotes names and doubles backquotes inside them', () => {
    expect(quoteIdentifier('sales')).toBe('`sales`');
    expect(quoteIdentifier('a`b')).toBe('`a``b`');
    expect(showTables('x`; DROP DATABASE y; --')).toBe('SHOW TABLES IN `x``; DROP DATABASE y; --`');
    expect(showTblProperties('db', '`')).toBe('SHOW TBLPROPERTIES `db`.````');
  });

  it('refuses what no Hive name holds', () => {
    expect(() => quoteIdentifier('')).toThrow(/not a Hive identifier/);
    expect(() => quoteIdentifier('a\nb')).toThrow(/not a Hive identifier/);
    expect(() => quoteIdentifier('x'.repeat(1025))).toThrow(/not a Hive identifier/);
  });

  it('formats the log page from numbers only', () => {
    expect(logPage(41n, 500)).toBe('SELECT event_id, event_time, event_type, cat_name, db_name, tbl_name, message, message_format FROM sys.notification_log WHERE event_id > 41 ORDER BY event_id LIMIT 500');
    expect(() => logPage(-1n, 5)).toThrow();
    expect(() => logPage(1n, 0)).toThrow();
  });
});

describe('row sets and errors', () => {
  const int64 = (value: bigint) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64BE(value);
    return { buffer, offset: 0 };
  };

  it('reads columns with null bitmaps and exact i64 values', () => {
    const rows = decodeRowSets(
      [{ columns: [{ i64Val: { values: [int64(9_007_199_254_740_993n), int64(2n)], nulls: Buffer.from([0]) } }, { stringVal: { values: ['a', ''], nulls: Buffer.from([0b10]) } }] }],
      2,
    );
    expect(rows).toEqual([
      [9_007_199_254_740_993n, 'a'],
      [2n, null],
    ]);
  });

  it('refuses row sets of the wrong width or ragged columns', () => {
    expect(() => decodeRowSets([{ columns: [{ stringVal: { values: ['a'], nulls: Buffer.alloc(0) } }] }], 2)).toThrow(/1 columns, expected 2/);
    expect(() =>
      decodeRowSets([{ columns: [{ stringVal: { values: ['a'], nulls: Buffer.alloc(0) } }, { stringVal: { values: [], nulls: Buffer.alloc(0) } }] }], 2),
    ).toThrow(/different lengths/);
    expect(() => decodeRowSets([{ columns: [{}] }], 1)).toThrow(/without values/);
  });

  it('classifies HiveServer2 answers: not found, authorization, SQL; and bounds their text', () => {
    const at = { host: 'h', port: 1, auth: { type: 'plain' } };
    const notFound = classifyHs2Error({ name: 'Status Error', message: 'Error while compiling statement: FAILED: SemanticException [Error 10001]: Table not found db.t', code: 10001 }, at);
    expect(notFound).toMatchObject({ kind: 'sql', notFound: true });
    const denied = classifyHs2Error({ name: 'Status Error', message: 'FAILED: HiveAccessControlException Permission denied: user [u] does not have [SELECT] privilege on [sys/notification_log]', code: 40000 }, at);
    expect(denied).toMatchObject({ kind: 'authorization', notFound: false, hint: expect.stringMatching(/SELECT on sys\.notification_log/) });
    const huge = classifyHs2Error({ name: 'Status Error', message: `x${'y'.repeat(100_000)}`, code: 1 }, at);
    expect(huge.message.length).toBeLessThan(2000);
    expect(classifyHs2Error({ statusCode: 401 }, at)).toMatchObject({ kind: 'authentication' });
    expect(classifyHs2Error(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), at)).toMatchObject({ kind: 'connection', hint: expect.stringMatching(/reachable/) });
  });
});
