// Executes a Plan from diff/changes.ts against SLB. Stages run in order (the ordering rule lives next to
// STAGE in plan.ts); actions inside a stage run concurrently, at most `concurrency` at a time.
// Every action gets its own result and all failures are reported together, so one bad listener
// does not hide that the other three were fixed — and the next sync retries only what is left.
//
// Dependencies the applier resolves itself:
//   - the SLB id of a CreateLoadBalancer earlier in the same plan;
//   - the id of a VServer group created earlier in the same plan (referenced by name); when that
//     create failed, every action that needs the group is skipped rather than sent with no id.
// In dry-run mode the cloud client logs each mutating call and sends nothing; placeholder ids
// (`lb-dry-run`, `rsp-dry-run-<name>`) stand in for what creates would return, so the log shows
// the whole sequence a real run would make.
import {
  MAX_BACKENDS_PER_CALL,
  type BackendServer,
  type RpcParams,
  type ServiceCloudPort,
} from './cloudport.js';
import { redactSecrets } from '../../util/secrets.js';
import { certificateSwitchRefusal, VSWITCH_FULL, vswitchWithFreeIps } from './apply-guards.js';
import { createDefaults as listenerCreateDefaults } from './model/index.js';
import type { Plan, PlanAction, VGroupRef } from './plan.js';
import type { BackendModel, ListenerSettings } from './types.js';

export interface ApplyOptions {
  /** Reused across attempts for the same Service so a retried create returns the same SLB. */
  clientToken?: string;
  /** Actions in flight at once (`--max-concurrent-actions`, default 10). */
  concurrency?: number;
  /** The cloud client is in dry-run mode: writes resolve undefined; use placeholder ids. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

export type ActionStatus = 'done' | 'failed' | 'skipped';

export interface ActionResult {
  action: PlanAction;
  status: ActionStatus;
  /** Failure text (redacted) or why it was skipped. */
  message?: string;
  error?: Error;
}

export interface ApplyResult {
  /** The SLB the plan worked on (created in this run, or the plan's). */
  loadBalancerId?: string;
  /** Set when this run created the SLB. */
  created?: { loadBalancerId: string; address?: string };
  results: ActionResult[];
  /** The number of cloud write calls made (batched backend calls count each batch). */
  calls: number;
  /** Set when any action failed or was skipped because of a failure. */
  error?: ApplyError;
}

/** All failures of one apply, with the first cause kept for outcome mapping. */
export class ApplyError extends Error {
  override name = 'ApplyError';
  constructor(readonly failures: ActionResult[]) {
    const failed = failures.filter((f) => f.status === 'failed');
    const text = failed.map((f) => `${describeAction(f.action)}: ${f.message ?? 'failed'}`).join('; ');
    const skipped = failures.length - failed.length;
    super(
      redactSecrets(
        `${failed.length} cloud action(s) failed${skipped > 0 ? `, ${skipped} skipped` : ''}: ${text}`,
      ),
      { cause: failed[0]?.error },
    );
  }
}

export const DRY_RUN_LB_ID = 'lb-dry-run';
const DEFAULT_CONCURRENCY = 10;

/** One line per action, for logs, events and dry-run output. */
export function describeAction(a: PlanAction): string {
  switch (a.kind) {
    case 'CreateListener':
      return `CreateListener ${a.listener.protocol}:${a.listener.port}`;
    case 'DeleteListener':
    case 'SetListenerAttribute':
    case 'StartListener':
      return `${a.kind} ${a.protocol}:${a.port}`;
    case 'CreateVServerGroup':
    case 'DeleteVServerGroup':
      return `${a.kind} ${a.vgroup.name}`;
    case 'AddVServerGroupBackends':
    case 'RemoveVServerGroupBackends':
    case 'SetVServerGroupBackends':
      return `${a.kind} ${a.vgroup.name} (${a.backends.length})`;
    case 'CreateDomainExtension':
      return `CreateDomainExtension ${a.domain}@${a.port}`;
    default:
      return a.kind;
  }
}

export async function applyPlan(
  slb: ServiceCloudPort,
  plan: Plan,
  opts: ApplyOptions = {},
): Promise<ApplyResult> {
  const run = new PlanRun(slb, plan, opts);
  return run.execute();
}

class PlanRun {
  private lbId: string | undefined;
  private created: ApplyResult['created'];
  private readonly groupIds = new Map<string, string>();
  private readonly failedGroups = new Set<string>();
  /** `port/protocol` of listeners whose create failed: starting them or adding SNI certs is moot. */
  private readonly failedListeners = new Set<string>();
  private readonly results: ActionResult[] = [];
  private calls = 0;
  private lbCreateFailed = false;

