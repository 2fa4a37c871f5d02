// The official CCM's feature gates that change what the CLB controller does with well-formed
// input, with the official defaults. They come from cloud-config `Global.featureGates`
// (`Name=true,Other=false`); a gate not named there keeps its default, so an unconfigured
// cluster behaves like an unconfigured official CCM.

export interface ServiceGates {
  /** Off: the `alibaba-cloud-loadbalancer-type` annotation is ignored (a CLB is made). */
  LoadBalancerTypeAnnotation: boolean;
  /** Off: `backend-ip-version: ipv6` is ignored and IPv4 endpoints are registered. */
  IPv6DualStack: boolean;
  /** GA upstream: IPv6 backends are read from EndpointSlices only. */
  EndpointSlice: boolean;
}

export const DEFAULT_SERVICE_GATES: Readonly<ServiceGates> = Object.freeze({
  LoadBalancerTypeAnnotation: false,
  IPv6DualStack: false,
  EndpointSlice: true,
});

export function serviceGates(configured?: Readonly<Record<string, boolean>>): ServiceGates {
  const out: ServiceGates = { ...DEFAULT_SERVICE_GATES };
  for (const name of Object.keys(out) as Array<keyof ServiceGates>) {
    const v = configured?.[name];
    if (typeof v === 'boolean') out[name] = v;
  }
  return out;
}
