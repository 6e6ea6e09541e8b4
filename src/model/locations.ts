/**
 * The table location a metadata file belongs to: Iceberg writes metadata to <table>/metadata/<file>,
 * so the table location is what precedes the last "/metadata/". Other layouts fall back to the
 * file's directory. VALIDATE results are cached per table location.
 */
export function tableLocationOf(metadataLocation: string): string {
  const marker = metadataLocation.lastIndexOf('/metadata/');
  if (marker > 0) return metadataLocation.slice(0, marker);
  const slash = metadataLocation.lastIndexOf('/');
  return slash > 0 ? metadataLocation.slice(0, slash) : metadataLocation;
}
