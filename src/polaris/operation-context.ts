import { randomUUID } from 'node:crypto';
import type { TraceSpan } from '../telemetry/tracing.js';

/** One HTTP exchange with Polaris made during a table operation (kept for its history and trace). */
export interface PolarisCall {
  readonly method: string;
  /** The URL path only: never the query string or headers. */
  readonly path: string;
  /** The HTTP status, or 'network' when no answer arrived. */
  status: number | 'network';
  readonly startedAt: number;
  durationMs: number;
}

/**
 * A table operation (one converge attempt): its request id, sent as X-Request-ID on every Polaris
 * request it makes (VALIDATE, loadTable, the notification, a repeat after a renewed token), so one id
 * finds the whole operation in Polaris's logs, in the connector's log line, in the ledger and in
 * `status`. One id per operation rather than per attempt: that is what an operator follows.
 */
export interface OperationContext {
  readonly requestId: string;
  readonly calls: PolarisCall[];
  /** The operation's trace span when tracing is on: each Polaris request becomes a child of it. */
  readonly span?: TraceSpan;
}

/** An operation makes a handful of calls; a bound keeps a pathological loop from growing the list. */
const MAX_CALLS_KEPT = 32;

export function newRequestId(): string {
  return randomUUID();
}

/**
 * A new operation: every Polaris request made with it carries the same X-Request-ID. It is passed to
 * the client's calls explicitly: an AsyncLocalStorage would make every promise of the process pay its
 * hooks, about 4% of the connector's CPU when it sends at full speed.
 */
export function startOperation(startSpan?: (requestId: string) => TraceSpan): OperationContext {
  const requestId = newRequestId();
  return { requestId, calls: [], span: startSpan?.(requestId) };
}

/** Records a call in the operation (if any); the caller fills in status and duration. */
export function recordCall(operation: OperationContext | undefined, call: PolarisCall): void {
  if (operation && operation.calls.length < MAX_CALLS_KEPT) operation.calls.push(call);
}
