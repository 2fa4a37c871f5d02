// Pod IPs on ENIs, as Terway (ENI-multi-IP) and ECI leave them: secondary private IPs of an ENI
// attached to the node's instance, or of an ENI of its own for an ECI pod. Not an RPC action the
// product calls (AssignPrivateIpAddresses is the CNI's business); tests and the admin API set
// them up with the checks the real VPC makes: the IP lies in the ENI's vSwitch and is free.
import { ApiError } from '../errors.js';
import { cidrContains, ipToInt, macAddress, newId, nowIso, parseCidr } from '../ids.js';
import type { CloudState, NetworkInterface } from '../state.js';

export interface PodIpInput {
  /** The node's instance: the IPs go onto its secondary ENI (created on first use). */
  InstanceId?: string;
  /** Or a given ENI. Without either, a new ENI of its own (an ECI pod's). */
  NetworkInterfaceId?: string;
  /** The vSwitch of a new ENI (default: the instance's, else the first one). */
  VSwitchId?: string;
  Ips: string[];
}

function used(state: CloudState): Set<string> {
  return new Set<string>([
    ...Object.values(state.instances).map((i) => i.PrivateIpAddress),
    ...Object.values(state.networkInterfaces).flatMap((e) => [
      e.PrimaryIpAddress,
      ...(e.SecondaryIpAddresses ?? []),
    ]),
    ...Object.values(state.loadBalancers).map((l) => l.Address),
  ]);
}

function newEni(
  state: CloudState,
  instanceId: string,
  vSwitchId: string,
  primaryIp: string,
): NetworkInterface {
  const vsw = state.vswitches[vSwitchId]!;
  const eni: NetworkInterface = {
    NetworkInterfaceId: newId('eni'),
    NetworkInterfaceName: '',
    InstanceId: instanceId,
    Type: 'Secondary',
    PrimaryIpAddress: primaryIp,
    SecondaryIpAddresses: [],
    MacAddress: macAddress(),
    VSwitchId: vsw.VSwitchId,
    VpcId: vsw.VpcId,
    ZoneId: vsw.ZoneId,
    SourceDestCheck: true,
    Status: 'InUse',
    Description: '',
    SecurityGroupIds: ['sg-emu00000000000000001'],
    CreationTime: nowIso(),
  };
  state.networkInterfaces[eni.NetworkInterfaceId] = eni;
  return eni;
}

/** Puts `Ips` on an ENI (see PodIpInput) and returns it; refuses IPs outside its vSwitch or taken. */
export function assignPodIps(state: CloudState, input: PodIpInput): NetworkInterface {
  if (!Array.isArray(input.Ips) || input.Ips.length === 0)
    throw new ApiError(400, 'MissingParameter', 'Ips must list at least one address.');
  let eni: NetworkInterface | undefined;
  if (input.NetworkInterfaceId) {
    eni = state.networkInterfaces[input.NetworkInterfaceId];
    if (!eni)
      throw new ApiError(404, 'InvalidEniId.NotFound', `The ENI ${input.NetworkInterfaceId} does not exist.`);
  } else if (input.InstanceId && state.instances[input.InstanceId]) {
    eni = Object.values(state.networkInterfaces).find(
      (e) => e.InstanceId === input.InstanceId && e.Type === 'Secondary',
    );
  }
  const taken = used(state);
  const ips = input.Ips.map(String);
  for (const ip of ips)
    if (taken.has(ip)) throw new ApiError(400, 'InvalidIp.Duplicated', `The IP ${ip} is in use.`);
  const vSwitchId =
    eni?.VSwitchId ??
    input.VSwitchId ??
    (input.InstanceId ? state.instances[input.InstanceId]?.VSwitchId : undefined) ??
    Object.keys(state.vswitches)[0] ??
    '';
  const vsw = state.vswitches[vSwitchId];
  if (!vsw) throw new ApiError(400, 'InvalidVSwitchId.NotFound', `The vSwitch ${vSwitchId} does not exist.`);
  const range = parseCidr(vsw.CidrBlock);
  for (const ip of ips)
    if (!cidrContains(range, ipToInt(ip)))
      throw new ApiError(
        400,
        'InvalidPrivateIpAddress.Mismatch',
        `The IP ${ip} is not in vSwitch ${vSwitchId}.`,
      );
  // An ECI pod's ENI has the pod IP as its primary address; a node's pod ENI gets the first one.
  eni ??= newEni(state, input.InstanceId ?? newId('eci'), vSwitchId, ips.shift()!);
  eni.SecondaryIpAddresses = [...(eni.SecondaryIpAddresses ?? []), ...ips];
  return eni;
}

/** Takes a pod IP off whatever ENI holds it as a secondary IP (the pod is gone); false when none did. */
export function releasePodIp(state: CloudState, ip: string): boolean {
  for (const e of Object.values(state.networkInterfaces)) {
    const before = e.SecondaryIpAddresses ?? [];
    if (!before.includes(ip)) continue;
    e.SecondaryIpAddresses = before.filter((x) => x !== ip);
    return true;
  }
  return false;
}
