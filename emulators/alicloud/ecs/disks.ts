// Cloud disks with the real lifecycle: Available → Attaching → In_use → Detaching → Available.
// Transitions take config.diskTransitionMs; test hooks run before the new status is visible, so
// a driver that sees In_use can rely on the block device already being there.
import { ApiError, invalidParameter, notFound } from '../errors.js';
import { newId, nowIso } from '../ids.js';
import { pageOf, tokenPageOf } from '../params.js';
import { remember, replayed } from '../tokens.js';
import { matchesTags, nameMatches, renderTags } from '../tags.js';
import type { Ctx, HandlerTable, ResponseBody } from '../context.js';
import type { CloudState, Disk } from '../state.js';
import { getInstance } from './instances.js';

/** Size limits in GiB per category, as documented for data disks. */
export const DISK_LIMITS: Record<string, [number, number]> = {
  cloud: [5, 2000],
  cloud_efficiency: [20, 32768],
  cloud_ssd: [20, 32768],
  cloud_essd: [20, 32768],
};

function getDisk(state: CloudState, id: string): Disk {
  const d = state.disks[id];
  if (!d) throw notFound('InvalidDiskId.NotFound', 'DiskId', id);
  return d;
}

function checkSize(category: string, size: number, param: string): void {
  const [min, max] = DISK_LIMITS[category]!;
  if (size < min)
    throw new ApiError(
      400,
      'InvalidDiskSize.TooSmall',
      `The specified ${param} ${size} is less than the minimum ${min} GiB of ${category}.`,
    );
  if (size > max)
    throw new ApiError(
      400,
      'InvalidDiskSize.TooLarge',
      `The specified ${param} ${size} exceeds the maximum ${max} GiB of ${category}.`,
    );
}

function render(d: Disk): ResponseBody {
  const attached =
    d.InstanceId !== '' && (d.Status === 'In_use' || d.Status === 'Attaching' || d.Status === 'Detaching');
  return {
    DiskId: d.DiskId,
    DiskName: d.DiskName,
    Description: d.Description,
    RegionId: d.RegionId,
    ZoneId: d.ZoneId,
    Category: d.Category,
    PerformanceLevel: d.PerformanceLevel,
    Size: d.Size,
    Status: d.Status,
    Type: d.Type,
    InstanceId: d.InstanceId,
    Device: d.Device,
    Portable: d.Portable,
    DeleteWithInstance: d.DeleteWithInstance,
    Encrypted: d.Encrypted,
    SourceSnapshotId: d.SnapshotId,
    SerialNumber: d.DiskId.replace(/^d-/, ''),
    CreationTime: d.CreationTime,
    AttachedTime: d.AttachedTime,
    DetachedTime: d.DetachedTime,
    DiskChargeType: 'PostPaid',
    MultiAttach: 'Disabled',
    MountInstanceNum: attached ? 1 : 0,
    Tags: renderTags(d.Tags),
    OperationLocks: { OperationLock: [] },
    Attachments: {
      Attachment: attached
        ? [{ InstanceId: d.InstanceId, Device: d.Device, AttachedTime: d.AttachedTime }]
        : [],
    },
  };
}

function createDisk(ctx: Ctx): ResponseBody {
  const { p, state } = ctx;
  const again = replayed(ctx, (id) => Boolean(state.disks[id]));
  if (again) return { DiskId: again, OrderId: '' };
  const zoneId = p.req('ZoneId');
  if (!state.zones.some((z) => z.ZoneId === zoneId))
    throw new ApiError(400, 'InvalidZoneId.NotFound', `The specified ZoneId "${zoneId}" does not exist.`);
  const category = p.str('DiskCategory') ?? 'cloud';
  if (!DISK_LIMITS[category])
    throw new ApiError(
      400,
      'InvalidDiskCategory.ValueNotSupported',
      `The specified DiskCategory "${category}" is not supported.`,
    );
  const size = p.reqInt('Size');
  checkSize(category, size, 'Size');
  const id = newId('d');
  state.disks[id] = {
    DiskId: id,
    DiskName: p.str('DiskName') ?? '',
    Description: p.str('Description') ?? '',
    RegionId: state.regionId,
    ZoneId: zoneId,
    Category: category,
    PerformanceLevel: category === 'cloud_essd' ? (p.str('PerformanceLevel') ?? 'PL1') : '',
    Size: size,
    Status: 'Available',
    Type: 'data',
    InstanceId: '',
    Device: '',
    Portable: true,
    DeleteWithInstance: false,
    Encrypted: p.bool('Encrypted') ?? false,
    SnapshotId: p.str('SnapshotId') ?? '',
    CreationTime: nowIso(),
    AttachedTime: '',
    DetachedTime: '',
    Tags: p.tags(),
  };
  remember(ctx, id);
  return { DiskId: id, OrderId: '' };
}

