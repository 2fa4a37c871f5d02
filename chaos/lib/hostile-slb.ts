// Hostile tenant, load-balancer part: what a user with rights only in namespace `team-b` (create
// Services there) can try against the SLBs of namespace `team-a`, hand-made SLBs of the account
// and the ownership tags. Each attack is replayed against the Alibaba Cloud and Kubernetes
// emulators and must end with (1) a specific Warning Event on the attacker's Service and (2) the
// victims' cloud objects byte-for-byte as before. Used by test/controllers/service/hostile.test.ts
// and meant for the R8 "hostile tenant" chaos scenario, which supplies its own arena.
import type { SlbApi } from '../../src/cloud/slb.js';
import type { CloudState } from '../../emulators/alicloud/state.js';
import type { KubeStore } from '../../emulators/kube/facade.js';
import { eventually } from '../../test/helpers/eventually.js';

export const VICTIM_NS = 'team-a';
export const ATTACKER_NS = 'team-b';
const PFX = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-';
const GRANT_PREFIX = 'kube-alicloud.io/reusable/';

export interface SlbArena {
  /** The cloud emulator's state: read for snapshots only. */
  state: CloudState;
  /** The Kubernetes emulator's store: the attacker's (and victims') Services, Events. */
  store: KubeStore;
  /** The account owner's SLB client: seeds the hand-made SLBs and the reuse grants. */
  operator: SlbApi;
  clusterId: string;
  /** vSwitch for the hand-made intranet SLBs. */
  vSwitchId: string;
  /** Resolves once the Service controller has caught up with every change so far. */
  settle(): Promise<void>;
}

/** What the victims own, created once per arena by `seedVictims`. */
export interface Victims {
  /** Hand-made SLB opened to team-a and team-b; team-a's `shop` holds listener 80 on it. */
  shared: string;
  /** Hand-made SLB opened to team-a only. */
  privateToA: string;
  /** Hand-made SLB opened to nobody. */
  closed: string;
  /** The SLB the controller created for team-a's `web`. */
  owned: string;
  /** kubernetes.do.not.delete value of `web`'s SLB. */
  ownedDefaultName: string;
  /** team-a's VServer group on the shared SLB. */
  shopGroup: string;
  clusterId: string;
}

export interface AttackerService {
  name: string;
  annotations: Record<string, string>;
  ports?: Array<{ name?: string; port: number; protocol?: string }>;
}

export interface SlbAttack {
  name: string;
  service(v: Victims): AttackerService;
  /** The Event the attacker's Service must get. */
  expect: { type: 'Warning' | 'Normal'; reason: string; message: RegExp };
}

