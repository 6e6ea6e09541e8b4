// The test support's freePort: ports for daemons and servers the tests start, which parallel test
// workers must never both pick.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';

const poolId = process.env.VITEST_POOL_ID;
afterEach(() => {
  process.env.VITEST_POOL_ID = poolId;
});

/** [low, high) of the ports below the ephemeral range, as the function computes them on Linux. */
function range(): [number, number] {
  const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  return [Math.max(1_024, ephemeralLow - 12_000), ephemeralLow];
}

describe('freePort', () => {
  it("each worker draws from its own quarter of the range, and a process never gets a port twice", async () => {
    const [low, high] = range();
    const width = Math.floor((high - low) / 4);
    for (const id of [1, 2, 3, 4, 6]) {
      process.env.VITEST_POOL_ID = String(id);
      const slice = (id - 1) % 4;
      const ports = await Promise.all(Array.from({ length: 30 }, () => freePort()));
      for (const port of ports) {
        expect(port).toBeGreaterThanOrEqual(low + slice * width);
        expect(port).toBeLessThan(low + (slice + 1) * width);
      }
    }
    const again: number[] = [];
    for (let i = 0; i < 200; i++) again.push(await freePort());
    expect(new Set(again).size).toBe(again.length);
  });
});