  constructor(
    private readonly slb: ServiceCloudPort,
    private readonly plan: Plan,
    private readonly opts: ApplyOptions,
  ) {
    this.lbId = plan.loadBalancerId;
  }

  async execute(): Promise<ApplyResult> {
    if (this.plan.conflicts.length > 0) {
      // The planner refused: nothing is applied, the conflicts are the error.
      const error = new ApplyError([]);
      error.message = redactSecrets(this.plan.conflicts.map((c) => c.reason).join('; '));
      return { loadBalancerId: this.lbId, results: [], calls: 0, error };
    }
    for (const a of this.plan.actions) {
      if ('vgroup' in a && a.vgroup.id) this.groupIds.set(a.vgroup.name, a.vgroup.id);
    }
    const stages = [...new Set(this.plan.actions.map((a) => a.stage))].sort((a, b) => a - b);
    for (const stage of stages) {
      if (this.opts.signal?.aborted) break;
      const actions = this.plan.actions.filter((a) => a.stage === stage);
      const retryAfterStage: PlanAction[] = [];
      // Actions on one VServer group form a chain run in plan order (create → add → remove →
      // update); chains and all other actions run concurrently.
      await runLimited(chains(actions), this.opts.concurrency ?? DEFAULT_CONCURRENCY, async (chain) => {
        for (const a of chain) {
          const r = await this.one(a, actions);
          if (r === 'retry') retryAfterStage.push(a);
        }
      });
      // A full group: adding first failed, the removals in this stage made room; add again.
      for (const a of retryAfterStage) await this.one(a, [], true);
    }
    const failures = this.results.filter((r) => r.status !== 'done');
    return {
      loadBalancerId: this.lbId,
      ...(this.created ? { created: this.created } : {}),
      results: this.results,
      calls: this.calls,
      ...(failures.some((f) => f.status === 'failed') || failures.length > 0
        ? { error: new ApplyError(failures) }
        : {}),
    };
  }

  private async one(
    a: PlanAction,
    stageActions: readonly PlanAction[],
    isRetry = false,
  ): Promise<'retry' | undefined> {
    const skip = this.skipReason(a);
    if (skip) {
      this.results.push({ action: a, status: 'skipped', message: skip });
      return undefined;
    }
    try {
      await this.perform(a);
      this.results.push({ action: a, status: 'done' });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (
        !isRetry &&
        a.kind === 'AddVServerGroupBackends' &&
        this.slb.hasCode(err, 'InstanceBackendServerNumberOverLimit') &&
        stageActions.some((x) => x.kind === 'RemoveVServerGroupBackends' && x.vgroup.name === a.vgroup.name)
      ) {
        return 'retry';
      }
      if (a.kind === 'CreateLoadBalancer') this.lbCreateFailed = true;
      if (a.kind === 'CreateVServerGroup') this.failedGroups.add(a.vgroup.name);
      if (a.kind === 'CreateListener') this.failedListeners.add(`${a.listener.port}/${a.listener.protocol}`);
      this.results.push({ action: a, status: 'failed', message: redactSecrets(error.message), error });
    }
    return undefined;
  }

  private skipReason(a: PlanAction): string | undefined {
    if (a.kind !== 'CreateLoadBalancer' && this.lbCreateFailed) return 'the SLB could not be created';
    if (a.kind !== 'CreateLoadBalancer' && !this.lbId) return 'no SLB id (no CreateLoadBalancer in the plan)';
    if (a.kind === 'StartListener' && this.failedListeners.has(`${a.port}/${a.protocol}`))
      return 'the listener could not be created';
    if (a.kind === 'CreateDomainExtension' && this.failedListeners.has(`${a.port}/https`))
      return 'the HTTPS listener could not be created';
    if ('vgroup' in a && !a.vgroup.id && a.kind !== 'CreateVServerGroup') {
      if (this.failedGroups.has(a.vgroup.name)) return `VServer group ${a.vgroup.name} could not be created`;
      if (!this.groupIds.has(a.vgroup.name)) return `VServer group ${a.vgroup.name} has no id`;
    }
    return undefined;
  }

  private groupId(ref: VGroupRef): string {
    const id = ref.id ?? this.groupIds.get(ref.name);
    if (!id) throw new Error(`VServer group ${ref.name} has no id`);
    return id;
  }