function freeDevice(state: CloudState, instanceId: string, max: number): string | undefined {
  const used = new Set(
    Object.values(state.disks)
      .filter((d) => d.InstanceId === instanceId && d.Status !== 'Available')
      .map((d) => d.Device),
  );
  for (let i = 1; i <= max; i++) {
    const dev = `/dev/xvd${String.fromCharCode(97 + i)}`;
    if (!used.has(dev)) return dev;
  }
  return undefined;
}

function attachDisk(ctx: Ctx): ResponseBody {
  const { p, state, rt } = ctx;
  const disk = getDisk(state, p.req('DiskId'));
  const inst = getInstance(state, p.req('InstanceId'));
  if (disk.Status !== 'Available')
    throw new ApiError(
      403,
      'IncorrectDiskStatus',
      `The current status of disk ${disk.DiskId} (${disk.Status}) does not support this operation.`,
    );
  if (inst.Status !== 'Running' && inst.Status !== 'Stopped')
    throw new ApiError(
      403,
      'IncorrectInstanceStatus',
      `The current status of instance ${inst.InstanceId} (${inst.Status}) does not support this operation.`,
    );
  if (disk.ZoneId !== inst.ZoneId)
    throw new ApiError(
      403,
      'OperationDenied.ZoneNotMatch',
      `Disk ${disk.DiskId} (${disk.ZoneId}) and instance ${inst.InstanceId} (${inst.ZoneId}) are not in the same zone.`,
    );
  const requested = p.str('Device');
  const device = requested ?? freeDevice(state, inst.InstanceId, state.config.maxDataDisksPerInstance);
  if (!device)
    throw new ApiError(
      403,
      'InstanceDiskLimitExceeded',
      `Instance ${inst.InstanceId} cannot take more data disks.`,
    );
  if (
    requested &&
    Object.values(state.disks).some(
      (d) => d.InstanceId === inst.InstanceId && d.Device === requested && d.Status !== 'Available',
    )
  ) {
    throw invalidParameter('Device', `${requested} is already in use on ${inst.InstanceId}`);
  }
  Object.assign(disk, { Status: 'Attaching', InstanceId: inst.InstanceId, Device: device });
  const dwi = p.bool('DeleteWithInstance');
  if (dwi !== undefined) disk.DeleteWithInstance = dwi;
  rt.schedule(state.config.diskTransitionMs, async () => {
    const d = ctx.state.disks[disk.DiskId];
    const i = ctx.state.instances[inst.InstanceId];
    if (!d || d.Status !== 'Attaching') return;
    if (i) await rt.hooks.onDiskAttached?.(d, i);
    if (d.Status !== 'Attaching') return;
    Object.assign(d, { Status: 'In_use', AttachedTime: nowIso() });
  });
  return {};
}

function detachDisk(ctx: Ctx): ResponseBody {
  const { p, state, rt } = ctx;
  const disk = getDisk(state, p.req('DiskId'));
  const instanceId = p.req('InstanceId');
  const inst = getInstance(state, instanceId);
  if (disk.Type === 'system') throw new ApiError(403, 'OperationDenied', 'A system disk cannot be detached.');
  if (disk.Status !== 'In_use')
    throw new ApiError(
      403,
      'IncorrectDiskStatus',
      `The current status of disk ${disk.DiskId} (${disk.Status}) does not support this operation.`,
    );
  if (disk.InstanceId !== instanceId)
    throw new ApiError(
      403,
      'IncorrectDiskStatus',
      `Disk ${disk.DiskId} is not attached to instance ${instanceId}.`,
    );
  disk.Status = 'Detaching';
  rt.schedule(state.config.diskTransitionMs, async () => {
    const d = ctx.state.disks[disk.DiskId];
    if (!d || d.Status !== 'Detaching') return;
    const i = ctx.state.instances[inst.InstanceId] ?? inst;
    await rt.hooks.onDiskDetached?.(d, i);
    if (d.Status !== 'Detaching') return;
    Object.assign(d, { Status: 'Available', InstanceId: '', Device: '', DetachedTime: nowIso() });
  });
  return {};
}

