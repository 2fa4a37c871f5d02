// What the route controller needs from the cloud, in route terms. cloudport.ts adapts the
// src/cloud VPC facade to it; keeping the seam narrow lets apply/inputs be read (and reasoned
// about) without the wire format.
import type { RemoteRoute } from '../diff.js';

export interface RouteTableInfo {
  routeTableId: string;
  vpcId: string;
  vRouterId?: string;
  /** System | Custom */
  type?: string;
}

export interface RouteEntryCreate {
  routeTableId: string;
  cidr: string;
  nextHopId: string;
  name: string;
  description: string;
}

export interface RouteEntryDelete {
  routeTableId: string;
  routeEntryId: string;
  cidr: string;
  nextHopId: string;
}

/** Why one cloud change did not happen: the API's error code and its (redacted) message. */
export interface RouteFailure {
  code: string;
  message: string;
}

/** A per-entry failure inside an otherwise successful batch call. */
export interface EntryFailure {
  cidr: string;
  nextHopId: string;
  code: string;
  message: string;
}

export interface ListResult {
  routes: RemoteRoute[];
  /** API calls the listing took (pages), for the one-listing-per-pass budget. */
  calls: number;
}

export interface RouteCloudPort {
  /** Custom entries of one table; every page. `cidrs` narrows the query to those destinations. */
  listRoutes(routeTableId: string, cidrs?: readonly string[]): Promise<ListResult>;
  createRoutes(entries: readonly RouteEntryCreate[]): Promise<EntryFailure[]>;
  deleteRoutes(entries: readonly RouteEntryDelete[]): Promise<EntryFailure[]>;
  describeRouteTables(filter: { vpcId?: string; routeTableId?: string }): Promise<RouteTableInfo[]>;
  describeVRouter(vRouterId: string): Promise<{ vpcId: string; routeTableIds: string[] } | undefined>;
  /** The VPC of the machine we run on (metadata `vpc-id`). */
  metadataVpcId(): Promise<string>;
  /** Largest batch Create/DeleteRouteEntries accepts, and the page size of listings. */
  readonly maxBatch: number;
  readonly pageSize: number;
  /** How many destinations one filtered listing call may name. */
  readonly maxCidrFilter: number;
}
