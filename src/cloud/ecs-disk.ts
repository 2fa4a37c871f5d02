// One ECS disk record (DescribeDisks) narrowed to the facts the product acts on, with the API's
// optional fields made definite ('' and 0), so the disk controller and the FlexVolume driver read
// disks the same way. Types and one pure function only: the driver's cloud path imports it.
import type { EcsDisk } from './ecs-types.js';
import { readTagMap } from './params.js';

export interface DiskRecord {
  diskId: string;
  diskName: string;
  /** Creating, Available, Attaching, In_use, Detaching, ReIniting… ('' when the API omitted it). */
  status: string;
  /** The instance the disk is attached to, '' when none. */
  instanceId: string;
  /** API device name, e.g. /dev/xvdb (a hint; the guest may name it differently). */
  device: string;
  serialNumber: string;
  zoneId: string;
  /** cloud_essd, cloud_ssd… */
  category: string;
  sizeGiB: number;
  /** system or data. */
  type: string;
  tags: Record<string, string>;
}

export function toDiskRecord(d: EcsDisk): DiskRecord {
  return {
    diskId: d.DiskId,
    diskName: d.DiskName ?? '',
    status: d.Status ?? '',
    instanceId: d.InstanceId ?? '',
    device: d.Device ?? '',
    serialNumber: d.SerialNumber ?? '',
    zoneId: d.ZoneId ?? '',
    category: d.Category ?? '',
    // Some SDK paths hand numbers through as strings; the record promises a number.
    sizeGiB: Number(d.Size ?? 0),
    type: d.Type ?? '',
    tags: readTagMap(d.Tags),
  };
}