function deleteDisk(ctx: Ctx): ResponseBody {
  const disk = getDisk(ctx.state, ctx.p.req('DiskId'));
  if (disk.Status !== 'Available')
    throw new ApiError(
      403,
      'IncorrectDiskStatus',
      `The current status of disk ${disk.DiskId} (${disk.Status}) does not support this operation.`,
    );
  delete ctx.state.disks[disk.DiskId];
  return {};
}

function resizeDisk(ctx: Ctx): ResponseBody {
  const disk = getDisk(ctx.state, ctx.p.req('DiskId'));
  const size = ctx.p.reqInt('NewSize');
  if (size <= disk.Size)
    throw new ApiError(
      400,
      'InvalidDiskSize.TooSmall',
      `The new size ${size} must be larger than the current size ${disk.Size}.`,
    );
  checkSize(disk.Category, size, 'NewSize');
  const type = ctx.p.str('Type') ?? 'offline';
  if (type !== 'offline' && type !== 'online') throw invalidParameter('Type', 'must be offline or online');
  if (disk.Status !== 'Available' && disk.Status !== 'In_use')
    throw new ApiError(
      403,
      'IncorrectDiskStatus',
      `The current status of disk ${disk.DiskId} (${disk.Status}) does not support this operation.`,
    );
  disk.Size = size;
  return { OrderId: '' };
}

function modifyDiskAttribute(ctx: Ctx): ResponseBody {
  const { p, state } = ctx;
  const ids = [...(p.str('DiskId') ? [p.str('DiskId')!] : []), ...p.list('DiskIds')];
  if (ids.length === 0)
    throw new ApiError(
      400,
      'MissingParameter',
      'The input parameter "DiskId" that is mandatory for processing this request is not supplied.',
    );
  const disks = ids.map((id) => getDisk(state, id));
  for (const d of disks) {
    const name = p.str('DiskName');
    if (name !== undefined) d.DiskName = name;
    const desc = p.str('Description');
    if (desc !== undefined) d.Description = desc;
    const dwi = p.bool('DeleteWithInstance');
    if (dwi !== undefined) d.DeleteWithInstance = dwi;
  }
  return {};
}

function describeDisks(ctx: Ctx): ResponseBody {
  const { p, state } = ctx;
  const ids = p.jsonStringArray('DiskIds');
  if (ids && ids.length > 100) throw invalidParameter('DiskIds', 'accepts at most 100 ids');
  const tags = p.tags();
  const diskType = p.str('DiskType') ?? 'all';
  const all = Object.values(state.disks).filter(
    (d) =>
      (!ids || ids.includes(d.DiskId)) &&
      (!p.str('InstanceId') || d.InstanceId === p.str('InstanceId')) &&
      (!p.str('Status') || d.Status === p.str('Status')) &&
      (!p.str('ZoneId') || d.ZoneId === p.str('ZoneId')) &&
      (!p.str('Category') || d.Category === p.str('Category')) &&
      (diskType === 'all' || d.Type === diskType) &&
      nameMatches(p.str('DiskName'), d.DiskName) &&
      matchesTags(d.Tags, tags),
  );
  if (p.str('NextToken') !== undefined || p.str('MaxResults') !== undefined) {
    const page = tokenPageOf(all, p, { max: 500, def: 10 });
    return { Disks: { Disk: page.items.map(render) }, NextToken: page.nextToken, TotalCount: all.length };
  }
  const page = pageOf(all, p, { max: 100, def: 10 });
  return {
    Disks: { Disk: page.items.map(render) },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

export const diskHandlers: HandlerTable = {
  CreateDisk: createDisk,
  AttachDisk: attachDisk,
  DetachDisk: detachDisk,
  DeleteDisk: deleteDisk,
  ResizeDisk: resizeDisk,
  ModifyDiskAttribute: modifyDiskAttribute,
  DescribeDisks: describeDisks,
};
