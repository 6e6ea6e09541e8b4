// One SQS message naming thousands of tables. Regression (fixed; this was the bug): every table of a
// batch of messages was read before any message of it was committed, so one BatchDeleteTable naming
// thousands of tables held back the UpdateTable next to it for minutes — and, read for longer than the
// queue's visibility timeout, it kept being delivered again toward the dead-letter queue.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mirror } from '../../src/engine/mirror.js';
import { glueEvents } from '../emulators/glue/eventbridge.js';
import { DLQ, QUEUE, startGlueHarness, waitFor, watchInProcess, type GlueHarness } from './glue-harness.js';

let h: GlueHarness;
let mirror: Mirror | undefined;
let watching: ReturnType<typeof watchInProcess> | undefined;

beforeEach(async () => {
  // A visibility timeout well below the time the big message takes (1,200 reads at 60/s: 20 s).
  h = await startGlueHarness({ visibilityTimeoutSeconds: 6, maxReceiveCount: 2 });
});
afterEach(async () => {
  await watching?.stop();
  await mirror?.close();
  await h.close();
});

describe('one message naming thousands of tables', () => {
  it('does not hold back the other messages of its batch, is read once, and is not delivered again meanwhile', async () => {
    await h.writeConfig((source) => (source.requestsPerSecond = 60));
    h.lake.commit('sales', 'orders');
    await h.sync();
    h.glue.resetCalls();
    mirror = h.openMirror();
    const newer = h.lake.commit('sales', 'orders');
    const names = Array.from({ length: 1_200 }, (_, i) => `gone_${i}`);
    h.glue.sqs.send(QUEUE, glueEvents.batchDeleteTable('db', names));
    h.glue.sqs.send(QUEUE, glueEvents.updateTable('sales', 'orders'));
    watching = watchInProcess(mirror);

    // The small message is done — mirrored and deleted — while the big one is still being read (all
    // of it takes 20 s at the Glue rate limit; before, the small one waited for every one of them).
    let bigReadsWhenSmallDone = 0;
    await waitFor(() => {
      bigReadsWhenSmallDone = h.glue.calls()['GetTable:EntityNotFoundException'] ?? 0;
      return h.polarisState().get('sales.orders') === newer && h.glue.sqs.messages(QUEUE).length === 1;
    }, 60_000, 'the small message');
    expect(bigReadsWhenSmallDone).toBeLessThan(names.length / 2);
    expect(h.glue.sqs.messages(QUEUE)[0]!.receiveCount).toBe(1);

    // The big one finishes too: each table read once, kept invisible throughout, deleted at the end.
    let mostReceives = 0;
    await waitFor(() => {
      mostReceives = Math.max(mostReceives, ...h.glue.sqs.messages(QUEUE).map((m) => m.receiveCount));
      return h.glue.sqs.messages(QUEUE).length === 0;
    }, 60_000, 'the big message');
    expect(mostReceives).toBe(1);
    expect(h.glue.calls()['GetTable:EntityNotFoundException']).toBe(names.length);
    expect(h.glue.calls()['ReceiveMessage:ok']).toBeGreaterThan(0);
    expect(h.glue.calls()['ChangeMessageVisibility:ok']).toBeGreaterThan(0);
    expect(h.glue.sqs.messages(DLQ)).toHaveLength(0);
  }, 120_000);
});
