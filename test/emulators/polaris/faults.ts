// Fault injection. Random faults (seeded, so runs are reproducible) and deterministic `failNext`
// injections apply to catalog API requests; the token endpoint only when `tokenEndpoint` is set
// (random faults/latency) or when a failNext names the 'token' kind.
//
// Semantics, chosen to model what a client cannot tell apart:
// - injected statuses (429/500/503, failNext) and resets are answered WITHOUT processing the request
//   (a proxy or overloaded front end rejected it); a random 429 carries Retry-After (a gateway's), a
//   failNext 429 only the headers it is given (Polaris's own rate limiter sends none: ratelimit.ts);
// - a slow answer (random, or a failNext with slowMs) IS processed, then its response is held for
//   slowMs: the effect happened but the client timed out — the ambiguous case a retrying client must
//   cope with.
import { defaultErrorBody } from './errors.js';
import type { FailNextResponse, FaultOptions, RequestKind } from './types.js';

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'reply'; status: number; body: unknown; headers: Record<string, string> }
  | { kind: 'reset' }
  | { kind: 'slow'; ms: number };

const NONE: FaultDecision = { kind: 'none' };
const DEFAULT_KINDS: RequestKind[] = ['notification', 'loadTable', 'config', 'list'];

export class Faults {
  private options: FaultOptions;
  private readonly queue: Array<{ remaining: number; response: FailNextResponse }> = [];
  private readonly random: () => number;

  constructor(options: FaultOptions | undefined, seed: number) {
    this.options = { ...options };
    this.random = mulberry32(seed);
  }

  set(options: FaultOptions): void {
    this.options = { ...options };
  }

  failNext(n: number, response: FailNextResponse): void {
    if (n > 0) this.queue.push({ remaining: n, response });
  }

  latencyFor(kind: RequestKind): number {
    return this.applies(kind) ? Math.max(0, this.options.latencyMs ?? 0) : 0;
  }

  decide(kind: RequestKind): FaultDecision {
    const i = this.queue.findIndex((q) => (q.response.kinds ?? DEFAULT_KINDS).includes(kind));
    if (i >= 0) {
      const q = this.queue[i]!;
      if (--q.remaining <= 0) this.queue.splice(i, 1);
      const r = q.response;
      if (r.reset) return { kind: 'reset' };
      if (r.slowMs !== undefined) return { kind: 'slow', ms: r.slowMs };
      return { kind: 'reply', status: r.status, body: r.body === undefined ? defaultErrorBody(r.status) : r.body, headers: { ...r.headers } };
    }
    if (!this.applies(kind)) return NONE;
    const o = this.options;
    const x = this.random();
    let edge = 0;
    if (x < (edge += o.rate429 ?? 0)) {
      return { kind: 'reply', status: 429, body: defaultErrorBody(429), headers: { 'retry-after': String(o.retryAfterSeconds ?? 1) } };
    }
    if (x < (edge += o.rate500 ?? 0)) return { kind: 'reply', status: 500, body: defaultErrorBody(500), headers: {} };
    if (x < (edge += o.rate503 ?? 0)) return { kind: 'reply', status: 503, body: defaultErrorBody(503), headers: {} };
    if (x < (edge += o.rateReset ?? 0)) return { kind: 'reset' };
    if (x < (edge += o.rateSlow ?? 0)) return { kind: 'slow', ms: o.slowMs ?? 30_000 };
    return NONE;
  }

  private applies(kind: RequestKind): boolean {
    return kind !== 'token' || this.options.tokenEndpoint === true;
  }
}

/** Small seeded PRNG (mulberry32): deterministic fault sequences for a given seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