  private async perform(a: PlanAction): Promise<void> {
    const slb = this.slb;
    const lb = (): string => this.lbId!;
    switch (a.kind) {
      case 'CreateLoadBalancer': {
        const at = a.attributes;
        this.calls++;
        const input: Parameters<ServiceCloudPort['createLoadBalancer']>[0] = {
          LoadBalancerName: at.name,
          AddressType: at.addressType,
          AddressIPVersion: at.addressIpVersion === 'ipv6' ? 'ipv6' : undefined,
          VpcId: at.vpcId,
          VSwitchId: at.vSwitchId,
          Address: at.address,
          LoadBalancerSpec: at.loadBalancerSpec,
          InternetChargeType: at.internetChargeType,
          InstanceChargeType: at.instanceChargeType,
          Bandwidth: at.bandwidth,
          MasterZoneId: at.masterZoneId,
          SlaveZoneId: at.slaveZoneId,
          ResourceGroupId: at.resourceGroupId,
          DeleteProtection: at.deleteProtection,
          ModificationProtectionStatus: at.modificationProtectionStatus,
          ModificationProtectionReason:
            at.modificationProtectionStatus === 'ConsoleProtection'
              ? at.modificationProtectionReason
              : undefined,
          tags: Object.entries(a.tags).map(([Key, Value]) => ({ Key, Value })),
          ...(this.opts.clientToken ? { clientToken: this.opts.clientToken } : {}),
        };
        const res = await slb.createLoadBalancer(input).catch(async (err: unknown) => {
          if (!slb.hasCode(err, VSWITCH_FULL) || !a.vSwitchAlternatives?.length) throw err;
          const other = await vswitchWithFreeIps(slb, a.vSwitchAlternatives);
          if (!other) throw err;
          this.calls++;
          return slb.createLoadBalancer({ ...input, VSwitchId: other });
        });
        const id = res?.LoadBalancerId ?? (this.opts.dryRun ? DRY_RUN_LB_ID : undefined);
        if (!id) throw new Error('CreateLoadBalancer returned no LoadBalancerId');
        this.lbId = id;
        this.created = { loadBalancerId: id, ...(res?.Address ? { address: res.Address } : {}) };
        return;
      }
      case 'SetLoadBalancerName':
        this.calls++;
        return slb.setLoadBalancerName(lb(), a.name);
      case 'SetLoadBalancerDeleteProtection':
        this.calls++;
        return slb.setDeleteProtection(lb(), a.deleteProtection === 'on');
      case 'SetLoadBalancerModificationProtection':
        this.calls++;
        return slb.setModificationProtection(
          lb(),
          a.status,
          a.status === 'ConsoleProtection' ? a.reason : undefined,
        );
      case 'ModifyLoadBalancerInstanceChargeType':
        this.calls++;
        return slb.modifyLoadBalancerInstanceChargeType(lb(), a.instanceChargeType, a.loadBalancerSpec);
      case 'ModifyLoadBalancerInstanceSpec':
        this.calls++;
        return slb.modifyLoadBalancerInstanceSpec(lb(), a.loadBalancerSpec);
      case 'ModifyLoadBalancerInternetSpec':
        this.calls++;
        return slb.modifyLoadBalancerInternetSpec(lb(), {
          InternetChargeType: a.internetChargeType,
          ...(a.bandwidth !== undefined ? { Bandwidth: a.bandwidth } : {}),
        });
      case 'TagResources':
        this.calls++;
        return slb.tagResources(
          [lb()],
          Object.entries(a.tags).map(([Key, Value]) => ({ Key, Value })),
        );
      case 'UntagResources':
        this.calls++;
        return slb.untagResources([lb()], a.keys);
      case 'CreateVServerGroup': {
        this.calls++;
        const id =
          (await slb.vgroups.create(lb(), a.vgroup.name)) ??
          (this.opts.dryRun ? `rsp-dry-run-${a.vgroup.name}` : undefined);
        if (!id) throw new Error(`CreateVServerGroup ${a.vgroup.name} returned no id`);
        this.groupIds.set(a.vgroup.name, id);
        return;
      }
      case 'AddVServerGroupBackends': {
        const wire = a.backends.map(toWire);
        this.calls += batches(wire.length);
        return slb.vgroups.addBackends(this.groupId(a.vgroup), wire);
      }
      case 'RemoveVServerGroupBackends': {
        const wire = a.backends.map(toWireIdentity);
        this.calls += batches(wire.length);
        return slb.vgroups.removeBackends(this.groupId(a.vgroup), wire);
      }
      case 'SetVServerGroupBackends': {
        const wire = a.backends.map(toWire);
        const id = this.groupId(a.vgroup);
        for (let i = 0; i < wire.length; i += MAX_BACKENDS_PER_CALL) {
          this.calls++;
          await slb.vgroups.setAttribute(id, { backends: wire.slice(i, i + MAX_BACKENDS_PER_CALL) });
        }
        return;
      }
      case 'DeleteVServerGroup':
        this.calls++;
        try {
          await slb.vgroups.delete(a.vgroup.id);
        } catch (err) {
          if (!slb.isNotFound(err)) throw err; // already gone is what we wanted
        }
        return;
      case 'DeleteListener':
        this.calls++;
        try {
          await slb.listeners.delete(lb(), a.port, a.protocol);
        } catch (err) {
          if (!slb.isNotFound(err)) throw err;
        }
        return;
      case 'CreateListener': {
        const l = a.listener;
        const settings: ListenerSettings = { ...listenerCreateDefaults(l.protocol), ...l.settings };
        const extra: RpcParams = {
          ...(settings as RpcParams),
          Description: l.description,
          VServerGroupId: this.groupId(a.vgroup),
        };
        if (l.protocol === 'http') {
          extra.ListenerForward = l.listenerForward ?? 'off';
          if (l.listenerForward === 'on') extra.ForwardPort = l.forwardPort;
        }
        this.calls++;
        return slb.listeners.create(lb(), l.protocol, { ListenerPort: l.port, extra });
      }
      case 'SetListenerAttribute': {
        const next = a.changes.ServerCertificateId;
        if (next !== undefined) {
          const refusal = await certificateSwitchRefusal(slb, a.previousCertificateId, next, Date.now());
          if (refusal) throw new Error(refusal);
        }
        const extra: RpcParams = {
          ...(a.changes as RpcParams),
          VServerGroup: 'on',
          VServerGroupId: this.groupId(a.vgroup),
        };
        if (a.description !== undefined) extra.Description = a.description;
        this.calls++;
        return slb.listeners.set(lb(), a.protocol, { ListenerPort: a.port, extra });
      }
      case 'StartListener':
        this.calls++;
        return slb.listeners.start(lb(), a.port, a.protocol);
      case 'CreateDomainExtension':
        this.calls++;
        await slb.createDomainExtension(lb(), a.port, a.domain, a.serverCertificateId);
        return;
      case 'SetDomainExtensionAttribute':
        this.calls++;
        return slb.setDomainExtensionAttribute(a.domainExtensionId, a.serverCertificateId);
      case 'DeleteDomainExtension':
        this.calls++;
        return slb.deleteDomainExtension(a.domainExtensionId);
      case 'DeleteLoadBalancer':
        this.calls++;
        try {
          await slb.deleteLoadBalancer(lb());
        } catch (err) {
          if (!slb.isNotFound(err)) throw err;
        }
        return;
    }
  }
}

