import type { Mirror } from '../engine/mirror.js';
import { StaticTokenProvider } from '../polaris/token-provider.js';
import { messageOf } from '../util/errors.js';

function ago(now: number, at: number | undefined): string {
  return at === undefined ? 'never' : `${Math.round((now - at) / 1000)} s ago`;
}

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Record<string, { ok: boolean; detail: string }>;
}

/**
 * /readyz: the ledger answers, a valid Polaris token is held, Polaris answered the latest contact, and
 * every listable source finished a pass recently enough (3× its interval). A source still on its first
 * pass does not count against it, unless that pass (or any) has been running longer than 3× the interval.
 */
export function readiness(mirror: Mirror, now = Date.now()): Readiness {
  const checks: Record<string, { ok: boolean; detail: string }> = {};
  try {
    mirror.ledger.db.prepare('SELECT 1').get();
    checks.ledger = { ok: true, detail: 'open' };
  } catch (error) {
    checks.ledger = { ok: false, detail: messageOf(error) };
  }

  const { tokens } = mirror;
  checks.token =
    tokens instanceof StaticTokenProvider
      ? { ok: true, detail: 'static token' }
      : tokens.expiresAt !== undefined && now < tokens.expiresAt
        ? { ok: true, detail: `obtained ${ago(now, tokens.obtainedAt)}, valid for ${Math.round((tokens.expiresAt - now) / 1000)} s more` }
        : { ok: false, detail: tokens.obtainedAt === undefined ? 'no token obtained yet' : `the token expired; last obtained ${ago(now, tokens.obtainedAt)}` };

  const contact = mirror.client.contact;
  const failingSince = contact.lastNetworkErrorAt !== undefined && (contact.lastAnswerAt ?? 0) < contact.lastNetworkErrorAt;
  checks.polaris = failingSince
    ? { ok: false, detail: `unreachable: ${contact.lastNetworkError}` }
    : contact.lastAnswerAt === undefined
      ? { ok: false, detail: 'not contacted yet' }
      : { ok: true, detail: `answered ${Math.round((now - contact.lastAnswerAt) / 1000)} s ago` };

  for (const source of mirror.sources.values()) {
    if (!source.adapter.list) continue;
    const interval = (source.adapter.passIntervalSeconds ?? source.adapter.listIntervalSeconds ?? source.config.reconcileIntervalSeconds) * 1000;
    const state = mirror.ledger.sourceState(source.config.name);
    const lastComplete = state?.passComplete ? state.passEndedAt : undefined;
    const key = `source:${source.config.name}`;
    const runningSince = mirror.reconciler.runningSince(source.config.name);
    if (runningSince !== undefined && now - runningSince > 3 * interval) {
      // A pass that does not end (a hung file system, a source that never answers) is not "first pass not finished yet".
      checks[key] = { ok: false, detail: `a pass has been running for ${Math.round((now - runningSince) / 1000)} s without finishing` };
    } else if (lastComplete !== undefined && lastComplete !== null) {
      const age = now - lastComplete;
      checks[key] = { ok: age <= 3 * interval, detail: `last complete pass ${Math.round(age / 1000)} s ago` };
    } else {
      checks[key] = { ok: true, detail: state?.lastError ? `no complete pass yet: ${state.lastError}` : 'first pass not finished yet' };
    }
  }
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}
