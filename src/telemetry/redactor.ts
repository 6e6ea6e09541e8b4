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

export class Redactor {
  private secrets: string[] = [];

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Registers a value to hide; very short values are ignored (they would mangle ordinary text). */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 4 || this.secrets.includes(secret)) return;
    this.secrets.push(secret);
    // Longest first, so a secret containing another is replaced whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
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
}
