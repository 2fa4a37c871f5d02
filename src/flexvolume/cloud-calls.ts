// Calls that talk to ECS: attach, isattached, detach (controller-side by default, kubelet-side in
// kubelet-managed mode) and expandvolume. Attach and detach are serialised per instance across
// processes on this host, because ECS rejects concurrent disk operations on one instance.
import { join } from 'node:path';
import { DriverError, success, type DriverReply } from './protocol.js';
import type { CallContext } from './context.js';
import { attachDisk, detachDisk, isAttached, type AttachOptions } from './attach.js';
import type { CloudSession } from './cloud/connect.js';
import { CloudError } from '../cloud/errors.js';
import { MetadataError } from '../cloud/metadata.js';
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

/**
 * Runs `fn` with a cloud session. The cloud client (pop-core and its dependencies) is loaded here,
 * on first use, so calls that never talk to the cloud do not pay for it; the session is closed
 * afterwards because keep-alive sockets would otherwise hold the process open after the reply.
 */
async function withSession<T>(ctx: CallContext, fn: (session: CloudSession) => Promise<T>): Promise<T> {
  const { connect } = await import('./cloud/connect.js');
  let session: CloudSession | undefined;
  try {
    session = await connect(ctx.cfg, ctx.log);
    return await fn(session);
  } catch (err) {
    // A cloud or metadata answer is an ordinary failure to report, not an internal error; both
    // messages are already scrubbed of secrets by src/cloud.
    if (err instanceof CloudError || err instanceof MetadataError) throw new DriverError(err.message, { cause: err });
    throw err;
  } finally {
    session?.close();
  }
}

function attachOptions(ctx: CallContext): AttachOptions {
  return { timeoutMs: ctx.cfg.attachTimeoutMs, detachFromStopped: ctx.cfg.detachFromStopped, log: ctx.log };
}

export async function attach(ctx: CallContext): Promise<DriverReply> {
  const [json, node] = jsonAndNode(ctx.args);
  const opts = parseVolumeOptions(json);
  const diskId = requireDiskId(opts);
  const nodeName = checkNodeName(node);
  const { instanceId, disk } = await withSession(ctx, async (session) => {
    const instanceId = await instanceForNode(ctx.cfg, session, nodeName);
    const disk = await withLock(join(ctx.cfg.stateDir, 'locks'), instanceId, ctx.cfg.lockTimeoutMs, () => attachDisk(session.cloud, diskId, instanceId, attachOptions(ctx)));
    return { instanceId, disk };
  });
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
  const nodeName = checkNodeName(node);
  const attached = await withSession(ctx, async (session) => isAttached(session.cloud, diskId, await instanceForNode(ctx.cfg, session, nodeName)));
  return success({ attached });
}

export async function detach(ctx: CallContext): Promise<DriverReply> {
  if (ctx.args.length < 2) throw new DriverError('missing arguments, expected: <volumeName> <nodeName>');
  // After a crash the controller passes `<vendor>/<driver>/<volumeName>`; the last part is the name.
  const volumeName = checkVolumeName(ctx.args[0]!.split('/').pop() ?? '');
  const nodeName = checkNodeName(ctx.args[1]);
  const { found, outcome } = await withSession(ctx, async (session) => {
    const instanceId = await instanceForNode(ctx.cfg, session, nodeName);
    const found = await resolveDisk(ctx.cfg.stateDir, session.cloud, volumeName, instanceId);
    if (!found) throw new DriverError(`cannot tell which disk volume ${volumeName} is: no attach record, not a disk id, and no disk tagged or named after it`);
    const outcome = await withLock(join(ctx.cfg.stateDir, 'locks'), instanceId, ctx.cfg.lockTimeoutMs, () => detachDisk(session.cloud, found.diskId, instanceId, attachOptions(ctx)));
    return { found, outcome };
  });
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
  const wantGiB = Math.ceil(newSize / GiB);
  const sizeGiB = await withSession(ctx, async ({ cloud }) => {
    const [disk] = await cloud.describeDisks({ diskIds: [diskId] });
    if (!disk) throw new DriverError(`disk ${diskId} not found`);
    if (disk.sizeGiB < wantGiB) await cloud.resizeDisk(diskId, wantGiB);
    return disk.sizeGiB;
  });
  return success({ volumeNewSize: Math.max(sizeGiB, wantGiB) * GiB });
}
