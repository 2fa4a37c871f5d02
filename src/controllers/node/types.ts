// The slice of a core/v1 Node the node controller reads and writes. Kept local (not the
// client-node types) so the controller's pure parts are plain data and easy to table-test.
import { WellKnownLabels } from '../../kube/labels.js';
import type { KubeObject, ObjectMeta } from '../../kube/types.js';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | (string & {});
  timeAdded?: string;
}

export type AddressType = 'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS';

export interface NodeAddress {
  type: AddressType | (string & {});
  address: string;
}

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | (string & {});
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface Node extends KubeObject {
  metadata?: ObjectMeta;
  spec?: {
    providerID?: string;
    podCIDR?: string;
    podCIDRs?: string[];
    taints?: Taint[];
    unschedulable?: boolean;
    [k: string]: unknown;
  };
  status?: {
    addresses?: NodeAddress[];
    conditions?: NodeCondition[];
    [k: string]: unknown;
  };
}

/** Labels the node controller writes: the well-known topology ones plus Alibaba Cloud's own. */
export const Labels = {
  ...WellKnownLabels,
  chargeType: 'node.alibabacloud.com/instance-charge-type',
  spotStrategy: 'node.alibabacloud.com/spot-strategy',
  nodepoolId: 'node.alibabacloud.com/nodepool-id',
} as const;

/** ECS tag whose value becomes the nodepool label (ACK convention). */
export const NODEPOOL_TAG = 'ack.alibabacloud.com/nodepool-id';

/** How a Node without providerID is matched to an instance (kube-aliyun's ALIYUN_NODE_NAME_TYPE). */
export type NodeNameType = 'auto' | 'private-ip' | 'hostname' | 'instance-id';

export function parseNodeNameType(raw: string | undefined): NodeNameType {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return 'auto';
  if (v === 'private-ip' || v === 'privateip' || v === 'ip') return 'private-ip';
  if (v === 'hostname') return 'hostname';
  if (v === 'instance-id' || v === 'instanceid') return 'instance-id';
  throw new Error(
    `ALIYUN_NODE_NAME_TYPE: unknown value "${raw}" (expected private-ip, hostname, instance-id or auto)`,
  );
}
