// What a sync does once its model is on the SLB (applied now, or unchanged since one was):
// report the pod IPs left out of ENI backends, set the readiness-gate condition of the Pods now
// registered (model/readiness.ts decides which), ask to be run again soon while gated Pods may
// turn ready, and fail (for a retry with backoff) while some ENI backend is invalid, as the
// official CCM does (docs/service-load-balancers.md § "ENI backends", § "Readiness gates").
import type { EventType } from '../../kube/events.js';
import { errorText } from '../../util/errors.js';
import { redactSecrets } from '../../util/secrets.js';
import { ServiceEvents } from './events.js';
import type { BackendLookups } from './inputs/index.js';
import type { ServiceKubePort, ServiceObject } from './kubeport.js';
import { gateUpdates, podKey, type GateInputs } from './model/index.js';

export interface SettleContext {
  writer: Pick<ServiceKubePort, 'setPodCondition'>;
  /** An Event on the Service being synced. */
  event(type: EventType, reason: string, message: string): void;
  /** Queue this Service again after the gate recheck delay. */
  recheck(): void;
  /** Last skipped-IP text per key, so a standing skip is reported once, not on every retry. */
  reportedSkips: Map<string, string>;
  vpcId: string;
}

/** Pod writes in flight at once: a rollout of hundreds of Pods must not flood the apiserver. */
const WRITES_IN_FLIGHT = 8;

export async function settleBackends(
  ctx: SettleContext,
  key: string,
  svc: ServiceObject,
  desired: GateInputs['desired'],
  looked: BackendLookups,
): Promise<void> {
  const skipText = `${looked.outsideVpc.join(',')}|${looked.invalid.join(',')}`;
  if (ctx.reportedSkips.get(key) !== skipText) {
    ctx.reportedSkips.set(key, skipText);
    if (looked.outsideVpc.length > 0)
      ctx.event(
        'Normal',
        ServiceEvents.SkipSyncBackends,
        `Not sync pods [${ipList(looked.outsideVpc)}] whose ip is not in vpc cidrs`,
      );
    if (looked.invalid.length > 0)
      ctx.event(
        'Warning',
        ServiceEvents.SkipSyncBackends,
        `Not sync pods [${ipList(looked.invalid)}] whose eni is invalid (no in-use ENI of VPC ${ctx.vpcId} holds the IP)`,
      );
  }
  const updates = gateUpdates({
    desired,
    slices: looked.slices,
    namespace: svc.metadata?.namespace ?? '',
    gateType: looked.gateType,
    pods: looked.pods,
    eniIps: looked.eniIps,
    invalidIps: new Set(looked.invalid),
  });
  const failures: string[] = [];
  for (let i = 0; i < updates.length; i += WRITES_IN_FLIGHT) {
    await Promise.all(
      updates.slice(i, i + WRITES_IN_FLIGHT).map(async (u) => {
        const have = looked.pods
          .get(podKey(u.ref))
          ?.status?.conditions?.find((c) => c.type === looked.gateType);
        try {
          await ctx.writer.setPodCondition({
            ...u.ref,
            type: looked.gateType,
            status: u.status,
            reason: u.reason,
            message: u.message,
            // Kept while the status stays, as the kubelet and the official CCM do.
            lastTransitionTime:
              have?.status === u.status && have.lastTransitionTime
                ? have.lastTransitionTime
                : new Date().toISOString(),
          });
        } catch (err) {
          failures.push(`${podKey(u.ref)}: ${redactSecrets(errorText(err))}`);
        }
      }),
    );
  }
  if (failures.length > 0) {
    const text = `Error updating pod readiness gates for service [${key}]: ${failures.join('; ')}`;
    ctx.event('Warning', ServiceEvents.FailedUpdateReadinessGate, text);
    throw new Error(text);
  }
  // No endpoint change announces a gated Pod's containers turning ready: look again soon.
  if (looked.waiting.size > 0) ctx.recheck();
  if (looked.invalid.length > 0)
    throw new Error(`no ENI holds pod IP(s) ${ipList(looked.invalid)}; retrying`);
}

/** Pod IPs for an Event: the official CCM's comma list, cut short so a big rollout fits one Event. */
export function ipList(ips: readonly string[], max = 20): string {
  const head = ips.slice(0, max).join(',');
  return ips.length > max ? `${head},… (${ips.length - max} more)` : head;
}
