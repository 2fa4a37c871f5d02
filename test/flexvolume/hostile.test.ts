// Tenant safety of the driver binary against the Alibaba Cloud emulator: every replay in
// chaos/lib/hostile-disks.ts must get its refusal and leave the disks it aims at unchanged; a
// node-mode driver asked about another node refuses instead of acting on its own host.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedInstances, startTestEmulator, type TestEmulator } from '../helpers/alicloud.js';
import { addDisk, CLUSTER_ID, ensureBundle, opts, runDriver, writeConfig } from './harness.js';
import { DISK_ATTACKS, replayDiskAttacks, type DiskAttackWorld } from '../../chaos/lib/hostile-disks.js';

describe('flexvolume driver: hostile tenant replays (emulator)', function () {
  this.timeout(120_000);
  let t: TestEmulator;
  let work: string;
  let central: string;
  let node: string;
  let world: DiskAttackWorld;
  let host: string;
  let zone: string;

  before(async () => {
    ensureBundle();
    t = await startTestEmulator();
    t.emu.state.config.diskTransitionMs = 50;
    const vsw = Object.values(t.emu.state.vswitches)[0]!.VSwitchId;
    const [h, foreign, stopped] = seedInstances(t.emu, 3, () => ({ VSwitchId: vsw })).instanceIds as [
      string,
      string,
      string,
    ];
    host = h;
    t.emu.state.instances[stopped]!.Status = 'Stopped';
    zone = t.emu.state.instances[host]!.ZoneId;
    t.emu.setHostMetadata(host, { ramRole: 'KubernetesWorkerRole' });
    work = mkdtempSync(join(tmpdir(), 'flexv-hostile-'));
    central = writeConfig(work, 'central', {
      mode: 'central',
      regionId: t.emu.state.regionId,
      ecsEndpoint: t.url,
      accessKeyId: t.accessKeyId,
      accessKeySecret: t.accessKeySecret,
      stateDir: join(work, 'state'),
      logFile: join(work, 'driver.log'),
      attachTimeoutMs: 5_000,
    });
    node = writeConfig(work, 'node', {
      mode: 'node',
      ecsEndpoint: t.url,
      metadataEndpoint: `${t.url}/_emulator/hosts/${host}`,
      stateDir: join(work, 'node-state'),
      logFile: '',
      attachTimeoutMs: 5_000,
    });
    world = {
      clusterId: CLUSTER_ID,
      nodeName: 'node-0',
      nodeInstanceId: host,
      foreignInstanceId: foreign,
      stoppedForeignInstanceId: stopped,
      addDisk: (extra) => addDisk(t, zone, extra),
    };
  });

  after(async () => {
    await t?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(`refuses all ${DISK_ATTACKS.length} attacks with their specific message, with no cloud write and no disk changed`, async () => {
    t.emu.clearCalls();
    const outcomes = await replayDiskAttacks(
      world,
      async (argv) => (await runDriver(argv, central)).reply,
      (id) => JSON.stringify(t.emu.state.disks[id]),
    );
    assert.deepEqual(
      outcomes.filter((o) => !o.ok).map((o) => `${o.id}: ${o.problem}`),
      [],
    );
    assert.equal(outcomes.length, DISK_ATTACKS.length);
    const writes = t.emu
      .calls()
      .filter((c) =>
        /^(AttachDisk|DetachDisk|TagResources|UntagResources|ModifyDiskAttribute|DeleteDisk)$/.test(c.action),
      );
    assert.deepEqual(
      writes.map((c) => c.action),
      [],
    );
  });

  it('a replay fails when the driver would have acted (the check is not vacuous)', async () => {
    // The same table against a driver that was told to trust every disk through the compatibility list.
    const d = addDisk(t, zone, { Tags: [] });
    const lax = writeConfig(work, 'lax', {
      mode: 'central',
      regionId: t.emu.state.regionId,
      ecsEndpoint: t.url,
      accessKeyId: t.accessKeyId,
      accessKeySecret: t.accessKeySecret,
      stateDir: join(work, 'lax'),
      logFile: '',
      kubeAliyunDisks: [d],
    });
    const attack = {
      id: 'listed',
      title: 'listed disk',
      prepare: () => ({
        argv: ['attach', opts(d, 'data'), 'node-0'],
        expect: DISK_ATTACKS[0]!.prepare(world).expect,
        protect: [d],
      }),
    };
    const [o] = await replayDiskAttacks(
      world,
      async (argv) => (await runDriver(argv, lax)).reply,
      (id) => JSON.stringify(t.emu.state.disks[id]),
      [attack],
    );
    assert.equal(o!.ok, false);
    assert.match(o!.problem, new RegExp(`got Success.*disk ${d} changed`));
  });

  it('node mode: attach, isattached and detach for another node fail, say what to configure, and touch nothing', async () => {
    const d = addDisk(t, zone);
    const before = JSON.stringify(t.emu.state.disks[d]);
    t.emu.clearCalls();
    for (const argv of [
      ['attach', opts(d, 'pv-x'), 'node-7'],
      ['isattached', opts(d, 'pv-x'), 'node-7'],
      ['detach', 'pv-x', 'node-7'],
    ]) {
      const r = await runDriver(argv, node);
      assert.equal(r.reply.status, 'Failure', `${argv[0]}: ${JSON.stringify(r.reply)}`);
      assert.match(
        r.reply.message ?? '',
        new RegExp(
          `node mode acts only on this host \\(instance ${host}.*asked about node node-7; nothing was done.*mode "central".*kubeApiUrl.*nodeName`,
        ),
      );
    }
    assert.equal(JSON.stringify(t.emu.state.disks[d]), before);
    assert.deepEqual(
      t.emu
        .calls()
        .filter((c) => c.action !== 'DescribeDisks' && c.action !== 'DescribeInstances')
        .map((c) => c.action),
      [],
    );
  });

  it('node mode: this host answers to its metadata host name, instance id, private IP and the configured nodeName', async () => {
    const named = writeConfig(work, 'node-named', {
      mode: 'node',
      ecsEndpoint: t.url,
      metadataEndpoint: `${t.url}/_emulator/hosts/${host}`,
      stateDir: join(work, 'node-state'),
      logFile: '',
      nodeName: 'worker-zero',
    });
    const d = addDisk(t, zone);
    const ip = t.emu.state.instances[host]!.PrivateIpAddress;
    for (const name of ['node-0', host, `${t.emu.state.regionId}.${host}`, ip]) {
      const r = await runDriver(['isattached', opts(d, 'pv-y'), name], node);
      assert.equal(r.reply.status, 'Success', `${name}: ${r.reply.message ?? ''}`);
      assert.equal(r.reply.attached, false);
    }
    assert.equal(
      (await runDriver(['isattached', opts(d, 'pv-y'), 'worker-zero'], named)).reply.status,
      'Success',
    );
    assert.equal(
      (await runDriver(['isattached', opts(d, 'pv-y'), 'worker-zero'], node)).reply.status,
      'Failure',
    );
  });

  it('takes a disk from a stopped instance only when the Kubernetes API lists it as a Node (paged), never from an outsider', async () => {
    const vsw = Object.values(t.emu.state.vswitches)[0]!.VSwitchId;
    const [stoppedNode, stoppedOutsider] = seedInstances(t.emu, 2, () => ({ VSwitchId: vsw }))
      .instanceIds as [string, string];
    t.emu.state.instances[stoppedNode]!.Status = 'Stopped';
    t.emu.state.instances[stoppedOutsider]!.Status = 'Stopped';
    const region = t.emu.state.regionId;
    const nodes = [
      { metadata: { name: 'node-0' }, spec: { providerID: `alicloud://${region}.${host}` } },
      { metadata: { name: 'node-stopped' }, spec: { providerID: `${region}.${stoppedNode}` } },
    ];
    const seen: string[] = [];
    const api = createServer((req, res) => {
      seen.push(req.url ?? '');
      const send = (body: unknown) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/api/v1/nodes/node-0') return send(nodes[0]);
      // One Node per page, to follow the continue token.
      if (url.pathname === '/api/v1/nodes')
        return url.searchParams.get('continue') === 'p2'
          ? send({ items: [nodes[1]], metadata: {} })
          : send({ items: [nodes[0]], metadata: { continue: 'p2' } });
      res.writeHead(404).end('{}');
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    try {
      const kubeApiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
      const withApi = writeConfig(work, 'central-kube', {
        mode: 'central',
        regionId: region,
        ecsEndpoint: t.url,
        accessKeyId: t.accessKeyId,
        accessKeySecret: t.accessKeySecret,
        stateDir: join(work, 'kube-state'),
        logFile: '',
        kubeApiUrl,
        attachTimeoutMs: 10_000,
      });
      const onNode = addDisk(t, zone, { Status: 'In_use', InstanceId: stoppedNode, Device: '/dev/xvdb' });
      const onOutsider = addDisk(t, zone, {
        Status: 'In_use',
        InstanceId: stoppedOutsider,
        Device: '/dev/xvdb',
      });
      const refused = await runDriver(['attach', opts(onOutsider, 'pv-o'), 'node-0'], withApi);
      assert.equal(refused.reply.status, 'Failure');
      assert.match(
        refused.reply.message ?? '',
        new RegExp(`instance ${stoppedOutsider} is not a Node of this cluster; set detachFromNonNodes: true`),
      );
      assert.equal(t.emu.state.disks[onOutsider]!.InstanceId, stoppedOutsider);
      assert.ok(seen.includes('/api/v1/nodes?limit=500&continue=p2'), seen.join(' '));
      const moved = await runDriver(['attach', opts(onNode, 'pv-n'), 'node-0'], withApi);
      assert.equal(moved.reply.status, 'Success', moved.reply.message);
      assert.equal(t.emu.state.disks[onNode]!.InstanceId, host);
    } finally {
      await new Promise((r) => api.close(r));
    }
  });
});
