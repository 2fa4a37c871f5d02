// A tiny pure "cloud" for plan tests: applies a Plan to a remote model the way SLB would, so a
// test can check that planning again against the result yields nothing (zero calls at steady state).
import type { Plan } from '../../../src/controllers/service/plan.js';
import type { ListenerModel, RemoteLoadBalancer } from '../../../src/controllers/service/types.js';

export function simulate(plan: Plan, before: RemoteLoadBalancer | undefined): RemoteLoadBalancer | undefined {
  let lb: RemoteLoadBalancer | undefined = before ? structuredClone(before) : undefined;
  // New ids continue after the highest existing one: unique like the cloud's, yet deterministic for golden files.
  let seq = Math.max(
    0,
    ...(JSON.stringify(before ?? {})
      .match(/-sim\d+/g)
      ?.map((m) => Number(m.slice(4))) ?? []),
  );
  const need = (): RemoteLoadBalancer => {
    if (!lb) throw new Error('action on a missing SLB');
    return lb;
  };
  const groupId = (ref: { name: string; id?: string }): string => {
    const g = need().vgroups.find((x) => (ref.id ? x.id === ref.id : x.name === ref.name));
    if (!g?.id) throw new Error(`vgroup ${ref.name} not found`);
    return g.id;
  };
  const listener = (port: number, protocol: string): ListenerModel => {
    const l = need().listeners.find((x) => x.port === port && x.protocol === protocol);
    if (!l) throw new Error(`listener ${port}/${protocol} not found`);
    return l;
  };
  for (const a of plan.actions) {
    switch (a.kind) {
      case 'CreateLoadBalancer':
        lb = {
          attributes: {
            ...a.attributes,
            loadBalancerId: 'lb-sim',
            address: '47.0.0.1',
            networkType: a.attributes.vSwitchId ? 'vpc' : 'classic',
            addressIpVersion: a.attributes.addressIpVersion ?? 'ipv4',
          },
          tags: { ...a.tags },
          listeners: [],
          vgroups: [],
        };
        break;
      case 'SetLoadBalancerName':
        need().attributes.name = a.name;
        break;
      case 'SetLoadBalancerDeleteProtection':
        need().attributes.deleteProtection = a.deleteProtection;
        break;
      case 'SetLoadBalancerModificationProtection':
        need().attributes.modificationProtectionStatus = a.status;
        break;
      case 'ModifyLoadBalancerInstanceChargeType':
        need().attributes.instanceChargeType = a.instanceChargeType;
        if (a.loadBalancerSpec) need().attributes.loadBalancerSpec = a.loadBalancerSpec;
        break;
      case 'ModifyLoadBalancerInstanceSpec':
        need().attributes.loadBalancerSpec = a.loadBalancerSpec;
        break;
      case 'ModifyLoadBalancerInternetSpec':
        need().attributes.internetChargeType = a.internetChargeType;
        if (a.bandwidth !== undefined) need().attributes.bandwidth = a.bandwidth;
        break;
      case 'TagResources':
        Object.assign(need().tags, a.tags);
        break;
      case 'UntagResources':
        for (const k of a.keys) delete need().tags[k];
        break;
      case 'CreateVServerGroup':
        need().vgroups.push({ name: a.vgroup.name, id: `rsp-sim${++seq}`, backends: [] });
        break;
      case 'AddVServerGroupBackends': {
        const g = need().vgroups.find((x) => x.id === groupId(a.vgroup))!;
        g.backends.push(...structuredClone(a.backends));
        break;
      }
      case 'RemoveVServerGroupBackends': {
        const g = need().vgroups.find((x) => x.id === groupId(a.vgroup))!;
        const key = (b: { serverId: string; port: number; serverIp?: string }) =>
          `${b.serverId}|${b.serverIp ?? ''}|${b.port}`;
        const drop = new Set(a.backends.map(key));
        g.backends = g.backends.filter((b) => !drop.has(key(b)));
        break;
      }
      case 'SetVServerGroupBackends': {
        const g = need().vgroups.find((x) => x.id === groupId(a.vgroup))!;
        for (const b of a.backends) {
          const i = g.backends.findIndex(
            (x) =>
              x.serverId === b.serverId && x.port === b.port && (x.serverIp ?? '') === (b.serverIp ?? ''),
          );
          if (i >= 0) g.backends[i] = { ...b };
        }
        break;
      }
      case 'DeleteVServerGroup': {
        const id = a.vgroup.id;
        if (need().listeners.some((l) => l.vGroupId === id)) throw new Error(`vgroup ${id} is in use`);
        need().vgroups = need().vgroups.filter((g) => g.id !== id);
        break;
      }
      case 'DeleteListener':
        listener(a.port, a.protocol);
        need().listeners = need().listeners.filter((l) => !(l.port === a.port && l.protocol === a.protocol));
        break;
      case 'CreateListener': {
        if (
          need().listeners.some(
            (l) => l.port === a.listener.port && (l.protocol === 'udp') === (a.listener.protocol === 'udp'),
          )
        )
          throw new Error(`port ${a.listener.port} in use`);
        const l: ListenerModel = structuredClone(a.listener);
        l.vGroupId = groupId(a.vgroup);
        l.status = 'stopped';
        if (l.protocol === 'https') l.domainExtensions = [];
        need().listeners.push(l);
        break;
      }
      case 'SetListenerAttribute': {
        const l = listener(a.port, a.protocol);
        Object.assign(l.settings, a.changes);
        l.vGroupId = groupId(a.vgroup);
        if (a.description) l.description = a.description;
        break;
      }
      case 'StartListener':
        listener(a.port, a.protocol).status = 'running';
        break;
      case 'CreateDomainExtension':
        listener(a.port, 'https').domainExtensions!.push({
          domain: a.domain,
          serverCertificateId: a.serverCertificateId,
          domainExtensionId: `de-sim${++seq}`,
        });
        break;
      case 'SetDomainExtensionAttribute': {
        const d = listener(a.port, 'https').domainExtensions!.find(
          (x) => x.domainExtensionId === a.domainExtensionId,
        )!;
        d.serverCertificateId = a.serverCertificateId;
        break;
      }
      case 'DeleteDomainExtension': {
        const l = listener(a.port, 'https');
        l.domainExtensions = l.domainExtensions!.filter((x) => x.domainExtensionId !== a.domainExtensionId);
        break;
      }
      case 'DeleteLoadBalancer':
        if (need().attributes.deleteProtection === 'on') throw new Error('delete protection is on');
        lb = undefined;
        break;
    }
  }
  return lb;
}
