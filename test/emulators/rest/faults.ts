// Injected failures: the first rule matching a request (operation, namespace, table, page) answers it
// instead of the handler, `times` times (or until cleared). Used for half-finished listings (503 on
// page 3), outages (500/503 in the spec's error shape), throttling (429 + Retry-After) and resets.
import { defaultError, RestError } from './errors.js';
import type { FaultRule, RestOperation } from './types.js';

export interface RequestFacts {
  operation: RestOperation;
  namespace?: readonly string[];
  table?: string;
  page?: number;
}

export type FaultAction =
  | { kind: 'none' }
  | { kind: 'reset' }
  | { kind: 'error'; error: RestError }
  | { kind: 'reply'; status: number; body: unknown; headers: Record<string, string> };

export class Faults {
  private rules: Array<FaultRule & { left: number }> = [];

  add(rule: FaultRule): void {
    if (rule.status === undefined && !rule.reset) throw new Error('a fault needs a status or reset');
    this.rules.push({ ...rule, left: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rules = [];
  }

  decide(facts: RequestFacts): FaultAction {
    const rule = this.rules.find((r) => r.left > 0 && matches(r, facts));
    if (!rule) return { kind: 'none' };
    rule.left--;
    if (rule.reset) return { kind: 'reset' };
    const headers: Record<string, string> = rule.retryAfterSeconds === undefined ? {} : { 'retry-after': String(rule.retryAfterSeconds) };
    if (rule.body !== undefined) return { kind: 'reply', status: rule.status!, body: rule.body, headers };
    const base = defaultError(rule.status!);
    return { kind: 'error', error: new RestError(base.status, rule.type ?? base.type, base.message, headers) };
  }
}

function matches(rule: FaultRule, facts: RequestFacts): boolean {
  if (rule.operation !== undefined && rule.operation !== facts.operation) return false;
  if (rule.namespace !== undefined && (facts.namespace === undefined || rule.namespace.join('\u001f') !== facts.namespace.join('\u001f'))) return false;
  if (rule.table !== undefined && rule.table !== facts.table) return false;
  if (rule.page !== undefined && rule.page !== facts.page) return false;
  return true;
}
