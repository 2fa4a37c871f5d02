// Calls that talk to ECS: attach, isattached, detach (controller-side by default, kubelet-side in
// kubelet-managed mode) and expandvolume. Attach and detach are serialised per instance across
// processes on this host, because ECS rejects concurrent disk operations on one instance.
import { join } from 'node:path';
import { DriverError, success, type DriverReply } from './protocol.js';
import type { CallContext } from './context.js';
import { attachDisk, detachDisk, isAttached, type AttachOptions } from './attach.js';
import { findAttachment, writeAttachment } from './attachments.js';
import type { CloudSession } from './cloud/connect.js';
import type { CloudDisk } from './cloud/types.js';
import { CloudError } from '../cloud/errors.js';
import { MetadataError } from '../cloud/metadata.js';
import { byIdPaths, mapApiDevice } from './device.js';
import { instanceForNode, instanceFromProviderId } from './identity.js';
import { nodeProviderIds } from './kubeapi.js';
import { assertAttachable, grantFor } from './ownership.js';
import { TAG_ATTACHED_NODE, TAG_ATTACHMENT } from '../cloud/ownership.js';
import { withLock } from './lock.js';
import { parseVolumeOptions, requireDiskId } from './options.js';
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
    if (err instanceof CloudError || err instanceof MetadataError)
      throw new DriverError(err.message, { cause: err });
    throw err;
  } finally {
    session?.close();
  }
}

/**
 * Whether a disk may be taken from a Stopped holder: only from a Node of this cluster (its
 * providerID, read through the Kubernetes API), unless the operator allowed any instance.
 */
async function mayTakeFromStopped(ctx: CallContext, holderId: string): Promise<string | undefined> {
  const { cfg } = ctx;
  if (!cfg.detachFromStopped) return 'detachFromStopped is false in the driver config';
  if (cfg.detachFromNonNodes) return undefined;
  if (!cfg.kubeApi) {
    return `the driver cannot tell whether ${holderId} is a Node of this cluster (no kubeApiUrl in its config); set kubeApiUrl, or detachFromNonNodes: true to take disks from any stopped instance`;
  }
  const ids = (await nodeProviderIds(cfg.kubeApi)).map(instanceFromProviderId);
  if (ids.includes(holderId)) return undefined;
  return `instance ${holderId} is not a Node of this cluster; set detachFromNonNodes: true in the driver config to take disks from stopped instances outside the cluster`;
}

async function describeDisk(session: CloudSession, diskId: string): Promise<CloudDisk> {
  const d = (await session.cloud.describeDisks({ diskIds: [diskId] })).find((x) => x.diskId === diskId);
  if (!d) throw new DriverError(`disk ${diskId} not found`);
  return d;
}

export async function attach(ctx: CallContext): Promise<DriverReply> {
  const [json, node] = jsonAndNode(ctx.args);
  const opts = parseVolumeOptions(json);
  const diskId = requireDiskId(opts);
  const nodeName = checkNodeName(node);
  const volumeName = opts.volumeName;
  // Without the name, `detach <volumeName> <nodeName>` could never find this attachment again.
  if (!volumeName)
    throw new DriverError(
      `attach of disk ${diskId}: options lack kubernetes.io/pvOrVolumeName (the kubelet and controller-manager always send it); nothing was attached`,
    );
  const { cfg } = ctx;
  const { instanceId, disk, grant } = await withSession(ctx, async (session) => {
    const instanceId = await instanceForNode(cfg, session, nodeName);
    const described = await describeDisk(session, diskId);
    const grant = assertAttachable(cfg, described, volumeName);
    const record = async (d: CloudDisk) => {
      // A disk already attached here under another volume name keeps that record: its detach
      // must still find it (the second name's detach then finds none and changes nothing).
      if (
        d.status === 'In_use' &&
        d.tags[TAG_ATTACHED_NODE] === nodeName.slice(0, 128) &&
        d.tags[TAG_ATTACHMENT]
      )
        return;
      await writeAttachment(session.cloud, cfg.clusterId, d, nodeName, volumeName);
    };
    const o: AttachOptions = {
      timeoutMs: cfg.attachTimeoutMs,
      mayTakeFromStopped: (h) => mayTakeFromStopped(ctx, h),
      record,
      described,
      log: ctx.log,
    };
    const disk = await withLock(join(cfg.stateDir, 'locks'), instanceId, cfg.lockTimeoutMs, () =>
      attachDisk(session.cloud, diskId, instanceId, o),
    );
    return { instanceId, disk, grant };
  });
  // The caller may be the controller-manager, which cannot see the node's /dev: the serial link is
  // a stable hint, and waitforattach on the node resolves the real device anyway.
  const device =
    cfg.mode === 'node'
      ? byIdPaths(cfg.devRoot, diskId)[0]!
      : (mapApiDevice('/dev', disk.device) ?? byIdPaths('/dev', diskId)[0]!);
  ctx.log.info('attached', { diskId, instanceId, nodeName, volumeName, grant, apiDevice: disk.device });
  return success({ device });
}

