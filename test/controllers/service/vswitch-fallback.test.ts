// The vswitch fallback against the Alibaba Cloud emulator, through the real cloud facades: an
// intranet SLB whose vswitch is full (VSwitchAvailableIpNotExist) is created once more on the first
// other configured vswitch that DescribeVSwitches reports with free IPs, as the official CCM does.
import assert from 'node:assert/strict';
import { createCloud, type Cloud } from '../../../src/cloud/index.js';
import { applyPlan } from '../../../src/controllers/service/apply.js';
import { cloudPort } from '../../../src/controllers/service/cloudport.js';
import type { Plan } from '../../../src/controllers/service/plan.js';
import { startTestEmulator, type TestEmulator } from '../../helpers/alicloud.js';

describe('service apply: vswitch fallback against the emulator', () => {
  let emu: TestEmulator;
  let cloud: Cloud;
  let vpcId: string;
  const free = (): string => Object.values(emu.emu.state.vswitches)[0]!.VSwitchId;

  before(async () => {
    emu = await startTestEmulator();
    const region = emu.emu.state.regionId;
    const first = Object.values(emu.emu.state.vswitches)[0]!;
    vpcId = first.VpcId;
    // A /30 has no usable address once the four reserved ones are taken: always full.
    for (const id of ['vsw-full1', 'vsw-full2'])
      emu.emu.state.vswitches[id] = { ...first, VSwitchId: id, CidrBlock: '10.99.0.0/30', NextHost: 1 };
    cloud = createCloud(
      {
        region,
        endpoints: { ecs: emu.url, vpc: emu.url, slb: emu.url },
        metadataEndpoint: emu.url,
        accessKeyId: emu.accessKeyId,
        accessKeySecret: emu.accessKeySecret,
        callerIdentity: 'vswitch-fallback-test',
        qps: { ecs: 0, vpc: 0, slb: 0 },
        retry: { maxAttempts: 2, deadlineMs: 5_000, baseDelayMs: 1, maxDelayMs: 2 },
      },
      { env: {} },
    );
  });
  after(async () => {
    cloud.close();
    await emu.close();
  });

  const plan = (vSwitchAlternatives?: string[]): Plan => ({
    actions: [
      {
        kind: 'CreateLoadBalancer',
        stage: 0,
        attributes: { name: 'fallback', addressType: 'intranet', vpcId, vSwitchId: 'vsw-full1' },
        tags: { 'ack.aliyun.com': 'c-test' },
        ...(vSwitchAlternatives ? { vSwitchAlternatives } : {}),
      },
    ],
    conflicts: [],
  });

  it('creates the SLB on the first other vswitch with free IPs', async () => {
    const r = await applyPlan(cloudPort(cloud), plan(['vsw-full2', free()]));
    assert.equal(r.error, undefined, r.error?.message);
    const lb = emu.emu.state.loadBalancers[r.loadBalancerId!]!;
    assert.equal(lb.VSwitchId, free());
  });

  it('reports the original error when no alternative has room (or there is none)', async () => {
    for (const alternatives of [['vsw-full2'], undefined]) {
      const before = Object.keys(emu.emu.state.loadBalancers).length;
      const r = await applyPlan(cloudPort(cloud), plan(alternatives));
      assert.match(r.error?.message ?? '', /VSwitchAvailableIpNotExist/);
      assert.equal(Object.keys(emu.emu.state.loadBalancers).length, before);
    }
  });
});
