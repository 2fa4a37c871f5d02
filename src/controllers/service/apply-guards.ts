// Two checks the applier makes against the cloud just before a write, as the official CCM does:
//   - an intranet SLB create that fails because its vswitch has no free IP is retried once on
//     the first other configured vswitch that has one (never when the user named the vswitch);
//   - an HTTPS listener's certificate is switched only to a certificate that exists and has not
//     expired, so a typo or a stale id cannot take the listener's TLS down.
import type { ServiceCloudPort } from './cloudport.js';

export const VSWITCH_FULL = 'VSwitchAvailableIpNotExist';

/** The first of `alternatives` with at least one free IP; vswitches that cannot be read are skipped. */
export async function vswitchWithFreeIps(
  cloud: Pick<ServiceCloudPort, 'vswitchAvailableIps'>,
  alternatives: readonly string[],
): Promise<string | undefined> {
  for (const id of alternatives) {
    const free = await cloud.vswitchAvailableIps(id).catch(() => undefined);
    if (free !== undefined && free > 0) return id;
  }
  return undefined;
}

/**
 * Why switching a listener from `previous` to `next` must not happen, or `undefined` when it may.
 * As in the official CCM: a previous certificate that no longer exists does not block the switch
 * (there is nothing left to protect); a missing or expired new one does.
 */
export async function certificateSwitchRefusal(
  cloud: Pick<ServiceCloudPort, 'serverCertificateExpiry'>,
  previous: string | undefined,
  next: string,
  now: number,
): Promise<string | undefined> {
  if (!previous || previous === next) return undefined;
  const old = await cloud.serverCertificateExpiry(previous);
  const fresh = await cloud.serverCertificateExpiry(next);
  if (old === null) return undefined;
  if (fresh === null) return `certificate ${next} does not exist; the listener keeps ${previous}`;
  if (fresh.expiresAt !== undefined && fresh.expiresAt < now)
    return `certificate ${next} expired at ${new Date(fresh.expiresAt).toISOString()}; the listener keeps ${previous}`;
  return undefined;
}
