// Sent in User-Agent. Kept here rather than read from package.json because the FlexVolume
// driver is a single bundled file with no package.json beside it.
export const KUBE_ALICLOUD_VERSION = '0.1.0';
