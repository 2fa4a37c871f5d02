// Per-Node decisions (pure): what initialising or re-syncing a Node means, given what the cloud
// said about its instance. The controller turns a plan into writes, events and deletions.
import { NodeEvents, type NodeEventReason } from '../events.js';
import { TAINT_SHUTDOWN, TAINT_UNINITIALIZED } from '../../../kube/labels.js';
import { isReleased, isRunning, isStopped, type CloudInstance } from './instance.js';
import { kubeletLiveness } from './liveness.js';
import {
  addTaint,
  addressesFor,
  hasTaint,
  labelsFor,
  markNetworkUnavailable,
  removeTaint,
  setAddresses,
  setLabels,
  setProviderId,
  type Modifier,
} from './modifiers.js';
import { nodeExcludedBy } from '../../excludednode.js';
import { formatProviderId } from '../../providerid.js';
import type { Node } from '../types.js';

export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: NodeEventReason;
  message: string;
}

export const SHUTDOWN_TAINT = { key: TAINT_SHUTDOWN, effect: 'NoSchedule' } as const;

/** Cloud facts every pass keeps in step: addresses, labels, and the shutdown taint. */
function factModifiers(
  node: Node,
  inst: CloudInstance,
  now: () => Date,
): { mods: Modifier[]; events: PlannedEvent[]; addressError?: string } {
  const mods: Modifier[] = [setLabels(labelsFor(inst))];
  const events: PlannedEvent[] = [];
  const addrs = addressesFor(node, inst);
  if ('addresses' in addrs) mods.unshift(setAddresses(addrs.addresses));
  if (isStopped(inst)) {
    mods.push(addTaint(SHUTDOWN_TAINT, now));
    if (!hasTaint(node, TAINT_SHUTDOWN))
      events.push({
        type: 'Normal',
        reason: NodeEvents.NodeShutdown,
        message: `instance ${inst.id} is Stopped; added taint ${TAINT_SHUTDOWN}`,
      });
  } else if (isRunning(inst)) {
    mods.push(removeTaint(TAINT_SHUTDOWN));
    if (hasTaint(node, TAINT_SHUTDOWN))
      events.push({
        type: 'Normal',
        reason: NodeEvents.NodeStarted,
        message: `instance ${inst.id} is Running again; removed taint ${TAINT_SHUTDOWN}`,
      });
  }
  return { mods, events, ...('error' in addrs ? { addressError: addrs.error } : {}) };
}

export interface InitPlan {
  mods: Modifier[];
  events: PlannedEvent[];
  /** Why the uninitialized taint stays this round (the Node is retried). */
  blocked?: string;
}

/**
 * Initialisation: providerID (when the kubelet set none), addresses, labels, shutdown taint,
 * and — unless something is unresolved — removal of the uninitialized taint.
 * `sourceDestError` is the outcome of turning off the primary ENI's check (undefined = done or skipped).
 */
export function planInit(
  node: Node,
  inst: CloudInstance,
  sourceDestError: string | undefined,
  now: () => Date = () => new Date(),
  opts: { routesConfigured?: boolean } = {},
): InitPlan {
  const facts = factModifiers(node, inst, now);
  const mods = [setProviderId(formatProviderId(inst.region, inst.id)), ...facts.mods];
  // As the official CCM: only where this manager creates routes, and not for Nodes it leaves alone.
  if (opts.routesConfigured && !nodeExcludedBy(node)) mods.push(markNetworkUnavailable(now));
  const events = [...facts.events];
  let blocked: string | undefined;
  if (facts.addressError) {
    // The official CCM skips such a Node entirely: the match is doubtful, so none of this
    // instance's facts (labels, providerID) belong on it either.
    return {
      mods: [],
      events: [
        {
          type: 'Warning',
          reason: NodeEvents.ProvidedNodeIpMismatch,
          message: `${facts.addressError}; nothing is written and the Node stays tainted ${TAINT_UNINITIALIZED}`,
        },
      ],
      blocked: facts.addressError,
    };
  }
  if (sourceDestError) {
    blocked = blocked ? `${blocked}; ${sourceDestError}` : sourceDestError;
    events.push({
      type: 'Warning',
      reason: NodeEvents.SourceDestCheckFailed,
      message: `failed to disable source/destination check: ${sourceDestError}; the Node stays tainted ${TAINT_UNINITIALIZED} and is retried`,
    });
  }
  if (!blocked) mods.push(removeTaint(TAINT_UNINITIALIZED));
  return { mods, events, ...(blocked ? { blocked } : {}) };
}

/**
 * Adoption of an untainted Node without providerID: the same facts as initialisation plus
 * providerID, but all or nothing — with no taint to hold the Node back, a providerID written
 * while the match is doubtful (`--node-ip` not on the instance) or the ENI still checks
 * source/destination would make routes and SLB backends point at it too early. `blocked` means
 * nothing is written and the Node is retried.
 */
export function planAdopt(
  node: Node,
  inst: CloudInstance,
  sourceDestError: string | undefined,
  now: () => Date = () => new Date(),
): InitPlan {
  const facts = factModifiers(node, inst, now);
  const events = [...facts.events];
  const blocked: string[] = [];
  if (facts.addressError) {
    blocked.push(facts.addressError);
    events.push({
      type: 'Warning',
      reason: NodeEvents.ProvidedNodeIpMismatch,
      message: `${facts.addressError}; spec.providerID is not set and the Node is left as it is`,
    });
  }
  if (sourceDestError) {
    blocked.push(sourceDestError);
    events.push({
      type: 'Warning',
      reason: NodeEvents.SourceDestCheckFailed,
      message: `failed to disable source/destination check: ${sourceDestError}; spec.providerID is not set yet and the Node is retried`,
    });
  }
  if (blocked.length > 0) return { mods: [], events, blocked: blocked.join('; ') };
  return { mods: [setProviderId(formatProviderId(inst.region, inst.id)), ...facts.mods], events };
}

export type SyncPlan =
  | { kind: 'update'; mods: Modifier[]; events: PlannedEvent[] }
  | { kind: 'delete'; why: string }
  /** Cloud says gone, but the kubelet still reports: not ours to judge yet. */
  | { kind: 'keep'; why: string };

export interface SyncOptions {
  nowMs: number;
  heartbeatGraceMs: number;
  now?: () => Date;
}

/**
 * Periodic sync of an initialised Node. `inst` undefined means a *successful* describe omitted
 * the instance — callers must never pass undefined for a failed or skipped lookup.
 */
export function planSync(node: Node, inst: CloudInstance | undefined, opts: SyncOptions): SyncPlan {
  if (!inst || isReleased(inst)) {
    const cloud = inst ? `instance ${inst.id} is ${inst.status}` : 'the instance no longer exists';
    const live = kubeletLiveness(node, opts.nowMs, opts.heartbeatGraceMs);
    return live.stopped
      ? { kind: 'delete', why: `${cloud} and the kubelet stopped reporting (${live.why})` }
      : { kind: 'keep', why: `${cloud}, but the kubelet still reports (${live.why})` };
  }
  const facts = factModifiers(node, inst, opts.now ?? (() => new Date()));
  // As the official CCM: a doubtful match (--node-ip not on the instance) writes nothing at all.
  if (facts.addressError) return { kind: 'update', mods: [], events: [] };
  return { kind: 'update', mods: facts.mods, events: facts.events };
}
