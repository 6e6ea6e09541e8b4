import type { SourceConfig } from '../src/config/schema.js';
import type { AdapterContext, SourceAdapter } from '../src/model/source-adapter.js';
import { FilesSource } from './files/files-source.js';
import { GlueSource } from './glue/glue-source.js';
import { HiveSource } from './hive/hive-source.js';
import { HiveServer2Source } from './hiveserver2/hiveserver2-source.js';
import { RestSource } from './rest/rest-source.js';
import { WebhookSource } from './webhook/webhook-source.js';

/** Builds the adapter for a configured source. A new kind adds its case here and its schema in schemas.ts. */
export function createSourceAdapter(config: SourceConfig, context: AdapterContext): SourceAdapter {
  switch (config.type) {
    case 'files':
      return new FilesSource(config);
    case 'webhook':
      return new WebhookSource(config);
    case 'glue':
      return new GlueSource(config, context);
    case 'hive':
      return new HiveSource(config, context);
    case 'hiveserver2':
      return new HiveServer2Source(config, context);
    case 'rest':
      return new RestSource(config, context);
  }
}
