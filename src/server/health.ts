import type { Mirror } from '../engine/mirror.js';
import { DEFAULT_POLARIS } from '../config/targets.js';
import type { PolarisContact } from '../polaris/polaris-client.js';
import { StaticTokenProvider, type TokenProvider } from '../polaris/token-provider.js';
import { excerpt } from '../telemetry/safe-text.js';
import { messageOf } from '../util/errors.js';

function ago(now: number, at: number | undefined): string {
  return at === undefined ? 'never' : `${Math.round((now - at) / 1000)} s ago`;
}

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Record<string, { ok: boolean; detail: string }>;
}

/**
 * How much a /readyz answer tells. `summary` is for anyone who can reach the port (a load balancer, a
 * Kubernetes probe): which check fails and since when, never a remote error text. `detail` adds the
 * errors themselves (Polaris's, the sources', the disk's), for a caller holding an ingest token.
 */
export type ReadinessView = 'summary' | 'detail';

/**
 * /readyz: the ledger answers and can write, a valid Polaris token is held, Polaris answered the latest
 * contact, and every listable source finished a pass recently enough (3× its interval). A source still
 * on its first pass does not count against it, unless that pass (or any) has been running longer than 3×
 * the interval.
 */
export async function readiness(mirror: Mirror, now = Date.now(), view: ReadinessView = 'summary'): Promise<Readiness> {
  const checks: Record<string, { ok: boolean; detail: string }> = {};
  const said = (summary: string, detail: string) => (view === 'detail' ? `${summary}: ${excerpt(detail)}` : summary);

  checks.ledger = await ledgerCheck(mirror, now, said);

  // One token and one contact check per Polaris instance: "token" / "polaris" for the default one (as
  // before several instances existed), "token:dr" / "polaris:dr" for an instance named dr. A target that
  // cannot be reached holds back every table mirrored to it, so it makes the daemon not ready too.
  for (const instance of mirror.polaris.all()) {
    const suffix = instance.name === DEFAULT_POLARIS ? '' : `:${instance.name}`;
    checks[`token${suffix}`] = tokenCheck(instance.tokens, now);
    checks[`polaris${suffix}`] = contactCheck(instance.client.contact, now, said);
  }

  for (const source of mirror.sources.values()) {
    if (!source.adapter.list) continue;
    const interval = (source.adapter.passIntervalSeconds ?? source.adapter.listIntervalSeconds ?? source.config.reconcileIntervalSeconds) * 1000;
    // A ledger that cannot be read is the ledger check's failure; the source is judged on what is known.
    const state = checks.ledger.ok ? await mirror.ledger.sourceState(source.config.name).catch(() => undefined) : undefined;
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
      checks[key] = { ok: true, detail: state?.lastError ? said('no complete pass yet; the last one failed', state.lastError) : 'first pass not finished yet' };
    }
  }
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

function tokenCheck(tokens: TokenProvider, now: number): { ok: boolean; detail: string } {
  if (tokens instanceof StaticTokenProvider) return { ok: true, detail: 'static token' };
  if (tokens.expiresAt !== undefined && now < tokens.expiresAt) {
    return { ok: true, detail: `obtained ${ago(now, tokens.obtainedAt)}, valid for ${Math.round((tokens.expiresAt - now) / 1000)} s more` };
  }
  return { ok: false, detail: tokens.obtainedAt === undefined ? 'no token obtained yet' : `the token expired; last obtained ${ago(now, tokens.obtainedAt)}` };
}

function contactCheck(contact: PolarisContact, now: number, said: (summary: string, detail: string) => string): { ok: boolean; detail: string } {
  const failing = contact.lastNetworkErrorAt !== undefined && (contact.lastAnswerAt ?? 0) < contact.lastNetworkErrorAt;
  if (failing) return { ok: false, detail: said(`unreachable: the last contact failed ${ago(now, contact.lastNetworkErrorAt)}`, contact.lastNetworkError ?? '') };
  if (contact.lastAnswerAt === undefined) return { ok: false, detail: 'not contacted yet' };
  return { ok: true, detail: `answered ${Math.round((now - contact.lastAnswerAt) / 1000)} s ago` };
}

/** The ledger must answer a read and, after its latest write, be able to write (a full disk fails here). */
async function ledgerCheck(mirror: Mirror, now: number, said: (summary: string, detail: string) => string): Promise<{ ok: boolean; detail: string }> {
  try {
    await mirror.ledger.ping();
  } catch (error) {
    return { ok: false, detail: said('cannot be read', messageOf(error)) };
  }
  const write = mirror.ledger.writeHealth.state;
  if (write.ok) return { ok: true, detail: 'open' };
  return {
    ok: false,
    detail: said(
      `cannot write (${write.code}) since ${ago(now, write.failingSince)}; the last successful write was ${ago(now, write.lastWriteAt)}`,
      `${write.lastError}; ${mirror.ledger.backend === 'sqlite' ? `free space on the volume of ${mirror.ledger.location} (or raise its file-size limit)` : `check the database at ${mirror.ledger.location}`}`,
    ),
  };
}
