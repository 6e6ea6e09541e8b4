// `npm run bench -- hiveserver2-scale [small] [large]`: the hiveserver2 source listed by the real `sync`
// at two catalog sizes (100,000 and 1,000,000 Iceberg tables unless given, 5,000 per database), side by
// side with the ratio of the large run to the small one, as `hive-scale` does for the metastore's Thrift
// API. The memory target is peak RSS ≤ 1.5× at 10× the tables: the listing holds one database's table
// names and a window of SHOW TBLPROPERTIES reads at a time (adapters/hiveserver2/listing.ts), the ledger
// holds the rest. The HiveServer2 emulator runs in this process over a metastore emulator, Polaris in
// its own, the connector in a third under GNU time, so the connector's figures are its own.
import { startHiveServer2Emulator } from '../emulators/hiveserver2/index.js';
import { benchMetastoreListing, type HiveScaleResult } from './hive-scale.js';

export function benchHiveServer2Scale(tables: number): Promise<HiveScaleResult> {
  return benchMetastoreListing(tables, 'hiveserver2-scale', async () => {
    const hs2 = await startHiveServer2Emulator({ metastoreOptions: { version: '3' } });
    return {
      metastore: hs2.metastore,
      source: ['    type: hiveserver2', `    host: ${hs2.host}`, `    port: ${hs2.port}`],
      calls: () => statementsByKind(hs2.stats.statements),
      close: () => hs2.close(),
    };
  });
}

/** The statements received so far, counted by their leading keywords (SHOW TABLES, SHOW TBLPROPERTIES, SELECT …). */
function statementsByKind(statements: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const statement of statements) {
    const words = statement.trim().split(/\s+/, 2);
    const kind = (words[0]!.toUpperCase() === 'SHOW' ? words.join(' ') : words[0]!).toUpperCase();
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
