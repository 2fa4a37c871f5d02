// Turns a row of clb-cases.json into inputs for this project's pure layers (annotations → model →
// diff/plan) and checks the row's expectation. The table is data; everything here is plumbing, so
// a row reads as "this input → this official outcome" and nothing in a row is code.
import assert from 'node:assert/strict';
import { cleanupOwnership, notOurService } from '../../src/controllers/service/annotations/index.js';
import { ownershipOf, planChanges, planDeletion } from '../../src/controllers/service/diff/changes.js';
import type {
  ClusterConfig,
  EndpointSliceLike,
  NodeLike,
  ReusedLoadBalancerInfo,
  ServiceInputs,
  ServiceLike,
} from '../../src/controllers/service/inputs/objects.js';
import { buildDesiredModel } from '../../src/controllers/service/model/build.js';
import type { Plan, PlanAction } from '../../src/controllers/service/plan.js';
import {
  isValidationErrors,
  type DesiredLoadBalancer,
  type ListenerModel,
  type RemoteLoadBalancer,
} from '../../src/controllers/service/types.js';
import { simulate } from '../controllers/service/simulate.js';
import { checkPlanExpect, valueAt } from './clb-expect.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

export interface NodeRow {
  name: string;
  labels?: Record<string, string>;
  providerID?: string;
  ready?: boolean;
  noConditions?: boolean;
  unschedulable?: boolean;
  taints?: Array<{ key: string; effect?: string }>;
}

export interface EndpointRow {
  ip: string;
  node: string;
  ready?: boolean;
  terminating?: boolean;
}

export interface CaseInput {
  annotations?: Record<string, string>;
  spec?: Partial<NonNullable<ServiceLike['spec']>>;
  status?: ServiceLike['status'];
  nodes?: NodeRow[];
  endpoints?: EndpointRow[];
  endpointsV6?: EndpointRow[];
  config?: Partial<ClusterConfig>;
  reused?: ReusedLoadBalancerInfo;
  previouslyManagedTagKeys?: string[];
}

export interface ActionMatch {
  kind: PlanAction['kind'];
  match: Obj;
}

export interface Expect {
  handled?: boolean;
  error?: string;
  values?: Record<string, Json>;
  backends?: Record<string, Array<[string, number]>>;
  empty?: boolean;
  actions?: string[];
  includes?: string[];
  excludes?: string[];
  conflict?: string;
  fields?: ActionMatch[];
  excludesMatch?: ActionMatch[];
}

export interface RemotePatch {
  absent?: boolean;
  fresh?: boolean;
  attributes?: Obj;
  tags?: Record<string, string | null>;
  listeners?: Record<string, Obj>;
  addListeners?: ListenerModel[];
  addBackends?: Obj[];
}

export interface Case {
  id: string;
  area: string;
  behaviour: string;
  source: string;
  official: string;
  check: 'selection' | 'model' | 'plan' | 'deletion';
  input?: CaseInput;
  before?: CaseInput;
  remote?: RemotePatch;
  expect: Expect;
  deliberate?: string;
}

export interface Defaults {
  prefix: string;
  service: ServiceLike;
  nodes: NodeRow[];
  endpoints: EndpointRow[];
  config: ClusterConfig;
}

function node(n: NodeRow): NodeLike {
  const conditions = n.noConditions ? [] : [{ type: 'Ready', status: n.ready === false ? 'False' : 'True' }];
  return {
    metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, ...n.labels } },
    spec: {
      providerID: n.providerID ?? `cn-hangzhou.i-${n.name}`,
      ...(n.unschedulable ? { unschedulable: true } : {}),
      ...(n.taints ? { taints: n.taints } : {}),
    },
    status: { conditions },
  };
}

function slice(family: 'IPv4' | 'IPv6', eps: readonly EndpointRow[]): EndpointSliceLike {
  return {
    metadata: { name: `web-${family.toLowerCase()}`, labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: family,
    ports: [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'https', port: 8443, protocol: 'TCP' },
    ],
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      nodeName: e.node,
      conditions: { ready: e.ready !== false, ...(e.terminating ? { terminating: true } : {}) },
    })),
  };
}

export function inputsOf(d: Defaults, input: CaseInput = {}): ServiceInputs {
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.annotations ?? {}))
    annotations[k.includes('/') ? k : d.prefix + k] = v;
  const base = structuredClone(d.service);
  const service: ServiceLike = {
    metadata: { ...base.metadata, annotations },
    spec: { ...base.spec, ...input.spec },
    ...(input.status ? { status: input.status } : {}),
  };
  const slices = [slice('IPv4', input.endpoints ?? d.endpoints)];
  if (input.endpointsV6) slices.push(slice('IPv6', input.endpointsV6));
  return {
    service,
    nodes: (input.nodes ?? d.nodes).map(node),
    endpointSlices: slices,
    config: { ...d.config, ...input.config },
    ...(input.reused ? { reusedLoadBalancer: input.reused } : {}),
    ...(input.previouslyManagedTagKeys ? { previouslyManagedTagKeys: input.previouslyManagedTagKeys } : {}),
  };
}

