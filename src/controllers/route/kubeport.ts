// The route controller's Kubernetes side: Nodes from the shared informer, and the
// NetworkUnavailable condition written as a strategic-merge patch on nodes/status (conditions
// merge by `type`, so other conditions are left alone).
import type { Informer } from '../../kube/informer.js';
import { Resources } from '../../kube/resources.js';
import { ContentType, type KubeClient } from '../../kube/rest.js';
import { routeRelevantChange, type RouteNode } from './controller.js';
import type { NetworkCondition } from './model/verdict.js';

export const NETWORK_UNAVAILABLE = 'NetworkUnavailable';

export function conditionPatch(condition: NetworkCondition, statusChanged: boolean, now: Date): unknown {
  const at = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    status: {
      conditions: [
        {
          type: NETWORK_UNAVAILABLE,
          status: condition.status,
          reason: condition.reason,
          message: condition.message,
          lastHeartbeatTime: at,
          // Kept when only the reason/message moved: the transition time says when the status flipped.
          ...(statusChanged ? { lastTransitionTime: at } : {}),
        },
      ],
    },
  };
}

export function nodeConditionWriter(client: KubeClient, now: () => Date = () => new Date()) {
  return async (nodeName: string, condition: NetworkCondition, statusChanged: boolean): Promise<void> => {
    await client.patch(
      Resources.nodes,
      undefined,
      nodeName,
      conditionPatch(condition, statusChanged, now()),
      ContentType.strategic,
      'status',
    );
  };
}

/** Wires informer events to `notify`, skipping updates that cannot change routes. */
export function watchNodes(informer: Informer<RouteNode>, notify: () => void): () => void {
  return informer.addHandlers({
    add: () => notify(),
    update: (oldNode, newNode) => {
      if (routeRelevantChange(oldNode, newNode)) notify();
    },
    delete: () => notify(),
  });
}
