// The two checks the applier makes just before a write, as the official CCM does: a full vswitch
// falls back to another configured one, and an HTTPS listener only switches to a certificate that
// exists and has not expired. The port is a hand-made fake: only the calls these paths make exist.
import assert from 'node:assert/strict';
import {
  certificateSwitchRefusal,
  vswitchWithFreeIps,
} from '../../../src/controllers/service/apply-guards.js';
import { applyPlan } from '../../../src/controllers/service/apply.js';
import { cloudPort, type ServiceCloudPort } from '../../../src/controllers/service/cloudport.js';
import type { Plan } from '../../../src/controllers/service/plan.js';

class CodedError extends Error {
  constructor(readonly code: string) {
    super(`${code}: The vSwitch has no available IP address.`);
  }
}

interface Fake {
  creates: Array<string | undefined>;
  listenerSets: number;
  port: ServiceCloudPort;
}

function fake(opts: {
  full?: readonly string[];
  freeIps?: Record<string, number>;
  certs?: Record<string, number | undefined>;
}): Fake {
  const f: Fake = { creates: [], listenerSets: 0, port: undefined as unknown as ServiceCloudPort };
  const port: Partial<ServiceCloudPort> = {
    createLoadBalancer: (input) => {
      f.creates.push(input.VSwitchId);
      if (input.VSwitchId && opts.full?.includes(input.VSwitchId))
        return Promise.reject(new CodedError('VSwitchAvailableIpNotExist'));
      return Promise.resolve({ LoadBalancerId: 'lb-new', Address: '10.0.0.9' } as Awaited<
        ReturnType<ServiceCloudPort['createLoadBalancer']>
      >);
    },
    hasCode: (err, ...codes) => err instanceof CodedError && codes.includes(err.code),
    isNotFound: () => false,
    vswitchAvailableIps: (id) => {
      const n = opts.freeIps?.[id];
      return n === undefined ? Promise.reject(new Error(`no vswitch ${id}`)) : Promise.resolve(n);
    },
    serverCertificateExpiry: (id) =>
      Promise.resolve(opts.certs && id in opts.certs ? { expiresAt: opts.certs[id] } : null),
    listeners: {
      set: () => {
        f.listenerSets++;
        return Promise.resolve();
      },
    } as unknown as ServiceCloudPort['listeners'],
  };
  f.port = port as ServiceCloudPort;
  return f;
}

const createPlan = (alternatives?: string[]): Plan => ({
  actions: [
    {
      kind: 'CreateLoadBalancer',
      stage: 0,
      attributes: { name: 'a1', addressType: 'intranet', vpcId: 'vpc-1', vSwitchId: 'vsw-a' },
      tags: {},
      ...(alternatives ? { vSwitchAlternatives: alternatives } : {}),
    },
  ],
  conflicts: [],
});

describe('service apply: vswitch fallback', () => {
  it('retries once on the first other vswitch with free IPs', async () => {
    const f = fake({ full: ['vsw-a'], freeIps: { 'vsw-b': 0, 'vsw-c': 12 } });
    const r = await applyPlan(f.port, createPlan(['vsw-b', 'vsw-c']));
    assert.equal(r.error, undefined);
    assert.deepEqual(f.creates, ['vsw-a', 'vsw-c']);
    assert.equal(r.loadBalancerId, 'lb-new');
  });

  it('keeps the original error when no other vswitch has a free IP', async () => {
    const f = fake({ full: ['vsw-a'], freeIps: { 'vsw-b': 0 } });
    const r = await applyPlan(f.port, createPlan(['vsw-b', 'vsw-unreadable']));
    assert.deepEqual(f.creates, ['vsw-a']);
    assert.match(r.error?.message ?? '', /VSwitchAvailableIpNotExist/);
  });

  it('never falls back without alternatives (a vswitch named by annotation)', async () => {
    const f = fake({ full: ['vsw-a'], freeIps: { 'vsw-b': 50 } });
    const r = await applyPlan(f.port, createPlan());
    assert.deepEqual(f.creates, ['vsw-a']);
    assert.match(r.error?.message ?? '', /VSwitchAvailableIpNotExist/);
  });

  it('skips vswitches that cannot be read', async () => {
    const f = fake({ freeIps: { 'vsw-c': 3 } });
    assert.equal(await vswitchWithFreeIps(f.port, ['vsw-x', 'vsw-c']), 'vsw-c');
  });
});

