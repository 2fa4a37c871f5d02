// Initialising a batch of Nodes with one cloud lookup: instance ids, private IPs and (only if
// still needed) the VPC listing for hostnames are each fetched once for the whole batch; then
// source/destination checks, then per-Node writes. Two kinds of Node are handled: tainted ones
// (kubelet with --cloud-provider=external) and untainted ones without providerID (kube-aliyun
// clusters), which are adopted. Returns per-Node errors so the queue retries exactly the Nodes
// that failed.
import { errorText } from '../../../util/errors.js';
import type { EventRecorder } from '../../../kube/events.js';
import type { Logger } from '../../../util/log.js';
import { redactSecrets } from '../../../util/secrets.js';
import type { NodeWriter } from '../kubeport.js';
import type { NodeCloudPort } from '../cloudport.js';
import { NodeEvents } from '../events.js';
import { TAINT_UNINITIALIZED } from '../../../kube/labels.js';
import type { NodeNameType } from '../types.js';
import type { CloudInstance } from '../plan/instance.js';
import { InstanceIndex, lookupKeys, matchInstance, type LookupKeys } from '../inputs.js';
import type { NodeMetrics } from '../metrics.js';
import { isLingJunNode, planLingJun } from '../plan/lingjun.js';
import { hasTaint, needsAdoption, removeTaint } from '../plan/modifiers.js';
import { planAdopt, planInit } from '../plan/index.js';
import type { Node } from '../types.js';

export interface InitDeps {
  port: NodeCloudPort;
  writer: NodeWriter;
  recorder: EventRecorder;
  logger: Logger;
  metrics: NodeMetrics;
  nameType: NodeNameType;
  skipDisableSourceDestCheck: boolean;
  /** This manager runs the route controller: new Nodes wait with NetworkUnavailable=True for their route. */
  routesConfigured?: boolean;
  now?: () => Date;
  /**
   * Untainted Nodes (by uid) already told that no instance matches them. They are looked up
   * again every sync period, and a Warning on every look would bury the Node's other events.
   */
  warnedUnmatched?: Set<string>;
}

export class InitError extends Error {
  override name = 'InitError';
}

const identity = (n: Node): string => n.metadata?.uid ?? n.metadata?.name ?? '';

/**
 * Initialises (tainted) or adopts (untainted, no providerID) `nodes` — cached copies; each is
 * re-read before writing. Map value = why it must be retried with backoff. An untainted Node that
 * matches no instance is not in the map: nothing is wrong with it that a retry would fix soon, and
 * the controller looks again every sync period.
 */
