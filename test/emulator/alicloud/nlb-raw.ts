// Raw ACS3-signed Nlb calls for emulator tests: exact control over host, headers, query, body and
// signing time, so tests can replay the SIGNATURE.md vectors and tamper with any part.
import { request } from 'node:http';
import { acs3Date, formEncode, newNonce, signAcs3 } from '../../../src/cloud/acs3.js';
import type { TestEmulator } from '../../helpers/alicloud.js';

export interface NlbRawOptions {
  query?: Record<string, string>;
  secret?: string;
  accessKeyId?: string;
  securityToken?: string;
  host?: string;
  date?: string;
  nonce?: string;
  /** Replace the body after signing. */
  tamperBody?: string;
  /** Headers to add or override after signing. */
  headers?: Record<string, string>;
  /** Send exactly this body (already encoded) instead of form-encoding `body`. */
  rawBody?: string;
}

export interface NlbRawAnswer {
  status: number;
  body: Record<string, unknown>;
}

export function send(
  url: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<NlbRawAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: u.hostname,
        port: u.port,
        method: 'POST',
        path,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function nlbCall(
  t: TestEmulator,
  action: string,
  body: Record<string, string> = {},
  o: NlbRawOptions = {},
): Promise<NlbRawAnswer> {
  const encoded = o.rawBody ?? (Object.keys(body).length > 0 ? formEncode(body) : '');
  const query = o.query ?? {};
  const signed = signAcs3({
    method: 'POST',
    host: o.host ?? new URL(t.url).host,
    action,
    version: '2022-04-30',
    query,
    body: encoded,
    ...(encoded ? { contentType: 'application/x-www-form-urlencoded' } : {}),
    accessKeyId: o.accessKeyId ?? t.accessKeyId,
    accessKeySecret: o.secret ?? t.accessKeySecret,
    ...(o.securityToken ? { securityToken: o.securityToken } : {}),
    date: o.date ?? acs3Date(Date.now()),
    nonce: o.nonce ?? newNonce(),
  });
  const qs = formEncode(query);
  return send(
    t.url,
    `/${qs ? `?${qs}` : ''}`,
    { accept: 'application/json', ...signed, ...(o.headers ?? {}) },
    o.tamperBody ?? encoded,
  );
}

/** The emulator's default VPC and its vSwitches (one per zone). */
export function network(t: TestEmulator): { vpcId: string; zones: { ZoneId: string; VSwitchId: string }[] } {
  const vpcId = Object.keys(t.emu.state.vpcs)[0]!;
  const zones = Object.values(t.emu.state.vswitches)
    .filter((v) => v.VpcId === vpcId)
    .map((v) => ({ ZoneId: v.ZoneId, VSwitchId: v.VSwitchId }));
  return { vpcId, zones };
}

export function lbParams(t: TestEmulator, extra: Record<string, string> = {}): Record<string, string> {
  const { vpcId, zones } = network(t);
  const out: Record<string, string> = {
    AddressType: 'Intranet',
    VpcId: vpcId,
    LoadBalancerName: 'lb-a',
    ...extra,
  };
  zones.slice(0, 2).forEach((z, i) => {
    out[`ZoneMappings.${i + 1}.ZoneId`] = z.ZoneId;
    out[`ZoneMappings.${i + 1}.VSwitchId`] = z.VSwitchId;
  });
  return out;
}
