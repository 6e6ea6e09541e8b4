/**
 * How one attempt at a table ended, as the dispatcher reports it to the ledger. `rev` is the revision of
 * the desired state the attempt worked on: if the source changed meanwhile, the table goes straight
 * back to pending instead of in_sync or failed.
 */
export type Outcome = OutcomeKind & {
  /** The X-Request-ID of the operation's Polaris requests (src/polaris/operation-context.ts). */
  readonly requestId?: string;
};

type OutcomeKind =
  | {
      readonly kind: 'applied';
      readonly id: number;
      readonly rev: number;
      readonly applied: {
        readonly state: 'present' | 'absent';
        readonly metadataLocation: string | null;
        readonly tableUuid: string | null;
        readonly timestamp: number | null;
      };
    }
  /** Transient trouble (429, 5xx, network): try again after the delay (the converger turns it into failed after too many). */
  | { readonly kind: 'retry'; readonly id: number; readonly rev: number; readonly error: string; readonly hint?: string; readonly delayMs: number }
  /** Needs an operator (or another writer went away): visible as failed, retried with a growing delay. */
  | {
      readonly kind: 'failed';
      readonly id: number;
      readonly rev: number;
      readonly error: string;
      readonly hint?: string;
      readonly delayMs: number;
      /** Failed only because the target was unreachable or failing: retried once it answers again. */
      readonly transient?: boolean;
    }
  /** Not now, and not a failure (a rename's DROP waits for its CREATE). */
  | { readonly kind: 'deferred'; readonly id: number; readonly delayMs: number; readonly reason: string };
