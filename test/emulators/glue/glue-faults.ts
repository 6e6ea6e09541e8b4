// Fault injection for the Glue API: random throttling (seeded, so runs repeat), Lake Formation style
// AccessDenied on chosen tables or databases, added latency, and "fail the next N calls of an
// operation" — e.g. a scan that breaks half-way through.
import { AwsError, accessDenied, throttled } from './aws-errors.js';
import type { GlueFaults } from './types.js';

export class GlueFaultPlan {
  private options: GlueFaults = {};
  private denied = new Set<string>();
  private readonly failNext = new Map<string, { count: number; after: number; error: AwsError }>();
  private seed: number;

  constructor(seed = 7) {
    this.seed = seed;
  }

  set(options: GlueFaults): void {
    this.options = { ...options };
    this.denied = new Set(options.accessDenied ?? []);
  }

  /** The next `count` calls of `operation`, after letting `after` more succeed, fail with `error`. */
  failCalls(operation: string, count: number, error: AwsError, after = 0): void {
    this.failNext.set(operation, { count, after, error });
  }

  isDenied(subject: string): boolean {
    return this.denied.has(subject);
  }

  latencyMs(): number {
    return this.options.latencyMs ?? 0;
  }

  /** Throws the fault this call meets, if any. `subjects` are "db" and "db.table" names it touches. */
  check(operation: string, subjects: string[]): void {
    const planned = this.failNext.get(operation);
    if (planned) {
      if (planned.after > 0) planned.after--;
      else {
        if (--planned.count <= 0) this.failNext.delete(operation);
        throw planned.error;
      }
    }
    if ((this.options.throttleRate ?? 0) > 0 && this.random() < this.options.throttleRate!) throw throttled();
    const denied = subjects.find((s) => this.denied.has(s));
    if (denied !== undefined) throw accessDenied(denied);
  }

  /** mulberry32: small, seeded, good enough for fault decisions. */
  private random(): number {
    let t = (this.seed += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
