import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-polaris-mirror-signature';
export const TIMESTAMP_HEADER = 'x-polaris-mirror-timestamp';

/** How a sender signs a body: `sha256=` + hex HMAC-SHA256 of "<timestamp>.<body>". */
export function signBody(secret: string, timestampSeconds: number, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex')}`;
}

/**
 * Checks a request's signature: a timestamp within the tolerance of now (no replay of old captures),
 * and the HMAC compared in constant time. Returns why it fails, or undefined when it holds.
 */
export function signatureProblem(
  options: { secret: string; toleranceSeconds: number },
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: Buffer,
  nowMs = Date.now(),
): string | undefined {
  if (!headers.signature || !headers.timestamp) return `the ${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER} headers are required`;
  if (!/^\d{1,12}$/.test(headers.timestamp)) return `${TIMESTAMP_HEADER} must be unix seconds`;
  const skew = Math.abs(nowMs / 1000 - Number(headers.timestamp));
  if (skew > options.toleranceSeconds) return `the request timestamp is ${Math.round(skew)} s away from now (more than ${options.toleranceSeconds} s): refused as a possible replay`;
  const expected = Buffer.from(signBody(options.secret, Number(headers.timestamp), body));
  const given = Buffer.from(headers.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'the body signature does not match';
  return undefined;
}