export const SLB_ATTACKS: readonly SlbAttack[] = [
  {
    name: "claims team-a's listener on the shared SLB with force-override-listeners",
    service: (v) => ({
      name: 'evil',
      annotations: { [`${PFX}id`]: v.shared, [`${PFX}force-override-listeners`]: 'true' },
    }),
    expect: {
      type: 'Warning',
      reason: 'LoadBalancerConflict',
      message: /listener tcp:80 belongs to Service team-a\/shop/,
    },
  },
  {
    name: "claims team-a's port with another protocol (http:80) and force-override-listeners",
    service: (v) => ({
      name: 'evil-http',
      annotations: {
        [`${PFX}id`]: v.shared,
        [`${PFX}force-override-listeners`]: 'true',
        [`${PFX}protocol-port`]: 'http:80',
      },
    }),
    expect: {
      type: 'Warning',
      reason: 'LoadBalancerConflict',
      message: /port 80 is taken by a tcp listener .*k8s\/80\/shop\/team-a/,
    },
  },
  {
    name: "claims team-a's listener without force-override-listeners (listeners stay out of reach)",
    service: (v) => ({ name: 'evil-soft', annotations: { [`${PFX}id`]: v.shared } }),
    expect: { type: 'Normal', reason: 'EnsuredLoadBalancer', message: /Ensured load balancer/ },
  },
  {
    name: "fills team-a's VServer group through vgroup-port",
    service: (v) => ({
      name: 'evil-group',
      annotations: { [`${PFX}id`]: v.shared, [`${PFX}vgroup-port`]: `${v.shopGroup}:80` },
    }),
    expect: {
      type: 'Warning',
      reason: 'InvalidAnnotation',
      message: /was created by a controller; only user-created groups can be reused/,
    },
  },
  {
    name: 'names a hand-made SLB nobody opened',
    service: (v) => ({ name: 'evil-closed', annotations: { [`${PFX}id`]: v.closed } }),
    expect: {
      type: 'Warning',
      reason: 'InvalidAnnotation',
      message: /is not open to namespace "team-b".*reusableLoadBalancers/,
    },
  },
  {
    name: 'names a hand-made SLB opened to team-a only',
    service: (v) => ({
      name: 'evil-private',
      annotations: { [`${PFX}id`]: v.privateToA, [`${PFX}force-override-listeners`]: 'true' },
    }),
    expect: { type: 'Warning', reason: 'InvalidAnnotation', message: /is not open to namespace "team-b"/ },
  },
  {
    name: 'names the SLB the controller created for team-a',
    service: (v) => ({
      name: 'evil-owned',
      annotations: { [`${PFX}id`]: v.owned, [`${PFX}force-override-listeners`]: 'true' },
    }),
    expect: { type: 'Warning', reason: 'InvalidAnnotation', message: /created by a Kubernetes cluster/ },
  },
  {
    name: "forges kubernetes.do.not.delete of team-a's SLB in additional-resource-tags",
    service: (v) => ({
      name: 'evil-tag',
      annotations: { [`${PFX}additional-resource-tags`]: `kubernetes.do.not.delete=${v.ownedDefaultName}` },
    }),
    expect: {
      type: 'Warning',
      reason: 'InvalidAnnotation',
      message: /tag key "kubernetes.do.not.delete" is reserved/,
    },
  },
  {
    name: 'forges the cluster tag ack.aliyun.com',
    service: () => ({
      name: 'evil-cluster-tag',
      annotations: { [`${PFX}additional-resource-tags`]: 'team=b,ack.aliyun.com=someone-else' },
    }),
    expect: { type: 'Warning', reason: 'InvalidAnnotation', message: /tag key "ack.aliyun.com" is reserved/ },
  },
  {
    name: 'forges a look-alike in other case (Kubernetes.Do.Not.Delete)',
    service: (v) => ({
      name: 'evil-case',
      annotations: { [`${PFX}additional-resource-tags`]: `Kubernetes.Do.Not.Delete=${v.ownedDefaultName}` },
    }),
    expect: {
      type: 'Warning',
      reason: 'InvalidAnnotation',
      message: /tag key "Kubernetes.Do.Not.Delete" is reserved/,
    },
  },
  {
    name: 'widens the reuse grant of the shared SLB through additional-resource-tags',
    service: (v) => ({
      name: 'evil-grant',
      annotations: {
        [`${PFX}id`]: v.shared,
        [`${PFX}additional-resource-tags`]: `${GRANT_PREFIX}${v.clusterId}=*`,
      },
    }),
    expect: {
      type: 'Warning',
      reason: 'InvalidAnnotation',
      message: /tag key "kube-alicloud.io\/reusable\/.*" is reserved/,
    },
  },
  {
    name: 'marks an SLB as reused-by-user through additional-resource-tags',
    service: () => ({
      name: 'evil-reused',
      annotations: { [`${PFX}additional-resource-tags`]: 'kubernetes.reused.by.user=true' },
    }),
    expect: {
      type: 'Warning',
      reason: 'InvalidAnnotation',
      message: /tag key "kubernetes.reused.by.user" is reserved/,
    },
  },
];

