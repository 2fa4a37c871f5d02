// Test helpers for the Alibaba Cloud emulator: start one in-process with random credentials,
// seed instances, and make raw signed calls (independent of src/cloud) to observe the wire.
import { randomBytes } from 'node:crypto';
import {
  computeSignature,
  createInstance,
  startAlicloudEmulator,
  type AlicloudEmulator,
  type AlicloudEmulatorOptions,
  type InstanceInput,
} from '../../emulators/alicloud/index.js';

export const VERSIONS = { Ecs: '2014-05-26', Vpc: '2016-04-28', Slb: '2014-05-15' } as const;
export type ProductName = keyof typeof VERSIONS;

export interface TestEmulator {
  emu: AlicloudEmulator;
  accessKeyId: string;
  accessKeySecret: string;
  url: string;
  close(): Promise<void>;
}

export async function startTestEmulator(opts: Partial<AlicloudEmulatorOptions> = {}): Promise<TestEmulator> {
  const accessKeyId = opts.accessKeyId ?? `LTAI${randomBytes(8).toString('hex')}`;
  const accessKeySecret = opts.accessKeySecret ?? randomBytes(15).toString('base64url');
  const emu = await startAlicloudEmulator({ ...opts, accessKeyId, accessKeySecret });
  return { emu, accessKeyId, accessKeySecret, url: emu.url, close: () => emu.close() };
}

export interface SeededVpc {
  vpcId: string;
  vswitchIds: string[];
  routeTableId: string;
  instanceIds: string[];
}

/** Add `n` running instances spread over the default VPC's vSwitches, named node-0…node-(n-1). */
export function seedInstances(
  emu: AlicloudEmulator,
  n: number,
  extra: (i: number) => InstanceInput = () => ({}),
): SeededVpc {
  const vpcId = Object.keys(emu.state.vpcs)[0]!;
  const vswitchIds = Object.values(emu.state.vswitches)
    .filter((v) => v.VpcId === vpcId)
    .map((v) => v.VSwitchId);
  const routeTableId = Object.values(emu.state.routeTables).find(
    (t) => t.VpcId === vpcId && t.RouteTableType === 'System',
  )!.RouteTableId;
  const instanceIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const inst = createInstance(emu.state, {
      InstanceName: `node-${i}`,
      HostName: `node-${i}`,
      VSwitchId: vswitchIds[i % vswitchIds.length]!,
      ...extra(i),
    });
    instanceIds.push(inst.InstanceId);
  }
  return { vpcId, vswitchIds, routeTableId, instanceIds };
}

export interface RawCallOptions {
  method?: 'GET' | 'POST';
  accessKeyId?: string;
  secret?: string;
  securityToken?: string;
  /** Put the signed parameters in the query even for POST (as the Go SDK does). */
  queryOnPost?: boolean;
  /** Change the parameters after signing, to simulate tampering. */
  tamper?: (signed: Record<string, string>) => void;
  headers?: Record<string, string>;
  /** Fields to drop or override in the signer-added set (e.g. Timestamp). */
  override?: Record<string, string | undefined>;
}

export interface RawResponse {
  status: number;
  body: Record<string, unknown>;
}

let nonceCounter = 0;

/** An independent, hand-written signer in the Go SDK's style (RegionId and empty SignatureType included). */
export async function rawCall(
  t: TestEmulator,
  product: ProductName,
  action: string,
  params: Record<string, string> = {},
  o: RawCallOptions = {},
): Promise<RawResponse> {
  const method = o.method ?? 'POST';
  const all: Record<string, string> = {
    Action: action,
    Version: VERSIONS[product],
    Format: 'JSON',
    AccessKeyId: o.accessKeyId ?? t.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomBytes(16).toString('hex') + String(nonceCounter++),
    SignatureType: '',
    RegionId: 'cn-hangzhou',
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...params,
  };
  if (o.securityToken) all.SecurityToken = o.securityToken;
  for (const [k, v] of Object.entries(o.override ?? {})) {
    if (v === undefined) delete all[k];
    else all[k] = v;
  }
  all.Signature = computeSignature(method, all, o.secret ?? t.accessKeySecret);
  o.tamper?.(all);
  const encoded = new URLSearchParams(all).toString();
  const inQuery = method === 'GET' || o.queryOnPost !== false;
  const res = await fetch(`${t.url}/${inQuery ? `?${encoded}` : ''}`, {
    method,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'AlibabaCloud (linux; amd64) Golang/1.22 Core/0.0.1 TeaDSL/1',
      ...(o.headers ?? {}),
    },
    ...(method === 'POST' && !inQuery ? { body: encoded } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
