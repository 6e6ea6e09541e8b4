/** A decimal string as a non-negative i64 (a Hive event id), or undefined when it is not one. */
export function parseEventId(text: string): bigint | undefined {
  if (!/^\d{1,19}$/.test(text)) return undefined;
  const value = BigInt(text);
  return value <= 0x7fff_ffff_ffff_ffffn ? value : undefined;
}
