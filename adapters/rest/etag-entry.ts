/**
 * What a table's ETag stands for. An entry carries the whole observation a 200 gave, so a later 304
 * can yield the same observation without a body: the ETag alone would not say where the metadata is.
 * It travels as the observation's sourceVersion, so the ledger stores it in the table's row with the
 * observation it stands for (never one without the other), and the next poll reads it back a page
 * at a time: the source holds no ETag longer than one table page's loads.
 */
export interface EtagEntry {
  readonly etag: string;
  readonly metadataLocation: string;
  readonly tableUuid: string;
  readonly sourceTimeMs: number;
}

export function encodeEntry(entry: EtagEntry): string {
  return JSON.stringify([entry.etag, entry.metadataLocation, entry.tableUuid, entry.sourceTimeMs]);
}

/** The entry a stored sourceVersion holds; undefined for none, or for anything else (it is then a full load). */
export function decodeEntry(value: string | undefined): EtagEntry | undefined {
  if (value === undefined) return undefined;
  try {
    const [etag, metadataLocation, tableUuid, sourceTimeMs] = JSON.parse(value) as unknown[];
    if (typeof etag !== 'string' || typeof metadataLocation !== 'string' || typeof tableUuid !== 'string' || typeof sourceTimeMs !== 'number') return undefined;
    return { etag, metadataLocation, tableUuid, sourceTimeMs };
  } catch {
    return undefined;
  }
}
