// The emulator loads the OpenAPI specs from `fixtures/polaris-spec/` of the package; the product's own
// helper finds the package root both from source (vitest) and from dist/.
export { packageRoot } from '../../../src/util/package-info.js';
