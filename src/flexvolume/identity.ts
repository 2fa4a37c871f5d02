// Which ECS instance a Kubernetes node name means. On the node the answer is the host's own
// metadata. Centrally it comes from the name itself (`i-…`, `<region>.i-…`), the Node's
// spec.providerID when a Kubernetes API is configured, or ECS lookups by private IP or name.
import { DriverError } from './protocol.js';
import { checkInstanceId } from './validate.js';
import type { FlexConfig } from './config.js';
import type { CloudSession } from './cloud/connect.js';
import { nodeProviderId } from './kubeapi.js';

const ID_IN_NAME = /^(?:[a-z0-9-]+\.)?(i-[a-z0-9]+)$/;
const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;

/** `alicloud://cn-hangzhou.i-abc`, `cn-hangzhou.i-abc` or `i-abc` → `i-abc`. */
export function instanceFromProviderId(providerId: string): string | undefined {
  const m = /^(?:alicloud:\/\/)?(?:[a-z0-9-]+\.)?(i-[a-z0-9]+)$/.exec(providerId);
  return m ? m[1] : undefined;
}

export async function instanceForNode(cfg: FlexConfig, session: CloudSession, nodeName: string): Promise<string> {
  if (cfg.mode === 'node') return session.instanceId();
  const direct = ID_IN_NAME.exec(nodeName);
  if (direct) return direct[1]!;
  const providerId = cfg.kubeApi ? await nodeProviderId(cfg.kubeApi, nodeName) : undefined;
  if (providerId) {
    const id = instanceFromProviderId(providerId);
    if (id) return id;
  }
  const found = IPV4.test(nodeName)
    ? await session.cloud.describeInstances({ privateIps: [nodeName] })
    : (await session.cloud.describeInstances({ instanceName: nodeName })).filter((i) => i.instanceName === nodeName || i.hostName === nodeName);
  if (found.length === 1) return checkInstanceId(found[0]!.instanceId);
  if (found.length > 1) throw new DriverError(`node ${nodeName} matches ${found.length} ECS instances; set the Node's providerID`);
  // Last resort: the host name is not a DescribeInstances filter, so scan the region's instances.
  const byHost = (await session.cloud.describeInstances({})).filter((i) => i.hostName === nodeName);
  if (byHost.length === 1) return checkInstanceId(byHost[0]!.instanceId);
  throw new DriverError(`cannot find the ECS instance of node ${nodeName}`);
}