function serviceObject(namespace: string, s: AttackerService) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace, annotations: s.annotations },
    spec: {
      type: 'LoadBalancer',
      selector: { app: s.name },
      ports: (s.ports ?? [{ name: 'http', port: 80 }]).map((p) => ({
        protocol: 'TCP',
        targetPort: 8080,
        ...p,
      })),
    },
  };
}

interface ServiceView {
  metadata?: { uid?: string; labels?: Record<string, string> };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
}

export interface ServiceEventView {
  type: string;
  reason: string;
  message: string;
}

export function serviceEvents(store: KubeStore, namespace: string, name: string): ServiceEventView[] {
  return store
    .list('events', { namespace })
    .map(
      (e) =>
        e as {
          involvedObject?: { name?: string; kind?: string };
          reason?: string;
          type?: string;
          message?: string;
        },
    )
    .filter((e) => e.involvedObject?.name === name && e.involvedObject.kind === 'Service')
    .map((e) => ({ type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '' }));
}

const LB_LABEL = 'service.k8s.alibaba/loadbalancer-id';

async function waitLoadBalancer(a: SlbArena, name: string): Promise<string> {
  return eventually(
    () => {
      const svc = a.store.get('services', name, VICTIM_NS) as ServiceView | undefined;
      return svc?.status?.loadBalancer?.ingress?.length ? svc.metadata?.labels?.[LB_LABEL] : undefined;
    },
    `the SLB of ${VICTIM_NS}/${name}`,
    { timeoutMs: 20_000 },
  );
}

