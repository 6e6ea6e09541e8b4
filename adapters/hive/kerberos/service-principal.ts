/**
 * The metastore's Kerberos principal for one address: `hive.metastore.kerberos.principal` with
 * `_HOST` replaced by the host of the uri being connected, lower-cased (as Hadoop's
 * SecurityUtil.getServerPrincipal does), e.g. hive/_HOST@EXAMPLE.COM → hive/hms-1.example.com@EXAMPLE.COM.
 */
export function servicePrincipalFor(template: string, host: string): string {
  return template.replace('_HOST', host.toLowerCase());
}

/** service/host[@REALM]: the shape of a metastore principal (`_HOST` allowed as the host). */
export const SERVICE_PRINCIPAL_PATTERN = /^[^/@\s]+\/[^/@\s]+(@[^/@\s]+)?$/;
