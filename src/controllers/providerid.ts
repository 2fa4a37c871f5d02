// Shared by every controller: spec.providerID ↔ ECS instance. Accepted: `<region>.<instanceId>` (what the official CCM and
// ACK write), `alicloud://<region>.<instanceId>`, and a bare instance id (`i-…`, as some
// kubelet setups pass) — which we read as "in our region". We write `<region>.<instanceId>`.

export interface InstanceRef {
  /** Undefined for a bare instance id. */
  region?: string;
  instanceId: string;
}

const SCHEME = 'alicloud://';
const REGION = /^[a-z]{2,}-[a-z0-9-]+$/;
const INSTANCE = /^[a-z]+-[A-Za-z0-9]+$/;
/** A bare id must look like an ECS instance id, or any hostname with a dash would qualify. */
const BARE_INSTANCE = /^i-[A-Za-z0-9]+$/;

export function parseProviderId(providerID: string | undefined): InstanceRef | undefined {
  if (!providerID) return undefined;
  const body = providerID.startsWith(SCHEME) ? providerID.slice(SCHEME.length) : providerID;
  // Other schemes (`ack-hybrid://`, `aws://`) are not ECS instances.
  if (body.includes('://') || body.includes('/')) return undefined;
  const dot = body.indexOf('.');
  if (dot < 0) return BARE_INSTANCE.test(body) ? { instanceId: body } : undefined;
  const region = body.slice(0, dot);
  const instanceId = body.slice(dot + 1);
  if (!REGION.test(region) || !INSTANCE.test(instanceId)) return undefined;
  return { region, instanceId };
}

export function formatProviderId(region: string, instanceId: string): string {
  return `${region}.${instanceId}`;
}

/** True when the node's providerID names an instance the cloud client (bound to `region`) can see. */
export function inRegion(ref: InstanceRef, region: string): boolean {
  return ref.region === undefined || ref.region === region;
}
