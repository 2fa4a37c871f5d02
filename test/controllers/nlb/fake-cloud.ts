// An in-memory NlbCloudPort for the apply and plan-convergence tests: it keeps NLBs, listeners,
// server groups and servers the way the NLB API relates them (a group in use by a listener cannot
// be deleted, deletion protection blocks a delete, tags are filters) and counts every call.
import type { NlbCloudPort, NlbRecord } from '../../../src/controllers/nlb/cloudport.js';
import type {
  NlbAttributes,
  NlbListener,
  NlbServer,
  NlbServerGroup,
} from '../../../src/controllers/nlb/types.js';

const codeOf = (err: unknown): string => {
  const c = (err as { code?: unknown }).code;
  return typeof c === 'string' ? c : '';
};

export class FakeNlbCloud implements NlbCloudPort {
  lbs = new Map<string, NlbRecord>();
  listeners = new Map<string, NlbListener & { lb: string }>();
  groups = new Map<string, NlbServerGroup>();
  calls: string[] = [];
  /** Throws once on the named operation (then clears). */
  failOn?: string;
  private seq = 0;

  private call(name: string): void {
    this.calls.push(name);
    if (this.failOn === name) {
      this.failOn = undefined;
      throw Object.assign(new Error(`injected failure in ${name}`), { code: 'SystemBusy' });
    }
  }
  private id(prefix: string): string {
    return `${prefix}-${++this.seq}`;
  }
  writes(): string[] {
    return this.calls.filter((c) => !/^(get|find|list)/.test(c));
  }

