// LingJun (EFLO) nodes: machines of Alibaba Cloud's LingJun service, not ECS instances. The
// official CCM recognises them by a label and a providerID that is not `<region>.<instance>`,
// and initialises them by removing the uninitialized taint only: DescribeInstances knows
// nothing about them, so there are no addresses or labels to add. Pure.
import { parseProviderId } from '../../providerid.js';
import { TAINT_UNINITIALIZED } from '../../../kube/labels.js';
import { hasTaint } from './modifiers.js';
import type { Node } from '../types.js';

export const LINGJUN_WORKER_LABEL = 'alibabacloud.com/lingjun-worker';
/** Nodes of the Tianwen environment are managed by other means; the official CCM leaves them alone. */
export const LINGJUN_TIANWEN_LABEL = 'alibabacloud.com/lingjun-tianwen-environment';

/** A LingJun node: an ECS providerID wins (as in the official CCM's node typing). */
export function isLingJunNode(node: Node): boolean {
  const providerID = node.spec?.providerID;
  if (!providerID || parseProviderId(providerID)) return false;
  return node.metadata?.labels?.[LINGJUN_WORKER_LABEL] === 'true';
}

export type LingJunStep = { kind: 'untaint' } | { kind: 'leave'; why: string };

export function planLingJun(node: Node): LingJunStep {
  if (node.metadata?.labels && LINGJUN_TIANWEN_LABEL in node.metadata.labels)
    return { kind: 'leave', why: `label ${LINGJUN_TIANWEN_LABEL}` };
  if (!hasTaint(node, TAINT_UNINITIALIZED)) return { kind: 'leave', why: 'already initialised' };
  return { kind: 'untaint' };
}