export async function isattached(ctx: CallContext): Promise<DriverReply> {
  const [json, node] = jsonAndNode(ctx.args);
  const diskId = requireDiskId(parseVolumeOptions(json));
  const nodeName = checkNodeName(node);
  const attached = await withSession(ctx, async (session) =>
    isAttached(session.cloud, diskId, await instanceForNode(ctx.cfg, session, nodeName)),
  );
  return success({ attached });
}

export async function detach(ctx: CallContext): Promise<DriverReply> {
  if (ctx.args.length < 2) throw new DriverError('missing arguments, expected: <volumeName> <nodeName>');
  // After a crash the controller passes `<vendor>/<driver>/<volumeName>`; the last part is the name.
  const volumeName = checkVolumeName(ctx.args[0]!.split('/').pop() ?? '');
  const nodeName = checkNodeName(ctx.args[1]);
  const { cfg } = ctx;
  const result = await withSession(ctx, async (session) => {
    const instanceId = await instanceForNode(cfg, session, nodeName);
    const found = await findAttachment(cfg, session.cloud, volumeName, nodeName, instanceId);
    if (!found) return undefined;
    const outcome = await withLock(join(cfg.stateDir, 'locks'), instanceId, cfg.lockTimeoutMs, () =>
      detachDisk(session.cloud, found.disk.diskId, instanceId, {
        timeoutMs: cfg.attachTimeoutMs,
        log: ctx.log,
      }),
    );
    return { found, outcome };
  });
  if (!result) {
    // Every attach writes its record before AttachDisk, so no record means this driver never
    // attached a disk under this name to this node (a refused attach, or another volume's disk).
    // A Failure here would be retried forever by the controller for nothing.
    ctx.log.info('detach: nothing recorded', { volumeName, nodeName });
    return success({
      message: `no disk of cluster ${cfg.clusterId} records an attachment of volume ${volumeName} to node ${nodeName}; nothing was detached`,
    });
  }
  ctx.log.info('detach', {
    volumeName,
    nodeName,
    diskId: result.found.disk.diskId,
    via: result.found.via,
    outcome: result.outcome,
  });
  return success({ message: `${result.found.disk.diskId}: ${result.outcome}` });
}

const GiB = 2 ** 30;

export async function expandVolume(ctx: CallContext): Promise<DriverReply> {
  if (ctx.args.length < 4)
    throw new DriverError('missing arguments, expected: <json> <deviceMountPath> <newSize> <oldSize>');
  const diskId = requireDiskId(parseVolumeOptions(ctx.args[0]));
  const newSize = checkSize(ctx.args[2], 'new size');
  checkSize(ctx.args[3], 'old size');
  const wantGiB = Math.ceil(newSize / GiB);
  const sizeGiB = await withSession(ctx, async ({ cloud }) => {
    const [disk] = await cloud.describeDisks({ diskIds: [diskId] });
    if (!disk) throw new DriverError(`disk ${diskId} not found`);
    if (!grantFor(ctx.cfg, disk))
      throw new DriverError(
        `disk ${diskId} does not belong to cluster ${ctx.cfg.clusterId}; it was not resized (see the tags that allow attach in docs/volumes.md)`,
      );
    if (disk.sizeGiB < wantGiB) await cloud.resizeDisk(diskId, wantGiB);
    return disk.sizeGiB;
  });
  return success({ volumeNewSize: Math.max(sizeGiB, wantGiB) * GiB });
}
