// Attach/detach state machines over DescribeDisks status. Both are idempotent (a repeated or
// concurrent call converges on the same end state), wait for the transition with adaptive polling
// under a bound, and never take a disk away from a running instance.
import { DriverError } from './protocol.js';
import { pollUntil } from './poll.js';
import { CloudError } from '../cloud/errors.js';
import type { CloudDisk, DiskCloud } from './cloud/types.js';
import type { FileLog } from './filelog.js';

export interface DetachOptions {
  timeoutMs: number;
  log: FileLog;
}

export interface AttachOptions {
  timeoutMs: number;
  /**
   * Asked before taking the disk from a Stopped holder (it cannot have the filesystem mounted):
   * undefined allows it, a string is the refusal (which setting would allow it).
   */
  mayTakeFromStopped: (holderId: string) => Promise<string | undefined>;
  /** Runs before every AttachDisk and when the disk is found attached here: the durable record. */
  record?: (disk: CloudDisk) => Promise<void>;
  /** The disk as the caller just described it: spares the first DescribeDisks. */
  described?: CloudDisk;
  log: FileLog;
}

/**
 * ECS disk transitions usually take one to a few seconds: poll densely (≤ 300 ms apart) for the
 * first 10 s so the caller is not kept waiting on a coarse interval, then back off to 2 s.
 */
function pollPlan(timeoutMs: number) {
  return { timeoutMs, firstMs: 100, maxMs: 300, factor: 1.5, slowAfterMs: 10_000, slowMaxMs: 2000 };
}

/** Errors that mean "the disk moved under us, look again" rather than "give up". */
const RACE_CODES =
  /^(IncorrectDiskStatus|IncorrectInstanceStatus|InvalidOperation\.Conflict|OperationConflict|DependencyViolation)/;

async function describeOne(cloud: DiskCloud, diskId: string): Promise<CloudDisk | undefined> {
  const found = await cloud.describeDisks({ diskIds: [diskId] });
  return found.find((d) => d.diskId === diskId);
}

async function tolerateRace(op: () => Promise<void>, log: FileLog): Promise<void> {
  try {
    await op();
  } catch (err) {
    if (err instanceof CloudError && RACE_CODES.test(err.code)) {
      log.info('cloud reported a concurrent change; re-reading the disk', { code: err.code });
      return;
    }
    throw err;
  }
}

async function holderStatus(cloud: DiskCloud, instanceId: string): Promise<string> {
  const found = await cloud.describeInstances({ instanceIds: [instanceId] });
  return found.find((i) => i.instanceId === instanceId)?.status ?? 'NotFound';
}

/** Attaches `diskId` to `instanceId` and waits until the API reports it In_use there. */
export async function attachDisk(
  cloud: DiskCloud,
  diskId: string,
  instanceId: string,
  o: AttachOptions,
): Promise<CloudDisk> {
  let attachCalls = 0;
  let detachedFrom = '';
  let last: CloudDisk | undefined;
  let fresh = o.described?.diskId === diskId ? o.described : undefined;
  const done = await pollUntil<CloudDisk>(async () => {
    const d = fresh ?? (await describeOne(cloud, diskId));
    fresh = undefined;
    if (!d) throw new DriverError(`disk ${diskId} not found`);
    last = d;
    if (d.type === 'system')
      throw new DriverError(`disk ${diskId} is a system disk and is never attached by this driver`);
    const here = d.instanceId === instanceId;
    switch (d.status) {
      case 'In_use':
        if (here) {
          await o.record?.(d);
          return d;
        }
        if (d.instanceId && d.instanceId !== detachedFrom) {
          const holder = await holderStatus(cloud, d.instanceId);
          if (holder !== 'Stopped')
            throw new DriverError(
              `disk ${diskId} is in use by instance ${d.instanceId} (${holder}); it is not taken from another instance`,
            );
          const refusal = await o.mayTakeFromStopped(d.instanceId);
          if (refusal !== undefined)
            throw new DriverError(
              `disk ${diskId} is in use by stopped instance ${d.instanceId} and was left there: ${refusal}`,
            );
          o.log.info('detaching disk from stopped instance before attaching', {
            diskId,
            holder: d.instanceId,
          });
          detachedFrom = d.instanceId;
          await tolerateRace(() => cloud.detachDisk(diskId, d.instanceId), o.log);
          return undefined;
        }
        return undefined;
      case 'Attaching':
        if (!here && d.instanceId)
          throw new DriverError(`disk ${diskId} is being attached to instance ${d.instanceId}`);
        return undefined;
      case 'Available':
        if (attachCalls >= 3)
          throw new DriverError(`disk ${diskId} returned to Available after ${attachCalls} AttachDisk calls`);
        attachCalls++;
        await o.record?.(d);
        o.log.info('AttachDisk', { diskId, instanceId });
        await tolerateRace(() => cloud.attachDisk(diskId, instanceId), o.log);
        return undefined;
      default:
        // Creating, Detaching, ReIniting: wait for it to settle.
        return undefined;
    }
  }, pollPlan(o.timeoutMs));
  if (!done)
    throw new DriverError(
      `disk ${diskId} did not become In_use on ${instanceId} within ${o.timeoutMs} ms (status ${last?.status ?? 'unknown'})`,
    );
  return done;
}

/** Detaches `diskId` from `instanceId` and waits until it has left; a disk held elsewhere or gone is left alone. */
export async function detachDisk(
  cloud: DiskCloud,
  diskId: string,
  instanceId: string,
  o: DetachOptions,
): Promise<'detached' | 'not-attached-here' | 'not-found'> {
  let detachCalls = 0;
  let last: CloudDisk | undefined;
  const out = await pollUntil<'detached' | 'not-attached-here' | 'not-found'>(async () => {
    const d = await describeOne(cloud, diskId);
    if (!d) return 'not-found';
    last = d;
    const here = d.instanceId === instanceId;
    if (d.status === 'Available') return detachCalls > 0 ? 'detached' : 'not-attached-here';
    if (!here && d.instanceId) return 'not-attached-here';
    if (d.status === 'In_use' && here) {
      if (detachCalls >= 3)
        throw new DriverError(`disk ${diskId} still In_use after ${detachCalls} DetachDisk calls`);
      detachCalls++;
      o.log.info('DetachDisk', { diskId, instanceId });
      await tolerateRace(() => cloud.detachDisk(diskId, instanceId), o.log);
    }
    return undefined;
  }, pollPlan(o.timeoutMs));
  if (!out)
    throw new DriverError(
      `disk ${diskId} did not detach from ${instanceId} within ${o.timeoutMs} ms (status ${last?.status ?? 'unknown'})`,
    );
  return out;
}

export async function isAttached(cloud: DiskCloud, diskId: string, instanceId: string): Promise<boolean> {
  const d = await describeOne(cloud, diskId);
  return !!d && d.status === 'In_use' && d.instanceId === instanceId;
}
