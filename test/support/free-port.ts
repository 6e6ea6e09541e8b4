import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A loopback port that is free now, for a process started next to bind (a daemon, PostgreSQL, a KDC).
 *
 * It comes from below the kernel's ephemeral range. Every `listen(0)` and every outgoing connection on
 * the machine draws from that range, and tests start emulators on port 0 all the time in parallel
 * workers: a port from that range, freed here and bound by a daemon only a second later, was once
 * taken meanwhile by another test's in-process server, whose /healthz then answered for the daemon
 * that never started (CI, hiveserver2-cli). Below the range only other callers of this function
 * compete, at random over thousands of ports, each worker of the test runner in its own slice.
 */
export async function freePort(): Promise<number> {
  const [low, high] = portsOfThisWorker(portsBelowEphemeralRange());
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = randomInt(low, high);
    if (handedOut.has(port)) continue;
    // Taken before the check: a concurrent call must not pick it meanwhile.
    handedOut.add(port);
    if (await canListen(port)) return port;
    handedOut.delete(port);
  }
  return ephemeralPort();
}

/**
 * Ports this process handed out: a test that asks twice before its first daemon has bound must not
 * get the same port again.
 */
const handedOut = new Set<number>();

/** The test runner's parallel workers draw from ranges of their own (VITEST_POOL_ID counts from 1). */
const WORKER_SLICES = 4;

/**
 * This worker's slice of [low, high): two workers' callers never pick the same port, which at random
 * over the whole range happened about once per 12,000 pairs of calls (a daemon then exited early,
 * its port taken). Outside the test runner (benchmarks), the whole range.
 */
function portsOfThisWorker([low, high]: [number, number]): [number, number] {
  const poolId = Number(process.env.VITEST_POOL_ID);
  if (!Number.isInteger(poolId) || poolId < 1) return [low, high];
  const width = Math.floor((high - low) / WORKER_SLICES);
  const slice = (poolId - 1) % WORKER_SLICES;
  return [low + slice * width, low + (slice + 1) * width];
}

/** Ports [low, high) below the ephemeral range (ip_local_port_range; Linux's default when unreadable). */
function portsBelowEphemeralRange(): [number, number] {
  let ephemeralLow = 32_768;
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(first) && first > 2_048) ephemeralLow = first;
  } catch {
    // Not Linux: keep the default.
  }
  return [Math.max(1_024, ephemeralLow - 12_000), ephemeralLow];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The fallback: a port the kernel picks (listen on 0, read it, close). */
function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
