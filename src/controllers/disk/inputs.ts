// Where to create a disk: the class's zoneId, else the zone of the node the scheduler picked
// (WaitForFirstConsumer), else the controller's own zone. A node's zone comes from its topology
// label; a node not yet labelled is looked up through its providerID.
import { isNotFound } from '../../kube/errors.js';
import { Resources } from '../../kube/resources.js';
import type { KubeClient } from '../../kube/rest.js';
import { RetryAfterError } from '../../kube/outcome.js';
import { parseProviderId } from '../providerid.js';
import { WellKnownLabels } from '../../kube/labels.js';
import type { NodeLike } from './types.js';

export interface ZoneSources {
  client: KubeClient;
  /** Zone of an ECS instance (DescribeInstances), for nodes without a zone label. */
  instanceZone(instanceId: string): Promise<string | undefined>;
  /** The controller's zone (cloud-config zoneId, else metadata). */
  defaultZone(): Promise<string>;
}

export function zoneFromLabels(node: NodeLike): string | undefined {
  const labels = node.metadata?.labels ?? {};
  return labels[WellKnownLabels.zone] || labels[WellKnownLabels.betaZone] || undefined;
}

/** Zone of the selected node; a node that cannot be placed yet is retried, not guessed. */
export async function zoneOfNode(src: ZoneSources, nodeName: string): Promise<string> {
  let node: NodeLike;
  try {
    node = await src.client.get<NodeLike>(Resources.nodes, undefined, nodeName);
  } catch (err) {
    if (isNotFound(err)) throw new RetryAfterError(`selected node ${nodeName} not found`, 10_000);
    throw err;
  }
  const labelled = zoneFromLabels(node);
  if (labelled) return labelled;
  const ref = parseProviderId(node.spec?.providerID);
  const fromCloud = ref ? await src.instanceZone(ref.instanceId) : undefined;
  if (fromCloud) return fromCloud;
  throw new RetryAfterError(
    `selected node ${nodeName} has no ${WellKnownLabels.zone} label and no ECS providerID yet`,
    10_000,
  );
}