export async function initNodes(nodes: readonly Node[], d: InitDeps): Promise<Map<string, Error>> {
  const failed = new Map<string, Error>();
  const candidates = nodes.filter(
    (n) => n.metadata?.name && (hasTaint(n, TAINT_UNINITIALIZED) || needsAdoption(n)),
  );
  await initLingJun(
    candidates.filter((n) => isLingJunNode(n)),
    d,
    failed,
  );
  const todo = candidates.filter((n) => !isLingJunNode(n));
  if (todo.length === 0) return failed;
  const keys = new Map<Node, LookupKeys>(todo.map((n) => [n, lookupKeys(n, d.nameType)]));
  const outcome = (n: Node) =>
    hasTaint(n, TAINT_UNINITIALIZED)
      ? `the Node stays tainted ${TAINT_UNINITIALIZED}`
      : 'spec.providerID is not set yet';

  const index = new InstanceIndex();
  try {
    await lookup(todo, keys, index, d.port);
  } catch (err) {
    const msg = `cloud lookup failed: ${redactSecrets(errorText(err))}`;
    for (const n of todo) {
      d.recorder.event(
        n,
        'Warning',
        NodeEvents.SyncNodeFailed,
        `${msg}; ${outcome(n)} and the Node is retried`,
      );
      failed.set(n.metadata!.name!, new InitError(msg));
      d.metrics.init('lookup_failed');
    }
    return failed;
  }

  const matched: Array<{ node: Node; inst: CloudInstance }> = [];
  for (const n of todo) {
    const m = matchInstance(keys.get(n)!, index);
    if (m.instance) {
      matched.push({ node: n, inst: m.instance });
      d.logger.debug({ node: n.metadata?.name, instance: m.instance.id, via: m.via }, 'matched instance');
      continue;
    }
    d.metrics.init('not_found');
    if (hasTaint(n, TAINT_UNINITIALIZED)) {
      d.recorder.event(
        n,
        'Warning',
        NodeEvents.InstanceNotFound,
        `no ECS instance found for this Node: ${m.reason}; it stays tainted ${TAINT_UNINITIALIZED} and is retried`,
      );
      failed.set(n.metadata!.name!, new InitError(m.reason));
      continue;
    }
    if (d.warnedUnmatched?.has(identity(n))) continue;
    d.warnedUnmatched?.add(identity(n));
    d.recorder.event(
      n,
      'Warning',
      NodeEvents.InstanceNotFound,
      `no ECS instance found for this Node (it has no spec.providerID): ${m.reason}; the Node is left as it is, so it gets no pod route and is no SLB backend; looked up again every --node-monitor-period`,
    );
    d.logger.info(
      { node: n.metadata?.name, why: m.reason },
      'no instance for an untainted Node without providerID',
    );
  }

  const sdcErrors = d.skipDisableSourceDestCheck
    ? new Map<string, string>()
    : await disableSourceDestChecks(
        matched.map((m) => m.inst),
        d,
      );

  for (const { node, inst } of matched) {
    const name = node.metadata!.name!;
    const adopt = !hasTaint(node, TAINT_UNINITIALIZED);
    const plan = adopt
      ? planAdopt(node, inst, sdcErrors.get(inst.id), d.now)
      : planInit(node, inst, sdcErrors.get(inst.id), d.now, {
          routesConfigured: d.routesConfigured ?? false,
        });
    for (const e of plan.events) d.recorder.event(node, e.type, e.reason, e.message);
    if (adopt && plan.blocked) {
      failed.set(name, new InitError(plan.blocked));
      d.metrics.init('blocked');
      continue;
    }
    try {
      // Adoption re-checks the fresh Node: a providerID someone set meanwhile wins, and then
      // none of our facts are written either (the periodic sync takes it from there).
      const res = await d.writer.apply(
        name,
        plan.mods,
        node.metadata?.uid,
        adopt ? (fresh) => !fresh.spec?.providerID : undefined,
      );
      if (res === 'gone' || res === 'skipped') {
        d.metrics.init('gone');
        continue;
      }
    } catch (err) {
      const msg = redactSecrets(errorText(err));
      d.recorder.event(
        node,
        'Warning',
        NodeEvents.SyncNodeFailed,
        `writing cloud facts to the Node failed: ${msg}`,
      );
      failed.set(name, new InitError(msg));
      d.metrics.init('write_failed');
      continue;
    }
    if (plan.blocked) {
      failed.set(name, new InitError(plan.blocked));
      d.metrics.init('blocked');
      continue;
    }
    if (adopt) {
      d.warnedUnmatched?.delete(identity(node));
      d.recorder.event(
        node,
        'Normal',
        NodeEvents.AdoptedNode,
        `adopted instance ${inst.id} (${inst.instanceType ?? 'unknown type'}, ${inst.zone ?? 'unknown zone'}): set spec.providerID, addresses and labels`,
      );
      d.logger.info({ node: name, instance: inst.id }, 'node adopted');
      d.metrics.init('adopted');
      continue;
    }
    d.recorder.event(
      node,
      'Normal',
      NodeEvents.InitializedNode,
      `initialized from instance ${inst.id} (${inst.instanceType ?? 'unknown type'}, ${inst.zone ?? 'unknown zone'})`,
    );
    d.logger.info({ node: name, instance: inst.id }, 'node initialized');
    d.metrics.init('initialized');
  }
  return failed;
}

