// SLB part of POST /_emulator/state: load balancers, server certificates and access control lists.
import { allocatePrivateIp, allocatePublicIp, newId, nowIso } from '../ids.js';
import type { CloudState, LoadBalancer } from '../state.js';
import { defined, list, num, str, tags, type Obj } from './fields.js';
import { wireText } from '../../text.js';

export function mergeLoadBalancers(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.LoadBalancerId) ?? newId('lb');
    const patch: Partial<LoadBalancer> = defined({
      LoadBalancerName: str(o.LoadBalancerName),
      Address: str(o.Address),
      AddressType: str(o.AddressType) as LoadBalancer['AddressType'] | undefined,
      VpcId: str(o.VpcId),
      VSwitchId: str(o.VSwitchId),
      MasterZoneId: str(o.MasterZoneId),
      SlaveZoneId: str(o.SlaveZoneId),
      LoadBalancerSpec: str(o.LoadBalancerSpec),
      LoadBalancerStatus: str(o.LoadBalancerStatus) as LoadBalancer['LoadBalancerStatus'] | undefined,
      DeleteProtection: str(o.DeleteProtection) as LoadBalancer['DeleteProtection'] | undefined,
      ModificationProtectionStatus: str(o.ModificationProtectionStatus) as
        LoadBalancer['ModificationProtectionStatus'] | undefined,
      Tags: tags(o.Tags),
    });
    const existing = state.loadBalancers[id];
    if (existing) {
      Object.assign(existing, patch);
      continue;
    }
    const addressType = patch.AddressType ?? 'internet';
    const vsw = patch.VSwitchId ? state.vswitches[patch.VSwitchId] : undefined;
    const created = new Date();
    state.loadBalancers[id] = {
      LoadBalancerId: id,
      LoadBalancerName: id,
      Address:
        patch.Address ??
        (addressType === 'internet' || !vsw ? allocatePublicIp(state) : allocatePrivateIp(state, vsw)),
      AddressType: addressType,
      AddressIPVersion: 'ipv4',
      NetworkType: patch.VpcId || vsw ? 'vpc' : 'classic',
      VpcId: vsw?.VpcId ?? '',
      VSwitchId: '',
      MasterZoneId: vsw?.ZoneId ?? state.zones[0]?.ZoneId ?? '',
      SlaveZoneId: state.zones[1]?.ZoneId ?? '',
      LoadBalancerSpec: '',
      LoadBalancerStatus: 'active',
      Bandwidth: 5120,
      InternetChargeType: 'paybytraffic',
      PayType: 'PayOnDemand',
      InstanceChargeType: 'PayByCLCU',
      DeleteProtection: 'off',
      ModificationProtectionStatus: 'NonProtection',
      ModificationProtectionReason: '',
      ResourceGroupId: 'rg-emu-default',
      CreateTime: nowIso(created),
      CreateTimeStamp: created.getTime(),
      Tags: [],
      BackendServers: [],
      Listeners: [],
      ...patch,
    };
  }
}

export function mergeCertificates(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.ServerCertificateId) ?? newId('cert');
    const expire = num(o.ExpireTimeStamp) ?? Date.now() + 365 * 24 * 3600 * 1000;
    const now = Date.now();
    state.serverCertificates[id] = {
      ServerCertificateId: id,
      ServerCertificateName: str(o.ServerCertificateName) ?? id,
      Fingerprint: str(o.Fingerprint) ?? '',
      CommonName: str(o.CommonName) ?? 'example.com',
      ExpireTime: nowIso(new Date(expire)),
      ExpireTimeStamp: expire,
      CreateTime: nowIso(new Date(now)),
      CreateTimeStamp: now,
      Tags: tags(o.Tags) ?? [],
    };
  }
}

export function mergeAcls(state: CloudState, items: Obj[]): void {
  for (const o of items) {
    const id = str(o.AclId) ?? newId('acl');
    const entries = list(o.AclEntrys ?? o.Entries).map((e) => ({
      AclEntryIP: wireText(e.AclEntryIP ?? ''),
      AclEntryComment: wireText(e.AclEntryComment ?? ''),
    }));
    state.acls[id] = {
      AclId: id,
      AclName: str(o.AclName) ?? id,
      AddressIPVersion: str(o.AddressIPVersion) ?? 'ipv4',
      CreateTime: nowIso(),
      Entries: entries,
      Tags: tags(o.Tags) ?? [],
    };
  }
}