function chains(actions: readonly PlanAction[]): PlanAction[][] {
  const byGroup = new Map<string, PlanAction[]>();
  const out: PlanAction[][] = [];
  for (const a of actions) {
    const group =
      a.kind === 'CreateVServerGroup' ||
      a.kind === 'AddVServerGroupBackends' ||
      a.kind === 'RemoveVServerGroupBackends' ||
      a.kind === 'SetVServerGroupBackends'
        ? a.vgroup.name
        : undefined;
    if (group === undefined) {
      out.push([a]);
      continue;
    }
    let chain = byGroup.get(group);
    if (!chain) {
      chain = [];
      byGroup.set(group, chain);
      out.push(chain);
    }
    chain.push(a);
  }
  return out;
}

function batches(n: number): number {
  return Math.max(1, Math.ceil(n / MAX_BACKENDS_PER_CALL));
}

export function toWire(b: BackendModel): BackendServer {
  const w: BackendServer = { ServerId: b.serverId, Port: b.port, Weight: b.weight, Type: b.type };
  if (b.serverIp && b.type === 'eni') w.ServerIp = b.serverIp;
  if (b.description) w.Description = b.description;
  return w;
}

/** Removal needs only the identity (server, port, and IP for ENI). */
function toWireIdentity(b: BackendModel): BackendServer {
  const w: BackendServer = { ServerId: b.serverId, Port: b.port, Type: b.type };
  if (b.serverIp && b.type === 'eni') w.ServerIp = b.serverIp;
  return w;
}

async function runLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
}