function desiredOf(inputs: ServiceInputs, what: string): DesiredLoadBalancer {
  const m = buildDesiredModel(inputs);
  if (isValidationErrors(m)) assert.fail(`${what} does not build: ${JSON.stringify(m.errors)}`);
  return m;
}

/** The user's SLB named by `id`, as the lookup found it, before this Service touched it. */
function reusedBase(info: ReusedLoadBalancerInfo): RemoteLoadBalancer {
  return {
    attributes: {
      loadBalancerId: info.loadBalancerId,
      address: info.address ?? '47.1.1.1',
      addressType: 'internet',
      addressIpVersion: 'ipv4',
      networkType: 'vpc',
      deleteProtection: 'off',
      modificationProtectionStatus: 'NonProtection',
    },
    tags: { ...info.tags },
    listeners: [],
    vgroups: info.vgroups.map((g) => ({ id: g.id, name: g.name, backends: [] })),
  };
}

/** The SLB as a sync of `before` leaves it, then changed by `patch` (someone's hand, or time). */
export function remoteFor(d: Defaults, c: Case): RemoteLoadBalancer | undefined {
  const patch = c.remote ?? {};
  if (patch.absent) return undefined;
  const beforeInputs = inputsOf(d, c.before ?? c.input);
  const reused = beforeInputs.reusedLoadBalancer ?? c.input?.reused;
  const base = reused ? reusedBase(reused) : undefined;
  let remote: RemoteLoadBalancer;
  if (patch.fresh) {
    assert.ok(base, `${c.id}: "fresh" needs a reused SLB`);
    remote = base;
  } else {
    const before = desiredOf(beforeInputs, `${c.id} (before)`);
    const plan = planChanges(before, base, ownershipOf(before));
    assert.deepEqual(plan.conflicts, [], `${c.id}: converging "before" must not conflict`);
    remote = simulate(plan, base)!;
  }
  return applyPatch(remote, patch);
}

function merge(target: Record<string, unknown>, patch: Obj): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (k === 'settings' && typeof v === 'object' && !Array.isArray(v))
      target[k] = { ...(target[k] as object), ...v };
    else target[k] = structuredClone(v);
  }
}

function applyPatch(remote: RemoteLoadBalancer, p: RemotePatch): RemoteLoadBalancer {
  const r = structuredClone(remote);
  if (p.attributes) merge(r.attributes as unknown as Record<string, unknown>, p.attributes);
  for (const [k, v] of Object.entries(p.tags ?? {})) {
    if (v === null) delete r.tags[k];
    else r.tags[k] = v;
  }
  for (const [key, fields] of Object.entries(p.listeners ?? {})) {
    for (const l of r.listeners)
      if (key === '*' || key === `${l.port}/${l.protocol}`)
        merge(l as unknown as Record<string, unknown>, fields);
  }
  r.listeners.push(...structuredClone(p.addListeners ?? []));
  if (p.addBackends?.length) {
    const g = r.vgroups[0];
    assert.ok(g, 'addBackends needs a vserver group');
    g.backends.push(...(structuredClone(p.addBackends) as unknown as typeof g.backends));
  }
  return r;
}

export function checkSelection(d: Defaults, c: Case): void {
  const inputs = inputsOf(d, c.input);
  const why = notOurService(inputs.service, inputs.config.featureGates);
  assert.equal(why === undefined, c.expect.handled, why ?? 'handled');
}

export function checkModel(d: Defaults, c: Case): void {
  const m = buildDesiredModel(inputsOf(d, c.input));
  const e = c.expect;
  if (e.error !== undefined) {
    assert.ok(isValidationErrors(m), `expected a Warning naming ${e.error}, got a model`);
    assert.ok(
      m.errors.some((x) => x.key === e.error),
      `no error names ${e.error}: ${JSON.stringify(m.errors)}`,
    );
    return;
  }
  if (isValidationErrors(m)) assert.fail(`unexpected errors: ${JSON.stringify(m.errors)}`);
  const model: DesiredLoadBalancer = m;
  for (const [path, want] of Object.entries(e.values ?? {})) {
    const got = valueAt(model, path);
    if (want === '$absent') assert.equal(got, undefined, path);
    else assert.deepEqual(got, want, path);
  }
  for (const [port, want] of Object.entries(e.backends ?? {})) {
    const g = model.vgroups.find((x) => x.servicePort === Number(port));
    assert.ok(g, `no vserver group for port ${port}`);
    const got = g.backends.map((b): [string, number] => [b.serverId, b.weight]).sort();
    assert.deepEqual(got, [...want].sort(), `backends of port ${port}`);
  }
}

export function checkPlan(d: Defaults, c: Case): void {
  const inputs = inputsOf(d, c.input);
  let plan: Plan;
  if (c.check === 'deletion') {
    plan = planDeletion(remoteFor(d, c), cleanupOwnership(inputs.service, inputs.config.clusterId));
  } else {
    const desired = desiredOf(inputs, c.id);
    plan = planChanges(desired, remoteFor(d, c), ownershipOf(desired));
  }
  checkPlanExpect(plan, c.expect);
}
