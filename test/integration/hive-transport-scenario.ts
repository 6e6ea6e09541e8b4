// The same scenario over every metastore transport: a bootstrap (full listing), a commit read from the
// notification log, a gap (events expired while the connector was stopped) healed by a full listing,
// and a hook event accepted: all of it must behave exactly as over a plain Thrift socket.
import { expect } from 'vitest';
import { waitFor } from '../support/ingest-client.js';
import { hookBody, metricValue, type HiveKit, type RunningMirror } from '../emulators/hive/test-kit.js';

export const HOOK_TOKEN = 'hive-hook-token-transport';

export async function mirrorsOverTransport(kit: HiveKit, source: Record<string, unknown>): Promise<RunningMirror> {
  const first = await kit.createIceberg('sales', 'orders');
  await kit.configure({ ingestToken: HOOK_TOKEN, ...source }, (c) => (c.server = { host: '127.0.0.1', port: 0 }));
  let running = await kit.start();
  await kit.waitForPolaris('sales.orders', first);
  const committed = await kit.commit('sales', 'orders');
  await kit.waitForPolaris('sales.orders', committed);
  await waitFor('the cursor at the last event', async () => (await running.mirror.ledger.cursor('hms')) === String(kit.metastore.currentEventId));
  await running.stop();

  const missed = await kit.createIceberg('sales', 'missed');
  kit.metastore.expireThrough(kit.metastore.currentEventId);
  running = await kit.start();
  await kit.waitForPolaris('sales.missed', missed);
  expect(await metricValue(running.metrics, 'sourceGaps', { source: 'hms' })).toBe(1);

  const from = kit.metastore.currentEventId;
  const hooked = await kit.createIceberg('sales', 'hooked');
  const response = await fetch(`${running.baseUrl}/v1/sources/hms/hive-events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${HOOK_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(kit.metastore.eventsAfter(from, 0).map(hookBody)),
  });
  expect(response.status).toBe(202);
  await kit.waitForPolaris('sales.hooked', hooked);
  expect(kit.logs.filter((line) => line.level >= 50)).toEqual([]);
  return running;
}
