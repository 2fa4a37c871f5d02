// DescribeRegions / DescribeZones exist in all three products with slightly different shapes.
import type { Ctx, HandlerTable, ResponseBody } from './context.js';
import type { Product } from './catalog.js';

const HOSTS: Record<Product, string> = { Ecs: 'ecs', Vpc: 'vpc', Slb: 'slb', Nlb: 'nlb' };

export function regionHandlers(product: Product): HandlerTable {
  return {
    DescribeRegions: (ctx: Ctx): ResponseBody => ({
      Regions: {
        Region: ctx.state.regions.map((r) => ({
          RegionId: r.RegionId,
          LocalName: r.LocalName,
          RegionEndpoint: `${HOSTS[product]}.${r.RegionId}.aliyuncs.com`,
          Status: 'available',
        })),
      },
    }),
    DescribeZones: (ctx: Ctx): ResponseBody => ({
      Zones: {
        Zone: ctx.state.zones.map((z) => ({
          ZoneId: z.ZoneId,
          LocalName: z.LocalName,
          ZoneType: 'AvailabilityZone',
          SlaveZones: {
            SlaveZone: ctx.state.zones
              .filter((s) => s.ZoneId !== z.ZoneId)
              .map((s) => ({ ZoneId: s.ZoneId, LocalName: s.LocalName })),
          },
          AvailableDiskCategories: {
            DiskCategories: ['cloud', 'cloud_efficiency', 'cloud_ssd', 'cloud_essd'],
          },
          AvailableInstanceTypes: { InstanceTypes: ['ecs.g6.large', 'ecs.g6.xlarge'] },
          AvailableResourceCreation: { ResourceTypes: ['Instance', 'Disk', 'VSwitch'] },
          NetworkTypes: { NetworkType: ['vpc'] },
        })),
      },
    }),
  };
}