  async getLoadBalancer(id: string) {
    this.call('getLoadBalancer');
    const lb = this.lbs.get(id);
    return lb ? structuredClone(lb) : undefined;
  }
  async listLoadBalancersByIds(ids: readonly string[]) {
    this.call('listLoadBalancersByIds');
    return ids.flatMap((id) => {
      const lb = this.lbs.get(id);
      return lb ? [structuredClone(lb)] : [];
    });
  }
  async findLoadBalancers(tags: Record<string, string>) {
    this.call('findLoadBalancers');
    return [...this.lbs.values()]
      .filter((l) => Object.entries(tags).every(([k, v]) => l.tags[k] === v))
      .map((l) => structuredClone(l));
  }
  async createLoadBalancer(a: NlbAttributes, tags: Record<string, string>) {
    this.call('createLoadBalancer');
    const id = this.id('nlb');
    this.lbs.set(id, {
      attributes: {
        ...a,
        loadBalancerId: id,
        addressIpVersion: a.addressIpVersion ?? 'ipv4',
        securityGroupIds: a.securityGroupIds ?? [],
        dnsName: `${id}.cn-hangzhou.nlb.aliyuncs.com`,
      },
      tags: { ...tags },
    });
    return id;
  }
  async deleteLoadBalancer(id: string) {
    this.call('deleteLoadBalancer');
    const lb = this.lbs.get(id);
    if (!lb) throw Object.assign(new Error('not found'), { code: 'ResourceNotFound.loadBalancer' });
    if (lb.attributes.deletionProtection)
      throw Object.assign(new Error('protected'), { code: 'OperationDenied.DeletionProtection' });
    for (const [lid, l] of this.listeners) if (l.lb === id) this.listeners.delete(lid);
    this.lbs.delete(id);
  }
  private lb(id: string): NlbRecord {
    const lb = this.lbs.get(id);
    if (!lb) throw Object.assign(new Error('not found'), { code: 'ResourceNotFound.loadBalancer' });
    return lb;
  }
  async updateLoadBalancer(id: string, c: { name?: string; crossZoneEnabled?: boolean }) {
    this.call('updateLoadBalancer');
    Object.assign(this.lb(id).attributes, c);
  }
  async updateAddressType(id: string, t: 'Internet' | 'Intranet') {
    this.call('updateAddressType');
    this.lb(id).attributes.addressType = t;
  }
  async updateZones(id: string, z: NlbAttributes['zoneMappings']) {
    this.call('updateZones');
    this.lb(id).attributes.zoneMappings = z;
  }
  async updateProtection(
    id: string,
    p: { deletionProtection?: boolean; modificationProtection?: 'ConsoleProtection' | 'NonProtection' },
  ) {
    this.call('updateProtection');
    Object.assign(this.lb(id).attributes, p);
  }
  async joinSecurityGroups(id: string, ids: string[]) {
    this.call('joinSecurityGroups');
    const a = this.lb(id).attributes;
    a.securityGroupIds = [...new Set([...(a.securityGroupIds ?? []), ...ids])].sort();
  }
  async leaveSecurityGroups(id: string, ids: string[]) {
    this.call('leaveSecurityGroups');
    const a = this.lb(id).attributes;
    a.securityGroupIds = (a.securityGroupIds ?? []).filter((x) => !ids.includes(x));
  }
  async attachBandwidthPackage(id: string, p: string) {
    this.call('attachBandwidthPackage');
    this.lb(id).attributes.bandwidthPackageId = p;
  }
  async detachBandwidthPackage(id: string) {
    this.call('detachBandwidthPackage');
    delete this.lb(id).attributes.bandwidthPackageId;
  }
  async tagLoadBalancer(id: string, tags: Record<string, string>) {
    this.call('tagLoadBalancer');
    Object.assign(this.lb(id).tags, tags);
  }
  async untagLoadBalancer(id: string, keys: string[]) {
    this.call('untagLoadBalancer');
    for (const k of keys) delete this.lb(id).tags[k];
  }
  async listListeners(lbId: string) {
    this.call('listListeners');
    return [...this.listeners.values()]
      .filter((l) => l.lb === lbId)
      .map(({ lb: _lb, ...l }) => structuredClone(l));
  }
  async createListener(lbId: string, l: NlbListener, serverGroupId: string) {
    this.call('createListener');
    this.lb(lbId);
    if (!this.groups.has(serverGroupId)) throw new Error(`no server group ${serverGroupId}`);
    const clash = [...this.listeners.values()].find(
      (x) => x.lb === lbId && x.protocol === l.protocol && x.port === l.port,
    );
    if (clash) throw Object.assign(new Error('port used'), { code: 'Conflict.Port' });
    const id = this.id('lsn');
    this.listeners.set(id, {
      ...structuredClone(l),
      listenerId: id,
      serverGroupId,
      status: 'Running',
      lb: lbId,
    });
    return id;
  }
  async updateListener(
    id: string,
    changes: NlbListener['settings'],
    extra: { serverGroupId?: string; description?: string },
  ) {
    this.call('updateListener');
    const l = this.listeners.get(id);
    if (!l) throw new Error('no listener');
    Object.assign(l.settings, changes);
    if (extra.serverGroupId) l.serverGroupId = extra.serverGroupId;
    if (extra.description) l.description = extra.description;
  }
  async startListener(id: string) {
    this.call('startListener');
    this.listeners.get(id)!.status = 'Running';
  }
  async deleteListener(id: string) {
    this.call('deleteListener');
    if (!this.listeners.delete(id))
      throw Object.assign(new Error('not found'), { code: 'ResourceNotFound.listener' });
  }
  async findServerGroups(tags: Record<string, string>) {
    this.call('findServerGroups');
    return [...this.groups.values()]
      .filter((g) => Object.entries(tags).every(([k, v]) => g.tags?.[k] === v))
      .map((g) => structuredClone(g));
  }
  async getServerGroups(ids: readonly string[]) {
    this.call('getServerGroups');
    return ids.flatMap((id) => (this.groups.has(id) ? [structuredClone(this.groups.get(id)!)] : []));
  }
  async createServerGroup(
    g: NlbServerGroup,
    _vpc: string,
    _rg: string | undefined,
    tags: Record<string, string>,
  ) {
    this.call('createServerGroup');
    const id = this.id('sgp');
    this.groups.set(id, { ...structuredClone(g), id, tags: { ...tags }, servers: [] });
    return id;
  }
  async updateServerGroup(id: string, c: NlbServerGroup['settings']) {
    this.call('updateServerGroup');
    Object.assign(this.groups.get(id)!.settings, c);
  }
  async deleteServerGroup(id: string) {
    this.call('deleteServerGroup');
    if (!this.groups.has(id))
      throw Object.assign(new Error('not found'), { code: 'ResourceNotFound.serverGroup' });
    if ([...this.listeners.values()].some((l) => l.serverGroupId === id))
      throw Object.assign(new Error('in use'), { code: 'ResourceInUse.serverGroup' });
    this.groups.delete(id);
  }
  private key = (s: NlbServer) => `${s.serverType}/${s.serverId}/${s.serverIp ?? ''}/${s.port}`;
  async addServers(id: string, servers: NlbServer[]) {
    this.call('addServers');
    this.groups.get(id)!.servers.push(...structuredClone(servers));
  }
  async updateServers(id: string, servers: NlbServer[]) {
    this.call('updateServers');
    const g = this.groups.get(id)!;
    for (const s of servers) {
      const hit = g.servers.find((x) => this.key(x) === this.key(s));
      if (hit) hit.weight = s.weight;
    }
  }
  async removeServers(id: string, servers: NlbServer[]) {
    this.call('removeServers');
    const g = this.groups.get(id)!;
    const drop = new Set(servers.map(this.key));
    g.servers = g.servers.filter((s) => !drop.has(this.key(s)));
  }
  isNotFound(err: unknown): boolean {
    return /NotFound/.test(codeOf(err));
  }
  hasCode(err: unknown, ...codes: string[]): boolean {
    return codes.includes(codeOf(err));
  }
}