/** LingJun nodes get the taint removed and nothing else (see lingjun.ts). */
async function initLingJun(nodes: readonly Node[], d: InitDeps, failed: Map<string, Error>): Promise<void> {
  for (const node of nodes) {
    const name = node.metadata!.name!;
    const step = planLingJun(node);
    if (step.kind === 'leave') {
      d.logger.debug({ node: name, why: step.why }, 'LingJun node left alone');
      continue;
    }
    try {
      const res = await d.writer.apply(name, [removeTaint(TAINT_UNINITIALIZED)], node.metadata?.uid);
      if (res === 'gone' || res === 'skipped') {
        d.metrics.init('gone');
        continue;
      }
    } catch (err) {
      const msg = redactSecrets(errorText(err));
      d.recorder.event(
        node,
        'Warning',
        NodeEvents.SyncNodeFailed,
        `removing taint ${TAINT_UNINITIALIZED} failed: ${msg}`,
      );
      failed.set(name, new InitError(msg));
      d.metrics.init('write_failed');
      continue;
    }
    d.recorder.event(
      node,
      'Normal',
      NodeEvents.InitializedNode,
      `LingJun node (${node.spec?.providerID}): removed taint ${TAINT_UNINITIALIZED}; no ECS facts apply`,
    );
    d.logger.info({ node: name }, 'LingJun node initialized');
    d.metrics.init('initialized');
  }
}

async function lookup(
  nodes: readonly Node[],
  keys: Map<Node, LookupKeys>,
  index: InstanceIndex,
  port: NodeCloudPort,
): Promise<void> {
  const all = [...keys.values()];
  const ids = [...new Set(all.flatMap((k) => (k.instanceId ? [k.instanceId] : [])))];
  const ips = [...new Set(all.flatMap((k) => k.privateIps))];
  const [byId, byIp] = await Promise.all([port.describeByIds(ids), port.describeByPrivateIps(ips)]);
  index.add(byId);
  index.add(byIp);
  // The API cannot filter by hostname, so list the VPC only when a Node is still unmatched by id/IP.
  const needHost = nodes.some((n) => {
    const k = keys.get(n)!;
    return k.hostnames.length > 0 && !matchInstance(k, index).instance;
  });
  if (needHost) index.add(await port.listVpcInstances());
}

const CONFLICT_RETRIES = 3;

/** Instance id → error text for every instance whose primary ENI still checks source/destination. */
async function disableSourceDestChecks(
  instances: readonly CloudInstance[],
  d: InitDeps,
): Promise<Map<string, string>> {
  const errors = new Map<string, string>();
  // No primary ENI to be found: the official CCM skips the step rather than hold the Node back
  // forever, since no retry would make one appear.
  const withEni = instances.filter((i) => {
    if (!i.primaryEniId)
      d.logger.info(
        { instance: i.id },
        'instance reports no primary network interface; source/dest check left alone',
      );
    return !!i.primaryEniId;
  });
  if (withEni.length === 0) return errors;
  let checks: Map<string, boolean>;
  try {
    checks = await d.port.sourceDestCheck(withEni.map((i) => i.primaryEniId!));
  } catch (err) {
    const msg = `DescribeNetworkInterfaces failed: ${redactSecrets(errorText(err))}`;
    for (const i of withEni) errors.set(i.id, msg);
    return errors;
  }
  for (const inst of withEni) {
    const eni = inst.primaryEniId!;
    const on = checks.get(eni);
    if (on === undefined) {
      d.logger.info(
        { instance: inst.id, eni },
        'primary network interface not found; source/dest check left alone',
      );
      continue;
    }
    if (!on) continue;
    for (let attempt = 1; ; attempt++) {
      try {
        await d.port.disableSourceDestCheck(eni);
        d.logger.info({ instance: inst.id, eni }, 'disabled source/destination check');
        break;
      } catch (err) {
        // The ENI API rejects overlapping changes with InvalidOperation.Conflict; it clears quickly.
        const code = (err as { code?: string }).code;
        if (code === 'InvalidOperation.Conflict' && attempt < CONFLICT_RETRIES) {
          await new Promise((r) => setTimeout(r, 200 * attempt));
          continue;
        }
        errors.set(inst.id, `ModifyNetworkInterfaceAttribute ${eni}: ${redactSecrets(errorText(err))}`);
        break;
      }
    }
  }
  return errors;
}