describe('service apply: certificate switch', () => {
  const NOW = Date.parse('2026-06-01T00:00:00Z');
  const certs = {
    'cert-old': NOW - 1,
    'cert-valid': NOW + 86_400_000,
    'cert-expired': NOW - 86_400_000,
    'cert-no-date': undefined,
  };
  const refusal = (previous: string | undefined, next: string) =>
    certificateSwitchRefusal(fake({ certs }).port, previous, next, NOW);

  it('allows a certificate that exists and has not expired', async () => {
    assert.equal(await refusal('cert-old', 'cert-valid'), undefined);
    assert.equal(await refusal('cert-old', 'cert-no-date'), undefined);
  });

  it('refuses an expired certificate, naming it and the one kept', async () => {
    assert.match(
      (await refusal('cert-old', 'cert-expired')) ?? '',
      /cert-expired expired at .*keeps cert-old/,
    );
  });

  it('refuses a certificate that does not exist', async () => {
    assert.match((await refusal('cert-old', 'cert-typo')) ?? '', /cert-typo does not exist/);
  });

  it('does not block when the old certificate is gone (nothing left to protect), or there was none', async () => {
    assert.equal(await refusal('cert-deleted', 'cert-expired'), undefined);
    assert.equal(await refusal(undefined, 'cert-expired'), undefined);
  });

  it('fails the listener update, and sends nothing, when the new certificate is expired', async () => {
    const f = fake({ certs });
    const plan: Plan = {
      loadBalancerId: 'lb-1',
      actions: [
        {
          kind: 'SetListenerAttribute',
          stage: 4,
          port: 443,
          protocol: 'https',
          vgroup: { name: 'g', id: 'rsp-1' },
          changes: { ServerCertificateId: 'cert-expired' },
          previousCertificateId: 'cert-valid',
        },
      ],
      conflicts: [],
    };
    const r = await applyPlan(f.port, plan);
    assert.equal(f.listenerSets, 0);
    assert.match(r.error?.message ?? '', /cert-expired expired/);
  });
});

describe('service cloud port: the reads behind the two checks', () => {
  const port = cloudPort({
    region: 'cn-hangzhou',
    metadata: {} as never,
    ecs: {} as never,
    slb: {
      listeners: {},
      vgroups: {},
      describeServerCertificates: (id?: string) =>
        Promise.resolve(
          (
            {
              c1: [{ ServerCertificateId: 'c1', ExpireTimeStamp: 5 }],
              c2: [{ ServerCertificateId: 'c2', ExpireTime: '2030-01-01T00:00:00Z' }],
              c3: [{ ServerCertificateId: 'c3' }],
            } as Record<string, unknown[]>
          )[id ?? ''] ?? [],
        ),
    } as never,
    vpc: {
      describeVSwitches: (f: { vswitchId?: string }) =>
        Promise.resolve(f.vswitchId === 'vsw-1' ? [{ VSwitchId: 'vsw-1', AvailableIpAddressCount: 7 }] : []),
    } as never,
  });

  it('reads a certificate expiry from ExpireTimeStamp, else ExpireTime; null when it does not exist', async () => {
    assert.deepEqual(await port.serverCertificateExpiry('c1'), { expiresAt: 5 });
    assert.deepEqual(await port.serverCertificateExpiry('c2'), {
      expiresAt: Date.parse('2030-01-01T00:00:00Z'),
    });
    assert.deepEqual(await port.serverCertificateExpiry('c3'), {});
    assert.equal(await port.serverCertificateExpiry('nope'), null);
  });

  it('reads the free IPs of a vswitch; unknown without VPC access or for a missing vswitch', async () => {
    assert.equal(await port.vswitchAvailableIps('vsw-1'), 7);
    assert.equal(await port.vswitchAvailableIps('vsw-2'), undefined);
    const noVpc = cloudPort({
      region: 'r',
      metadata: {} as never,
      ecs: {} as never,
      vpc: undefined as never,
      slb: { listeners: {}, vgroups: {} } as never,
    });
    assert.equal(await noVpc.vswitchAvailableIps('vsw-1'), undefined);
  });
});
