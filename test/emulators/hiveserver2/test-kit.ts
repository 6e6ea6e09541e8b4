// Integration-test kit for the hiveserver2 source: the hive kit (Polaris emulator, warehouse, the
// engine in-process, a metastore emulator's catalog and log) with a HiveServer2 emulator answering from
// that same catalog and log, and a config whose one source `hs2` reads HiveServer2.
import { CATALOG } from '../../support/harness.js';
import { startHiveKit, type HiveKit } from '../hive/test-kit.js';
import type { MetastoreOptions } from '../hive/types.js';
import { startHiveServer2Emulator, type HiveServer2Emulator, type HiveServer2EmulatorOptions } from './index.js';

export interface Hs2Kit extends HiveKit {
  readonly hs2: HiveServer2Emulator;
  /** Writes the config: one hiveserver2 source `hs2` on the emulator, plus overrides. */
  configureHs2(source?: Record<string, unknown>): Promise<void>;
}

export async function startHs2Kit(options: { metastore?: MetastoreOptions; hs2?: Omit<HiveServer2EmulatorOptions, 'metastore' | 'metastoreOptions'> } = {}): Promise<Hs2Kit> {
  const kit = await startHiveKit({ metastore: options.metastore });
  const hs2 = await startHiveServer2Emulator({ ...options.hs2, metastore: kit.metastore });
  const hs2Kit: Hs2Kit = {
    ...kit,
    hs2,
    async configureHs2(source = {}) {
      await kit.configure({}, (c) => {
        c.sources = [{ name: 'hs2', type: 'hiveserver2', host: hs2.host, port: hs2.port, pollIntervalMs: 25, target: { catalog: CATALOG }, ...source }];
      });
    },
    async close() {
      await kit.close();
      await hs2.close();
    },
  };
  await hs2Kit.configureHs2(options.hs2?.auth === 'plain' ? { auth: { type: 'plain', username: 'svc', password: 'svc-secret' } } : {});
  return hs2Kit;
}
