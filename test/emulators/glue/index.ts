// Glue + SQS emulator: a real HTTP server on loopback that the real @aws-sdk/client-glue and
// @aws-sdk/client-sqs talk to (set `endpoint` to `url`). In-process API: build the catalog (every
// kind of table), change it as engines do, enqueue EventBridge events, inject faults, count calls.
import type { AddressInfo } from 'node:net';
import type { GlueCatalog } from './catalog.js';
import { GlueCatalogs } from './catalogs.js';
import type { GlueEvent } from './eventbridge.js';
import { GlueFaultPlan } from './glue-faults.js';
import { createGlueServer } from './server.js';
import { SqsService } from './sqs-api.js';
import { StsService } from './sts.js';
import { ACCOUNT_ID, type MessageView, type QueueSpec } from './types.js';

export type * from './types.js';

export interface GlueEmulatorOptions {
  port?: number;
  /** Tables (and databases) per page when the caller does not ask for fewer; Glue's cap is 100. */
  maxPageSize?: number;
  /** Seed of the fault RNG (throttling). */
  seed?: number;
}

export interface GlueEmulator {
  /** http://127.0.0.1:<port>, the `endpoint` of both SDK clients. */
  readonly url: string;
  /** The default catalog of the emulator's account (123456789012). */
  readonly catalog: GlueCatalog;
  /** Every catalog: other accounts' default catalogs, S3 Tables buckets, child catalogs. */
  readonly catalogs: GlueCatalogs;
  /** STS: roles that AssumeRole may take (another account's, reaching its catalogs) and what was assumed. */
  readonly sts: StsService;
  readonly faults: GlueFaultPlan;
  readonly sqs: {
    createQueue(spec: QueueSpec): string;
    /** Enqueues an event (serialized as EventBridge delivers it) or a raw body; returns the message id. */
    send(queue: string, body: GlueEvent | string): string;
    messages(queue: string): MessageView[];
    /** As SQS PurgeQueue (e.g. by an operator): messages in flight are gone too. */
    purge(queue: string): void;
    holdDeletes(hold: boolean): void;
    heldDeletes(): number;
  };
  /** Calls by "Operation:outcome" since start (or the last resetCalls). */
  calls(): Record<string, number>;
  resetCalls(): void;
  close(): Promise<void>;
}

export async function startGlueEmulator(options: GlueEmulatorOptions = {}): Promise<GlueEmulator> {
  const catalogs = new GlueCatalogs();
  const catalog = catalogs.get(ACCOUNT_ID);
  const sts = new StsService();
  const faults = new GlueFaultPlan(options.seed);
  const calls = new Map<string, number>();
  let url = '';
  const sqs = new SqsService(() => url);
  const timers = new Set<() => void>();
  const sleep = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const done = (): void => {
            clearTimeout(timer);
            timers.delete(done);
            resolve();
          };
          const timer = setTimeout(done, ms);
          timers.add(done);
        });
  const server = createGlueServer({ catalogs, sts, faults, maxPageSize: Math.min(100, options.maxPageSize ?? 100), sqs, calls, sleep });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    catalog,
    catalogs,
    sts,
    faults,
    sqs: {
      createQueue: (spec) => sqs.createQueue(spec),
      send: (queue, body) => sqs.queue(queue).send(typeof body === 'string' ? body : JSON.stringify(body)),
      messages: (queue) => sqs.queue(queue).view(),
      purge: (queue) => sqs.queue(queue).purge(),
      holdDeletes: (hold) => sqs.holdDeletes(hold),
      heldDeletes: () => sqs.heldDeletes,
    },
    calls: () => Object.fromEntries(calls),
    resetCalls: () => calls.clear(),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const wake of [...timers]) wake();
        sqs.closeAll();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
