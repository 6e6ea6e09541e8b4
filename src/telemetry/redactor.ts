/**
 * Removes secrets from any text before it leaves the process (log lines, error messages, status
 * output). Known values (config secrets, access tokens as they are issued) are replaced wherever
 * they appear; shapes that always carry a secret (Bearer headers, client_secret form fields,
 * access_token JSON) are masked even when the value was never registered.
 */
export const REDACTED = '[REDACTED]';

const SECRET_SHAPES: ReadonlyArray<[RegExp, string]> = [
  [/(\/\/[^/\s:@]+:)[^/\s@]+@/g, `$1${REDACTED}@`],
  [/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/(client_secret|access_token|refresh_token|token)=[^&\s"]+/gi, `$1=${REDACTED}`],
  [/("(?:access_token|refresh_token|client_secret|clientSecret|token)"\s*:\s*")[^"]*"/g, `$1${REDACTED}"`],
];

/**
 * Every secret given to any Redactor of this process. Code that has no redactor at hand (classifying a
 * Polaris answer, the top-level error printer) scrubs with these, so a secret registered anywhere is
 * hidden everywhere.
 */
const processSecrets: string[] = [];

export class Redactor {
  private secrets: string[] = [];

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Registers a value to hide; very short values are ignored (they would mangle ordinary text). */
  add(secret: string | undefined): void {
    if (!addSecret(this.secrets, secret)) return;
    addSecret(processSecrets, secret);
  }

  scrub(text: string): string {
    return scrubWith(this.secrets, text);
  }
}

/** Scrubs with every secret any Redactor of this process knows (see processSecrets). */
export function scrubProcessSecrets(text: string): string {
  return scrubWith(processSecrets, text);
}

function addSecret(list: string[], secret: string | undefined): secret is string {
  if (!secret || secret.length < 4 || list.includes(secret)) return false;
  list.push(secret);
  // Longest first, so a secret containing another is replaced whole.
  list.sort((a, b) => b.length - a.length);
  return true;
}

function scrubWith(secrets: readonly string[], text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    // The same secret as it appears inside JSON strings or URLs.
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret && out.includes(escaped)) out = out.split(escaped).join(REDACTED);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(REDACTED);
  }
  for (const [shape, replacement] of SECRET_SHAPES) out = out.replace(shape, replacement);
  return out;
}
