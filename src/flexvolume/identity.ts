// Which ECS instance a Kubernetes node name means. Centrally it comes from the name itself (`i-…`,
// `<region>.i-…`), the Node's spec.providerID when a Kubernetes API is configured, or ECS lookups
// by private IP or name. In node mode the driver acts on its own host only: a node name that is not
// this host is refused, because acting on this host instead (what a node-mode driver on a master
// would otherwise do for the controller-manager) attaches disks to the wrong machine.
import { hostname } from 'node:os';
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

/** Names this host answers to as a Kubernetes node: configured name, host names, instance id forms, private IP. */
async function ownNames(cfg: FlexConfig, session: CloudSession, instanceId: string): Promise<Set<string>> {
  const names = new Set<string>([instanceId, `${session.regionId}.${instanceId}`]);
  if (cfg.nodeName) names.add(cfg.nodeName);
  const local = hostname();
  for (const h of [local, await session.hostMetadata('hostname')]) {
    if (!h) continue;
    names.add(h.toLowerCase());
    names.add(h.toLowerCase().split('.')[0]!);
  }
  const ip = await session.hostMetadata('private-ipv4');
  if (ip) names.add(ip);
  return names;
}

async function ownInstance(cfg: FlexConfig, session: CloudSession, nodeName: string): Promise<string> {
  const instanceId = await session.instanceId();
  const names = await ownNames(cfg, session, instanceId);
  if (names.has(nodeName) || names.has(nodeName.toLowerCase())) return instanceId;
  throw new DriverError(
    `node mode acts only on this host (instance ${instanceId}, host ${hostname()}), but was asked about node ${nodeName}; nothing was done. ` +
      `Controller-side attach (kube-controller-manager on the masters) needs the driver there in central mode: ` +
      `mode "central" with an AccessKey and kubeApiUrl in its config (see docs/volumes.md). ` +
      `If ${nodeName} is this host's node name, set nodeName in the driver config`,
  );
}

export async function instanceForNode(
  cfg: FlexConfig,
  session: CloudSession,
  nodeName: string,
): Promise<string> {
  if (cfg.mode === 'node') return ownInstance(cfg, session, nodeName);
  const direct = ID_IN_NAME.exec(nodeName);
  if (direct) return direct[1]!;
  const providerId = cfg.kubeApi ? await nodeProviderId(cfg.kubeApi, nodeName) : undefined;
  if (providerId) {
    const id = instanceFromProviderId(providerId);
    if (id) return id;
  }
  const found = IPV4.test(nodeName)
    ? await session.cloud.describeInstances({ privateIps: [nodeName] })
    : (await session.cloud.describeInstances({ instanceName: nodeName })).filter(
        (i) => i.instanceName === nodeName || i.hostName === nodeName,
      );
  if (found.length === 1) return checkInstanceId(found[0]!.instanceId);
  if (found.length > 1)
    throw new DriverError(
      `node ${nodeName} matches ${found.length} ECS instances; set the Node's providerID`,
    );
  // Last resort: the host name is not a DescribeInstances filter, so scan the region's instances.
  const byHost = (await session.cloud.describeInstances({})).filter((i) => i.hostName === nodeName);
  if (byHost.length === 1) return checkInstanceId(byHost[0]!.instanceId);
  throw new DriverError(`cannot find the ECS instance of node ${nodeName}`);
}
