// ECS response shapes, named and nested as in the API catalog. Only fields the product reads are
// listed; the API sends more.

export interface TagSet {
  Tag?: { Key?: string; Value?: string; TagKey?: string; TagValue?: string }[];
}

export interface EcsInstance {
  InstanceId: string;
  InstanceName?: string;
  HostName?: string;
  Hostname?: string;
  InstanceType?: string;
  Status?: string;
  RegionId?: string;
  ZoneId?: string;
  CreationTime?: string;
  InstanceChargeType?: string;
  OSType?: string;
  VpcAttributes?: { VpcId?: string; VSwitchId?: string; PrivateIpAddress?: { IpAddress?: string[] } };
  InnerIpAddress?: { IpAddress?: string[] };
  PublicIpAddress?: { IpAddress?: string[] };
  EipAddress?: { IpAddress?: string; AllocationId?: string };
  NetworkInterfaces?: {
    NetworkInterface?: {
      NetworkInterfaceId?: string;
      Type?: string;
      PrimaryIpAddress?: string;
      MacAddress?: string;
    }[];
  };
  Tags?: TagSet;
}

export interface DescribeInstancesResponse {
  RequestId: string;
  TotalCount?: number;
  PageNumber?: number;
  PageSize?: number;
  NextToken?: string;
  Instances?: { Instance?: EcsInstance[] };
}

export interface NetworkInterfaceSet {
  NetworkInterfaceId: string;
  InstanceId?: string;
  Type?: string;
  Status?: string;
  VpcId?: string;
  VSwitchId?: string;
  ZoneId?: string;
  MacAddress?: string;
  PrivateIpAddress?: string;
  SourceDestCheck?: boolean;
  PrivateIpSets?: { PrivateIpSet?: { PrivateIpAddress?: string; Primary?: boolean }[] };
  Tags?: TagSet;
}

export interface DescribeNetworkInterfacesResponse {
  RequestId: string;
  TotalCount?: number;
  NextToken?: string;
  NetworkInterfaceSets?: { NetworkInterfaceSet?: NetworkInterfaceSet[] };
}

export interface EcsDisk {
  DiskId: string;
  DiskName?: string;
  Description?: string;
  Status?: string;
  Type?: string;
  Category?: string;
  Size?: number;
  ZoneId?: string;
  RegionId?: string;
  InstanceId?: string;
  Device?: string;
  SerialNumber?: string;
  PerformanceLevel?: string;
  DeleteWithInstance?: boolean;
  Portable?: boolean;
  Encrypted?: boolean;
  AttachedTime?: string;
  DetachedTime?: string;
  CreationTime?: string;
  Tags?: TagSet;
}

export interface DescribeDisksResponse {
  RequestId: string;
  TotalCount?: number;
  PageNumber?: number;
  PageSize?: number;
  NextToken?: string;
  Disks?: { Disk?: EcsDisk[] };
}

export interface CreateDiskResponse {
  RequestId: string;
  DiskId: string;
}

export interface RequestIdResponse {
  RequestId: string;
}

export interface TagResource {
  ResourceId: string;
  ResourceType?: string;
  TagKey: string;
  TagValue: string;
}

export interface ListTagResourcesResponse {
  RequestId: string;
  NextToken?: string;
  TagResources?: { TagResource?: TagResource[] };
}

export interface EcsZone {
  ZoneId: string;
  LocalName?: string;
  AvailableDiskCategories?: { DiskCategories?: string[] };
  AvailableInstanceTypes?: { InstanceTypes?: string[] };
  AvailableResourceCreation?: { ResourceTypes?: string[] };
}

export interface DescribeZonesResponse {
  RequestId: string;
  Zones?: { Zone?: EcsZone[] };
}

export interface InstanceStatus {
  InstanceId: string;
  Status: string;
}

export interface DescribeInstanceStatusResponse {
  RequestId: string;
  TotalCount?: number;
  PageNumber?: number;
  PageSize?: number;
  InstanceStatuses?: { InstanceStatus?: InstanceStatus[] };
}
