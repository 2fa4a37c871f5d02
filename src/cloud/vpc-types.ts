// VPC response shapes, named and nested as in the API catalog (fields the product reads).
import type { TagSet } from './ecs-types.js';

export interface Vpc {
  VpcId: string;
  VpcName?: string;
  CidrBlock?: string;
  /** Further IPv4 blocks added to the VPC after creation (pod IPs of Terway can live there). */
  SecondaryCidrBlocks?: { SecondaryCidrBlock?: string[] };
  VRouterId?: string;
  Status?: string;
  RegionId?: string;
  IsDefault?: boolean;
  VSwitchIds?: { VSwitchId?: string[] };
  RouterTableIds?: { RouterTableIds?: string[] };
  Tags?: TagSet;
}

export interface VRouter {
  VRouterId: string;
  VpcId?: string;
  VRouterName?: string;
  RouteTableIds?: { RouteTableId?: string[] };
}

export interface NextHop {
  NextHopId?: string;
  NextHopType?: string;
  Enabled?: number;
  Weight?: number;
}

export interface RouteEntry {
  RouteEntryId?: string;
  RouteTableId: string;
  DestinationCidrBlock: string;
  Type?: string;
  Status?: string;
  NextHopType?: string;
  InstanceId?: string;
  RouteEntryName?: string;
  Description?: string;
  IpVersion?: string;
  NextHops?: { NextHop?: NextHop[] };
}

export interface RouteTable {
  RouteTableId: string;
  RouteTableType?: string;
  VRouterId?: string;
  Status?: string;
  VSwitchIds?: { VSwitchId?: string[] };
  RouteEntrys?: { RouteEntry?: RouteEntry[] };
}

/** DescribeRouteTableList's item (its own field names: RouterId, RouterType, RouteTableName). */
export interface RouterTableListType {
  RouteTableId: string;
  VpcId?: string;
  RouterId?: string;
  RouterType?: string;
  RouteTableType?: string;
  RouteTableName?: string;
  Status?: string;
  VSwitchIds?: { VSwitchId?: string[] };
  Tags?: TagSet;
}

export interface VSwitch {
  VSwitchId: string;
  VpcId?: string;
  ZoneId?: string;
  CidrBlock?: string;
  VSwitchName?: string;
  Status?: string;
  AvailableIpAddressCount?: number;
  RouteTable?: { RouteTableId?: string; RouteTableType?: string };
  Tags?: TagSet;
}

export interface EipAddress {
  AllocationId: string;
  IpAddress?: string;
  Status?: string;
  InstanceId?: string;
  InstanceType?: string;
  Bandwidth?: string;
  Name?: string;
  Tags?: TagSet;
}

export interface FailedRouteEntry {
  DstCidrBlock?: string;
  NextHop?: string;
  RouteEntryId?: string;
  FailedCode?: string;
  FailedMessage?: string;
}

export interface CreateRouteEntriesResponse {
  RequestId: string;
  SuccessCount?: number;
  FailedCount?: number;
  RouteEntryIds?: string[];
  FailedRouteEntries?: FailedRouteEntry[];
}

export interface DeleteRouteEntriesResponse {
  RequestId: string;
  SuccessCount?: number;
  FailedCount?: number;
  FailedRouteEntries?: FailedRouteEntry[];
}

export interface PagedResponse {
  RequestId: string;
  TotalCount?: number;
  PageNumber?: number;
  PageSize?: number;
}
