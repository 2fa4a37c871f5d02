// Node → ECS instance: the kubelet (or our node controller) writes `spec.providerID` as
// `<region>.<instanceId>` or `alicloud://<region>.<instanceId>`.

export interface ProviderRef {
  region: string;
  instanceId: string;
}

const SCHEME = 'alicloud://';

export function parseProviderId(providerID: string | undefined): ProviderRef | undefined {
  if (!providerID) return undefined;
  const body = providerID.startsWith(SCHEME) ? providerID.slice(SCHEME.length) : providerID;
  // Other schemes (e.g. `ack-hybrid://` for machines outside the VPC) are not ECS instances.
  if (body.includes('://')) return undefined;
  const dot = body.indexOf('.');
  if (dot <= 0 || dot === body.length - 1) return undefined;
  const region = body.slice(0, dot);
  const instanceId = body.slice(dot + 1);
  if (!/^[a-z0-9-]+$/.test(region) || !/^[A-Za-z0-9-]+$/.test(instanceId)) return undefined;
  return { region, instanceId };
}
