// Calls that talk to ECS: attach, isattached, detach (controller-side by default, kubelet-side in
// kubelet-managed mode) and expandvolume. Attach and detach are serialised per instance across
// processes on this host, because ECS rejects concurrent disk operations on one instance.
import { join } from 'node:path';
import { DriverError, success, type DriverReply } from './protocol.js';
import type { CallContext } from './context.js';
import { attachDisk, detachDisk, isAttached, type AttachOptions } from './attach.js';
import { connect } from './cloud/connect.js';
import { byIdPaths, mapApiDevice } from './device.js';
import { instanceForNode } from './identity.js';
import { withLock } from './lock.js';
import { parseVolumeOptions, requireDiskId } from './options.js';
import { markDetached, writeRecord } from './records.js';
import { resolveDisk } from './resolve.js';
import { checkNodeName, checkSize, checkVolumeName } from './validate.js';

/** Older trees swapped `<json>` and `<nodeName>`; the JSON argument is the one starting with `{`. */
export function jsonAndNode(args: string[]): [string, string] {
  if (args.length < 2) throw new DriverError('missing arguments, expected: <json> <nodeName>');
  const [a, b] = [args[0]!, args[1]!];
  return a.trimStart().startsWith('{') || !b.trimStart().startsWith('{') ? [a, b] : [b, a];
}

function attachOptions(ctx: CallContext): AttachOptions {
  return { timeoutMs: ctx.cfg.attachTimeoutMs, detachFromStopped: ctx.cfg.detachFromStopped, log: ctx.log };
}

export async function attach(ctx: CallContext): Promise<DriverReply> {
  const [json, node] = jsonAndNode(ctx.args);
  const opts = parseVolumeOptions(json);
  const diskId = requireDiskId(opts);
  const nodeName = checkNodeName(node);
  const session = await connect(ctx.cfg);
  const instanceId = await instanceForNode(ctx.cfg, session, nodeName);
  const disk = await withLock(join(ctx.cfg.stateDir, 'locks'), instanceId, ctx.cfg.lockTimeoutMs, () => attachDisk(session.cloud, diskId, instanceId, attachOptions(ctx)));
  if (opts.volumeName) writeRecord(ctx.cfg.stateDir, { volumeName: opts.volumeName, diskId, instanceId, device: disk.device });
  // The caller may be the controller-manager, which cannot see the node's /dev: the serial link is
  // a stable hint, and waitforattach on the node resolves the real device anyway.
  const device = ctx.cfg.mode === 'node' ? byIdPaths(ctx.cfg.devRoot, diskId)[0]! : (mapApiDevice('/dev', disk.device) ?? byIdPaths('/dev', diskId)[0]!);
  ctx.log.info('attached', { diskId, instanceId, apiDevice: disk.device });
  return success({ device });
}

export async function isattached(ctx: CallContext): Promise<DriverReply> {
  const [json, node] = jsonAndNode(ctx.args);
  const diskId = requireDiskId(parseVolumeOptions(json));
  const session = await connect(ctx.cfg);
  const instanceId = await instanceForNode(ctx.cfg, session, checkNodeName(node));
  return success({ attached: await isAttached(session.cloud, diskId, instanceId) });
}

export async function detach(ctx: CallContext): Promise<DriverReply> {
  if (ctx.args.length < 2) throw new DriverError('missing arguments, expected: <volumeName> <nodeName>');
  // After a crash the controller passes `<vendor>/<driver>/<volumeName>`; the last part is the name.
  const volumeName = checkVolumeName(ctx.args[0]!.split('/').pop() ?? '');
  const nodeName = checkNodeName(ctx.args[1]);
  const session = await connect(ctx.cfg);
  const instanceId = await instanceForNode(ctx.cfg, session, nodeName);
  const found = await resolveDisk(ctx.cfg.stateDir, session.cloud, volumeName, instanceId);
  if (!found) throw new DriverError(`cannot tell which disk volume ${volumeName} is: no attach record, not a disk id, and no disk tagged or named after it`);
  const outcome = await withLock(join(ctx.cfg.stateDir, 'locks'), instanceId, ctx.cfg.lockTimeoutMs, () => detachDisk(session.cloud, found.diskId, instanceId, attachOptions(ctx)));
  markDetached(ctx.cfg.stateDir, volumeName);
  ctx.log.info('detach', { volumeName, diskId: found.diskId, via: found.source, outcome });
  return success({ message: `${found.diskId}: ${outcome}` });
}

const GiB = 2 ** 30;

export async function expandVolume(ctx: CallContext): Promise<DriverReply> {
  if (ctx.args.length < 4) throw new DriverError('missing arguments, expected: <json> <deviceMountPath> <newSize> <oldSize>');
  const diskId = requireDiskId(parseVolumeOptions(ctx.args[0]));
  const newSize = checkSize(ctx.args[2], 'new size');
  checkSize(ctx.args[3], 'old size');
  const session = await connect(ctx.cfg);
  const [disk] = await session.cloud.describeDisks({ diskIds: [diskId] });
  if (!disk) throw new DriverError(`disk ${diskId} not found`);
  const wantGiB = Math.ceil(newSize / GiB);
  if (disk.sizeGiB < wantGiB) await session.cloud.resizeDisk(diskId, wantGiB);
  return success({ volumeNewSize: Math.max(disk.sizeGiB, wantGiB) * GiB });
}
