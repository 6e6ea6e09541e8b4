/**
 * Bounds every listing applies to what a source hands it, so that a hostile or broken source (a
 * directory tree without end, a catalog answering ever deeper namespaces) ends in a reported error or
 * skip rather than a pass that never finishes.
 */

/** Namespace levels below a source's root; deeper branches are skipped as `too-deep`. */
export const MAX_NAMESPACE_DEPTH = 32;
