// Pod backends of a load-balancer Service, the same for the CLB and the NLB controller
// (docs/service-load-balancers.md § "ENI backends", § "Readiness gates"): the lookups a sync makes
// before its model (gated Pods, pod IP → ENI), the same view from the caches alone (drift passes),
// and the settle step once the model is on the load balancer. One instance per controller: its
// caches are keyed by Service.
import { isNotFound } from '../../kube/errors.js';
import { Resources } from '../../kube/resources.js';
import type { KubeClient } from '../../kube/rest.js';
import type { KubeObject } from '../../kube/types.js';
import { errorText } from '../../util/errors.js';
import { redactSecrets } from '../../util/secrets.js';
import type { EniCloudPort } from './cloudport.js';
import {
  EniResolver,
  lookUpBackends,
  peekBackends,
  PodReader,
  type BackendLookups,
  type EniPlanner,
  type PodLike,
  type ServiceInputs,
} from './inputs/index.js';
import { eniPlan, type GateInputs } from './model/index.js';
import type { ServiceObject } from './kubeport.js';
import { settleBackends, type SettleContext } from './settle.js';

export interface PodBackendsDeps {
  client: KubeClient;
  eniCloud: EniCloudPort;
  vpcId: () => string;
  /** Which pod IPs need an ENI lookup (default: the CLB controller's rules). */
  planEni?: EniPlanner;
}

export class PodBackends {
  /** Pod IP → ENI id, batched and cached. */
  readonly eni: EniResolver;
  private readonly pods: PodReader;
  private readonly planEni: EniPlanner;
  /** Gated Pods the last sync took as backends, per key (for the drift pass's call-free model). */
  private readonly admitted = new Map<string, Set<string>>();
  /** Last SkipSyncBackends text per key, so a standing skip is reported once. */
  private readonly reportedSkips = new Map<string, string>();

  constructor(deps: PodBackendsDeps) {
    this.eni = new EniResolver(deps.eniCloud, { vpcId: deps.vpcId });
    this.planEni = deps.planEni ?? eniPlan;
    this.pods = new PodReader({
      get: async (ns, name) => {
        try {
          return await deps.client.get<PodLike & KubeObject>(Resources.pods, ns, name);
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      },
    });
  }

  /** This sync's lookups; a failure is reported through `warn` (nothing was changed) and rethrown. */
  async lookUp(key: string, base: ServiceInputs, warn: (text: string) => void): Promise<BackendLookups> {
    try {
      const looked = await lookUpBackends(base, { eni: this.eni, pods: this.pods }, this.planEni);
      if (looked.admitted.size > 0) this.admitted.set(key, looked.admitted);
      else this.admitted.delete(key);
      return looked;
    } catch (err) {
      warn(
        `Error looking up backends (pod ENIs, gated Pods), nothing was changed: ${redactSecrets(errorText(err))}`,
      );
      throw err;
    }
  }

  /** The model's inputs from what the caches know (the last sync's gated Pods, known ENIs): no call. */
  peek(key: string, base: ServiceInputs): ServiceInputs {
    return peekBackends(base, this.eni, this.admitted.get(key), this.planEni);
  }

  /** After the model is on the load balancer: skipped-pod events, readiness gates, rechecks. */
  settle(
    ctx: Omit<SettleContext, 'reportedSkips'>,
    key: string,
    svc: ServiceObject,
    desired: GateInputs['desired'],
    looked: BackendLookups,
  ): Promise<void> {
    return settleBackends({ ...ctx, reportedSkips: this.reportedSkips }, key, svc, desired, looked);
  }

  forget(key: string): void {
    this.admitted.delete(key);
    this.reportedSkips.delete(key);
  }
}
