import { readFileSync } from 'node:fs';

/** Keytabs are small (a few entries); a bigger file is not one. */
const MAX_KEYTAB_BYTES = 1024 * 1024;

/**
 * The principals a keytab file holds (MIT keytab format, version 0x0501 or 0x0502), so a login that
 * cannot work says why ("the keytab holds no key for …") instead of the library's "No credentials cache
 * found". Only names are read; keys are skipped.
 */
export function keytabPrincipals(file: string): string[] {
  const bytes = readFileSync(file);
  if (bytes.length > MAX_KEYTAB_BYTES) throw new Error(`${file} is larger than ${MAX_KEYTAB_BYTES} bytes: not a keytab`);
  if (bytes.length < 2 || bytes[0] !== 0x05 || (bytes[1] !== 0x01 && bytes[1] !== 0x02)) throw new Error(`${file} is not a Kerberos keytab (bad header)`);
  const version = bytes[1]!;
  const principals = new Set<string>();
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    const size = bytes.readInt32BE(offset);
    offset += 4;
    if (size === 0) break;
    if (size < 0) {
      offset += -size; // a deleted entry
      continue;
    }
    if (offset + size > bytes.length) throw new Error(`${file} is truncated`);
    principals.add(readPrincipal(bytes.subarray(offset, offset + size), version));
    offset += size;
  }
  return [...principals];
}

function readPrincipal(entry: Buffer, version: number): string {
  let offset = 0;
  const u16 = () => {
    const value = entry.readUInt16BE(offset);
    offset += 2;
    return value;
  };
  const text = () => {
    const length = u16();
    const value = entry.subarray(offset, offset + length).toString('utf8');
    offset += length;
    return value;
  };
  // Version 1 counted the realm among the components.
  const count = u16() - (version === 0x01 ? 1 : 0);
  const realm = text();
  const components = Array.from({ length: count }, text);
  return `${components.join('/')}@${realm}`;
}
