// Which route tables the controller manages, decided once at startup. Sources, first wins:
//   1. explicit tables: cloud-config routeTableIDs, else ALIYUN_ROUTE_TABLE (there is no flag)
//   2. the VRouter in ALIYUN_ROUTER (kube-aliyun's setting): its tables
//   3. the VPC (cloud-config vpcid, ALIYUN_VPC or metadata vpc-id, settled at start-up): its tables
// Several tables are fine when named; a VPC or VRouter with several tables and none named is
// an error that says how to name them, because guessing would route pods through one table
// while the vswitches use another.
import { codeOf } from './cloudport/codes.js';
import type { RouteCloudPort, RouteTableInfo } from './cloudport/port.js';

export interface TableSources {
  /** From the flag or cloud-config `routeTableIDs` (comma-separated either way). */
  routeTableIds?: string;
  /** cloud-config `vpcid`. */
  vpcId?: string;
  /** `ALIYUN_ROUTER` / `ALIYUN_ROUTE_TABLE` from kube-aliyun deployments. */
  env?: { ALIYUN_ROUTER?: string; ALIYUN_ROUTE_TABLE?: string };
}

export interface ResolvedTables {
  vpcId: string;
  tables: RouteTableInfo[];
  /** Where the answer came from, for the startup log line. */
  source: 'configured' | 'vrouter' | 'vpc';
}

export class RouteTableConfigError extends Error {
  override name = 'RouteTableConfigError';
}

const HOW_TO_CHOOSE =
  'name the tables to manage with cloud-config "routeTableIDs" (comma-separated) or ALIYUN_ROUTE_TABLE';

export function splitIds(text: string | undefined): string[] {
  return [
    ...new Set(
      (text ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

export async function resolveRouteTables(
  port: RouteCloudPort,
  sources: TableSources,
): Promise<ResolvedTables> {
  const named = splitIds(sources.routeTableIds);
  const fromEnv = splitIds(sources.env?.ALIYUN_ROUTE_TABLE);
  const explicit = named.length > 0 ? named : fromEnv;

  if (explicit.length > 0) {
    const tables: RouteTableInfo[] = [];
    for (const id of explicit) {
      const found = (await port.describeRouteTables({ routeTableId: id }).catch(notFoundAsEmpty)).find(
        (t) => t.routeTableId === id,
      );
      if (!found) throw new RouteTableConfigError(`route table ${id} does not exist in this region`);
      tables.push(found);
    }
    const vpcs = new Set(tables.map((t) => t.vpcId));
    if (vpcs.size > 1)
      throw new RouteTableConfigError(
        `route tables ${explicit.join(', ')} belong to different VPCs (${[...vpcs].join(', ')})`,
      );
    const vpcId = tables[0]!.vpcId;
    if (sources.vpcId && sources.vpcId !== vpcId) {
      throw new RouteTableConfigError(
        `route tables ${explicit.join(', ')} belong to ${vpcId}, but cloud-config vpcid is ${sources.vpcId}`,
      );
    }
    return { vpcId, tables, source: 'configured' };
  }

  const router = sources.env?.ALIYUN_ROUTER?.trim();
  if (router) {
    const vr = await port.describeVRouter(router);
    if (!vr) throw new RouteTableConfigError(`ALIYUN_ROUTER ${router} does not exist in this region`);
    return {
      vpcId: vr.vpcId,
      tables: pickOne(await tablesOf(port, vr.vpcId, vr.routeTableIds), `VRouter ${router}`),
      source: 'vrouter',
    };
  }

  const vpcId = sources.vpcId?.trim() || (await port.metadataVpcId());
  if (!vpcId)
    throw new RouteTableConfigError(
      'cannot tell which VPC to manage routes in: no cloud-config vpcid and no metadata vpc-id',
    );
  return { vpcId, tables: pickOne(await port.describeRouteTables({ vpcId }), `VPC ${vpcId}`), source: 'vpc' };
}

/** The API answers a filter by an unknown id with an error instead of an empty list. */
// Only a missing table reads as "no such table". An unknown AccessKey or region is also a
// `…NotFound` code, and reporting it as a missing route table sends the operator the wrong way.
function notFoundAsEmpty(err: unknown): RouteTableInfo[] {
  const code = codeOf(err) ?? '';
  if (/NotFound/.test(code) && !/^(InvalidAccessKeyId|InvalidRegionId|InvalidSecurityToken)/.test(code))
    return [];
  throw err;
}

async function tablesOf(port: RouteCloudPort, vpcId: string, ids: string[]): Promise<RouteTableInfo[]> {
  const all = await port.describeRouteTables({ vpcId });
  return ids.length > 0 ? all.filter((t) => ids.includes(t.routeTableId)) : all;
}

function pickOne(tables: RouteTableInfo[], where: string): RouteTableInfo[] {
  if (tables.length === 0) throw new RouteTableConfigError(`${where} has no route tables`);
  if (tables.length > 1) {
    const ids = tables.map((t) => `${t.routeTableId}${t.type ? ` (${t.type})` : ''}`).join(', ');
    throw new RouteTableConfigError(`${where} has ${tables.length} route tables: ${ids}; ${HOW_TO_CHOOSE}`);
  }
  return tables;
}
