/**
 * A source's `allowedLocations`: the metadata locations it may hand to Polaris. Without it, whatever a
 * REST catalog, a hook or a webhook names — a `file://` path on the Polaris host, another tenant's
 * bucket — was sent on. Matching works like Polaris's own allowed locations: prefixes match whole path
 * segments (`s3://lake/wh` allows `s3://lake/wh/t/…`, not `s3://lake/wh2/…`), and `s3a://` / `s3n://`
 * name the same place as `s3://`. A location with a `.` or `..` segment is refused outright: it could
 * climb out of an allowed prefix once resolved.
 */
export interface ParsedLocation {
  readonly scheme: string;
  readonly authority: string;
  readonly segments: readonly string[];
}

const URI = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/]*))?(.*)$/s;

/** S3 clients' scheme variants that address the same objects. */
const SAME_SCHEME: Readonly<Record<string, string>> = { s3a: 's3', s3n: 's3' };

/** A location split into scheme, authority and path segments; undefined when it is no URI. */
export function parseLocation(text: string): ParsedLocation | undefined {
  const match = URI.exec(text);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  return {
    scheme: SAME_SCHEME[scheme] ?? scheme,
    authority: match[2] ?? '',
    // Empty segments (a//b, a trailing slash) carry no place of their own.
    segments: match[3]!.split('/').filter((segment) => segment !== ''),
  };
}

function isDotSegment(segment: string): boolean {
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // Not valid percent-encoding: compared as written.
  }
  return decoded === '.' || decoded === '..';
}

export class AllowedLocations {
  private readonly prefixes: readonly ParsedLocation[];

  /** `prefixes` undefined: every location is allowed (the key is optional). */
  constructor(private readonly configured: readonly string[] | undefined) {
    this.prefixes = (configured ?? []).map((prefix) => {
      const parsed = parseLocation(prefix);
      if (!parsed) throw new Error(`allowed location ${JSON.stringify(prefix)} is not a URI`);
      return parsed;
    });
  }

  /** Why the location may not be sent, or undefined when it may. */
  refusal(location: string): string | undefined {
    if (this.configured === undefined) return undefined;
    const parsed = parseLocation(location);
    if (!parsed) return `metadata location ${JSON.stringify(location)} is not a URI; allowedLocations: ${this.configured.join(', ')}`;
    if (parsed.segments.some(isDotSegment)) return `metadata location ${location} has a "." or ".." segment; locations must be written without them`;
    if (this.prefixes.some((prefix) => covers(prefix, parsed))) return undefined;
    return `metadata location ${location} is outside the source's allowedLocations (${this.configured.join(', ')})`;
  }
}

function covers(prefix: ParsedLocation, location: ParsedLocation): boolean {
  return (
    prefix.scheme === location.scheme &&
    prefix.authority === location.authority &&
    prefix.segments.length <= location.segments.length &&
    prefix.segments.every((segment, i) => location.segments[i] === segment)
  );
}
