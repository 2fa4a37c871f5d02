// The pod IP → ENI cache and its call budget, against a counting fake of the two cloud reads it
// makes (the e2e in eni-gates.test.ts runs the same code against the emulator).
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { NetworkInterfaceSet } from '../../../src/controllers/service/cloudport.js';
import { EniResolver } from '../../../src/controllers/service/inputs/eni-resolver.js';

/** A VPC 192.168.0.0/16 where `eniOf(ip)` says which ENI holds an IP (undefined: none). */
function fakeCloud(eniOf: (ip: string) => string | undefined) {
  const calls: Array<{ action: string; ips?: number }> = [];
  return {
    calls,
    port: {
      async networkInterfacesByIp(vpcId: string, ips: readonly string[]): Promise<NetworkInterfaceSet[]> {
        assert.equal(vpcId, 'vpc-1');
        assert.ok(ips.length <= 100, `asked for ${ips.length} IPs in one call`);
        calls.push({ action: 'DescribeNetworkInterfaces', ips: ips.length });
        const byEni = new Map<string, string[]>();
        for (const ip of ips) {
          const eni = eniOf(ip);
          if (eni) byEni.set(eni, [...(byEni.get(eni) ?? []), ip]);
        }
        return [...byEni].map(([id, held]) => ({
          NetworkInterfaceId: id,
          PrivateIpAddress: '192.168.255.1',
          PrivateIpSets: { PrivateIpSet: held.map((PrivateIpAddress) => ({ PrivateIpAddress })) },
        }));
      },
      async vpcCidrBlocks(): Promise<string[]> {
        calls.push({ action: 'DescribeVpcs' });
        return ['192.168.0.0/16'];
      },
    },
  };
}

const podIps = (n: number) =>
  Array.from({ length: n }, (_, i) => `192.168.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`);

describe('service inputs: ENI resolver', () => {
  it('asks for 100 IPs per call, and a second sync of the same pods asks for nothing', async () => {
    const cloud = fakeCloud((ip) => `eni-${ip.split('.')[2]}`);
    const r = new EniResolver(cloud.port, { vpcId: () => 'vpc-1' });
    const ips = podIps(250);
    const first = await r.resolve(ips);
    assert.equal(first.calls, 3);
    assert.deepEqual(
      cloud.calls.map((c) => c.ips),
      [100, 100, 50],
    );
    assert.equal(Object.keys(first.eniByIp).length, 250);
    assert.equal(first.eniByIp['192.168.1.7'], 'eni-1');
    cloud.calls.length = 0;
    const again = await r.resolve(ips);
    assert.equal(again.calls, 0);
    assert.deepEqual(cloud.calls, []);
    assert.deepEqual(again.eniByIp, first.eniByIp);
    assert.deepEqual(r.peek(['192.168.1.7', '192.168.9.9']), { '192.168.1.7': 'eni-1' });
  });

  it('a recycled IP (another pod uid) and an invalidated IP are asked for again; others stay cached', async () => {
    let eni = 'eni-old';
    const cloud = fakeCloud(() => eni);
    const r = new EniResolver(cloud.port, { vpcId: () => 'vpc-1' });
    const uids: Record<string, string> = { '192.168.1.1': 'pod-a', '192.168.1.2': 'pod-b' };
    await r.resolve(Object.keys(uids), (ip) => uids[ip]);
    eni = 'eni-new';
    uids['192.168.1.1'] = 'pod-c';
    const next = await r.resolve(Object.keys(uids), (ip) => uids[ip]);
    assert.equal(next.calls, 1);
    assert.deepEqual(next.eniByIp, { '192.168.1.1': 'eni-new', '192.168.1.2': 'eni-old' });
    r.invalidate(['192.168.1.2']);
    const after = await r.resolve(Object.keys(uids), (ip) => uids[ip]);
    assert.equal(after.calls, 1);
    assert.equal(after.eniByIp['192.168.1.2'], 'eni-new');
  });

  it('IPs no ENI holds: inside the VPC they are invalid and asked again; outside they are skipped without asking again', async () => {
    let now = 0;
    const cloud = fakeCloud((ip) => (ip === '192.168.1.1' ? 'eni-1' : undefined));
    const r = new EniResolver(cloud.port, { vpcId: () => 'vpc-1', now: () => now, cidrTtlMs: 1000 });
    const ips = ['192.168.1.1', '192.168.1.2', '10.9.9.9'];
    const first = await r.resolve(ips);
    assert.deepEqual(first.invalid, ['192.168.1.2']);
    assert.deepEqual(first.outsideVpc, ['10.9.9.9']);
    assert.equal(first.calls, 2, 'one lookup, one VPC read');
    const second = await r.resolve(ips);
    assert.deepEqual(second.invalid, ['192.168.1.2']);
    assert.deepEqual(second.outsideVpc, ['10.9.9.9']);
    assert.equal(second.calls, 1, 'only the invalid IP is asked again; the VPC blocks are still fresh');
    now = 5000;
    const stale = await r.resolve(['10.9.9.9']);
    assert.equal(stale.calls, 2, 'the outside verdict expires with the VPC blocks it came from');
  });

  it('the cache is bounded: the least recently used IP goes first', async () => {
    const cloud = fakeCloud(() => 'eni-1');
    const r = new EniResolver(cloud.port, { vpcId: () => 'vpc-1', capacity: 2 });
    await r.resolve(['192.168.1.1', '192.168.1.2']);
    await r.resolve(['192.168.1.1']);
    await r.resolve(['192.168.1.3']);
    assert.equal(r.size(), 2);
    assert.deepEqual(Object.keys(r.peek(['192.168.1.1', '192.168.1.2', '192.168.1.3'])).sort(), [
      '192.168.1.1',
      '192.168.1.3',
    ]);
  });

  it('refuses to search without a VPC id rather than look through every VPC of the account', async () => {
    const r = new EniResolver(fakeCloud(() => 'eni-1').port, { vpcId: () => '' });
    await assert.rejects(r.resolve(['192.168.1.1']), /VPC id is unknown/);
    assert.deepEqual((await r.resolve([])).eniByIp, {});
  });
});
