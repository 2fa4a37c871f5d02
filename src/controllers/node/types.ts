// The slice of a core/v1 Node the node controller reads and writes. Kept local (not the
// client-node types) so the controller's pure parts are plain data and easy to table-test.
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