/** Creates the victims: three hand-made SLBs (shared, private to team-a, closed) and two team-a Services. */
export async function seedVictims(a: SlbArena): Promise<Victims> {
  const make = async (name: string, grant?: string): Promise<string> => {
    const lb = await a.operator.createLoadBalancer({
      LoadBalancerName: name,
      AddressType: 'intranet',
      VSwitchId: a.vSwitchId,
      LoadBalancerSpec: 'slb.s1.small',
      tags: [{ Key: 'owner', Value: 'platform-team' }],
    });
    if (!lb?.LoadBalancerId) throw new Error(`could not create the hand-made SLB ${name}`);
    if (grant)
      await a.operator.tagResources(
        [lb.LoadBalancerId],
        [{ Key: `${GRANT_PREFIX}${a.clusterId}`, Value: grant }],
      );
    // A listener the operator made by hand, on each: never ours to touch either.
    await a.operator.listeners.create(lb.LoadBalancerId, 'tcp', {
      ListenerPort: 22,
      BackendServerPort: 22,
      Description: 'bastion',
      Bandwidth: -1,
    });
    return lb.LoadBalancerId;
  };
  for (const ns of [VICTIM_NS, ATTACKER_NS]) {
    if (!a.store.get('namespaces', ns))
      a.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  const shared = await make('shared-ingress', `${VICTIM_NS},${ATTACKER_NS}`);
  const privateToA = await make('team-a-only', VICTIM_NS);
  const closed = await make('nobodys');
  a.store.create(
    'services',
    serviceObject(VICTIM_NS, {
      name: 'shop',
      annotations: { [`${PFX}id`]: shared, [`${PFX}force-override-listeners`]: 'true' },
    }),
  );
  a.store.create('services', serviceObject(VICTIM_NS, { name: 'web', annotations: {} }));
  await waitLoadBalancer(a, 'shop');
  const owned = await waitLoadBalancer(a, 'web');
  await eventually(
    () =>
      a.state.loadBalancers[shared]?.Listeners.find((l) => l.ListenerPort === 80 && l.Status === 'running'),
    'listener 80 of team-a/shop',
    { timeoutMs: 20_000 },
  );
  await a.settle();
  const uid = (a.store.get('services', 'web', VICTIM_NS) as ServiceView).metadata!.uid!;
  const shopGroup = Object.values(a.state.vserverGroups).find(
    (g) => g.LoadBalancerId === shared && g.VServerGroupName.includes(`/shop/${VICTIM_NS}/`),
  )!.VServerGroupId;
  return {
    shared,
    privateToA,
    closed,
    owned,
    ownedDefaultName: ('a' + uid.replace(/-/g, '')).slice(0, 32),
    shopGroup,
    clusterId: a.clusterId,
  };
}

/**
 * The exact stored JSON of everything that is not the attacker's: the victims' SLBs and every
 * VServer group on them except groups named for the attacker's namespace (which it may own).
 */
export function snapshotVictims(a: SlbArena, v: Victims): string {
  const ids = [v.shared, v.privateToA, v.closed, v.owned];
  const groups = Object.values(a.state.vserverGroups)
    .filter((g) => ids.includes(g.LoadBalancerId) && !g.VServerGroupName.split('/').includes(ATTACKER_NS))
    .sort((x, y) => x.VServerGroupId.localeCompare(y.VServerGroupId));
  return JSON.stringify(
    { loadBalancers: ids.map((id) => a.state.loadBalancers[id] ?? null), groups },
    null,
    1,
  );
}

export interface AttackOutcome {
  attack: string;
  event?: ServiceEventView;
  /** Victim state unchanged after the attack and after the attacker's Service was deleted. */
  unchanged: boolean;
  /** SLBs carrying the victim's kubernetes.do.not.delete value (must stay exactly 1). */
  victimLookups: number;
  problems: string[];
}

/**
 * Replays one attack from team-b: create the Service, wait for its verdict, compare the
 * victims, delete the Service, compare again. Never throws for a failed expectation: the
 * outcome lists the problems so a chaos run can report every attack.
 */
export async function replaySlbAttack(a: SlbArena, v: Victims, attack: SlbAttack): Promise<AttackOutcome> {
  const problems: string[] = [];
  const before = snapshotVictims(a, v);
  const spec = attack.service(v);
  a.store.create('services', serviceObject(ATTACKER_NS, spec));
  let event: ServiceEventView | undefined;
  try {
    event = await eventually(
      () =>
        serviceEvents(a.store, ATTACKER_NS, spec.name).find(
          (e) =>
            e.reason === attack.expect.reason || (e.type === 'Warning' && attack.expect.type === 'Warning'),
        ),
      `a ${attack.expect.reason} event on ${ATTACKER_NS}/${spec.name}`,
      { timeoutMs: 20_000 },
    );
  } catch (err) {
    problems.push(String(err));
  }
  if (
    event &&
    (event.type !== attack.expect.type ||
      event.reason !== attack.expect.reason ||
      !attack.expect.message.test(event.message))
  ) {
    problems.push(
      `expected ${attack.expect.type} ${attack.expect.reason} ~ ${attack.expect.message}, got ${event.type} ${event.reason}: ${event.message}`,
    );
  }
  await a.settle();
  const during = snapshotVictims(a, v);
  a.store.delete('services', spec.name, ATTACKER_NS);
  try {
    await eventually(
      () => (a.store.get('services', spec.name, ATTACKER_NS) ? undefined : true),
      `${ATTACKER_NS}/${spec.name} gone`,
      { timeoutMs: 20_000 },
    );
  } catch (err) {
    problems.push(String(err));
  }
  await a.settle();
  const after = snapshotVictims(a, v);
  const unchanged = before === during && before === after;
  if (!unchanged)
    problems.push(`victim resources changed: ${firstDifference(before, before === during ? after : during)}`);
  const victimLookups = Object.values(a.state.loadBalancers).filter((lb) =>
    lb.Tags.some((t) => t.Key === 'kubernetes.do.not.delete' && t.Value === v.ownedDefaultName),
  ).length;
  if (victimLookups !== 1) problems.push(`${victimLookups} SLBs answer team-a/web's ownership lookup`);
  return { attack: attack.name, ...(event ? { event } : {}), unchanged, victimLookups, problems };
}

function firstDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if (x[i] !== y[i]) return `${(x[i] ?? '').trim()} → ${(y[i] ?? '').trim()}`;
  return '(none)';
}
