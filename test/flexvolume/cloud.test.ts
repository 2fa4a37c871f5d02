// The driver's cloud session on src/cloud, in-process against the Alibaba Cloud emulator: what the
// DiskCloud adapter asks and answers, both credential modes, errors, and where the client's logs
// go. The last test proves in a child process that calls without cloud work never load pop-core.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedInstances, startTestEmulator, type TestEmulator } from '../helpers/alicloud.js';
import { CloudError } from '../../src/cloud/errors.js';
import { loadConfig, type FlexConfig } from '../../src/flexvolume/config.js';
import { connect, type CloudSession } from '../../src/flexvolume/cloud/connect.js';
import { cloudLogger } from '../../src/flexvolume/cloud/logger.js';
import { createFileLog, noLog } from '../../src/flexvolume/filelog.js';
import { DriverError } from '../../src/flexvolume/protocol.js';
import { PV_NAME_TAG } from '../../src/flexvolume/cloud/types.js';
import { addDisk, DRIVER, ensureBundle, writeConfig } from './harness.js';

describe('flexvolume cloud session (src/cloud adapter, emulator)', function () {
  this.timeout(30_000);
  let t: TestEmulator;
  let work: string;
  let host: string;
  let other: string;
  let zone: string;
  const open: CloudSession[] = [];

  function config(name: string, body: Record<string, unknown>): FlexConfig {
    return loadConfig({
      ALICLOUD_FLEXVOLUME_CONFIG: writeConfig(work, name, {
        stateDir: join(work, 'state'),
        logFile: '',
        ...body,
      }),
    });
  }
  function central(extra: Record<string, unknown> = {}): FlexConfig {
    return config('central', {
      mode: 'central',
      regionId: t.emu.state.regionId,
      ecsEndpoint: t.url,
      accessKeyId: t.accessKeyId,
      accessKeySecret: t.accessKeySecret,
      ...extra,
    });
  }
  async function session(cfg: FlexConfig, log = noLog): Promise<CloudSession> {
    const s = await connect(cfg, log);
    open.push(s);
    return s;
  }

  before(async () => {
    t = await startTestEmulator();
    t.emu.state.config.diskTransitionMs = 0;
    const vsw = Object.values(t.emu.state.vswitches)[0]!.VSwitchId;
    [host, other] = seedInstances(t.emu, 2, () => ({ VSwitchId: vsw })).instanceIds as [string, string];
    zone = t.emu.state.instances[host]!.ZoneId;
    t.emu.setHostMetadata(host, { ramRole: 'KubernetesWorkerRole' });
    work = mkdtempSync(join(tmpdir(), 'flexv-cloud-'));
  });

  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });

  after(async () => {
    await t?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('describes disks by id across pages, by PV-name tag and by name, as CloudDisk records', async () => {
    const { cloud } = await session(central());
    const many = Array.from({ length: 130 }, () => addDisk(t, zone));
    const tagged = addDisk(t, zone, {
      Tags: [{ Key: PV_NAME_TAG, Value: 'pvc-tagged' }],
      Size: 42,
      DiskName: 'named-disk',
    });
    t.emu.clearCalls();
    const byIds = await cloud.describeDisks({ diskIds: many });
    assert.deepEqual(new Set(byIds.map((d) => d.diskId)), new Set(many));
    assert.ok(
      t.emu.calls().filter((c) => c.action === 'DescribeDisks').length >= 2,
      'more than 100 ids take more than one call',
    );
    const [d] = await cloud.describeDisks({ tag: { key: PV_NAME_TAG, value: 'pvc-tagged' } });
    assert.equal(d?.diskId, tagged);
    assert.equal(d?.sizeGiB, 42);
    assert.equal(d?.status, 'Available');
    assert.equal(d?.type, 'data');
    assert.equal(d?.zoneId, zone);
    assert.equal(d?.tags[PV_NAME_TAG], 'pvc-tagged');
    assert.deepEqual(
      (await cloud.describeDisks({ diskName: 'named-disk' })).map((x) => x.diskId),
      [tagged],
    );
    assert.deepEqual(await cloud.describeDisks({ tag: { key: PV_NAME_TAG, value: 'pvc-nobody' } }), []);
  });

  it('finds instances by id, by private IP (no VPC id known) and by name', async () => {
    const { cloud } = await session(central());
    const inst = t.emu.state.instances[other]!;
    const [byId] = await cloud.describeInstances({ instanceIds: [other] });
    assert.equal(byId?.instanceId, other);
    assert.equal(byId?.status, 'Running');
    assert.deepEqual(byId?.privateIps, [inst.PrivateIpAddress]);
    assert.deepEqual(
      (await cloud.describeInstances({ privateIps: [inst.PrivateIpAddress] })).map((i) => i.instanceId),
      [other],
    );
    const byName = await cloud.describeInstances({ instanceName: inst.InstanceName });
    assert.deepEqual(
      byName.map((i) => [i.instanceId, i.instanceName, i.hostName]),
      [[other, inst.InstanceName, inst.HostName]],
    );
  });

  it('attaches, detaches and resizes as the audited caller alicloud-flexvolume', async () => {
    const { cloud } = await session(central());
    const diskId = addDisk(t, zone);
    t.emu.clearCalls();
    await cloud.attachDisk(diskId, host);
    await t.emu.idle();
    assert.equal(t.emu.state.disks[diskId]!.InstanceId, host);
    await cloud.resizeDisk(diskId, 25);
    assert.equal(t.emu.state.disks[diskId]!.Size, 25);
    await cloud.detachDisk(diskId, host);
    await t.emu.idle();
    assert.equal(t.emu.state.disks[diskId]!.Status, 'Available');
    const writes = t.emu.calls().filter((c) => ['AttachDisk', 'ResizeDisk', 'DetachDisk'].includes(c.action));
    assert.deepEqual(
      writes.map((c) => [c.action, c.code, c.caller]),
      [
        ['AttachDisk', 'Success', 'alicloud-flexvolume'],
        ['ResizeDisk', 'Success', 'alicloud-flexvolume'],
        ['DetachDisk', 'Success', 'alicloud-flexvolume'],
      ],
    );
    assert.equal(writes[1]!.params.Type, 'online');
  });

  it('answers API errors as CloudError carrying the code the attach state machine branches on', async () => {
    const { cloud } = await session(central());
    await assert.rejects(
      cloud.attachDisk('d-doesnotexist00000000', host),
      (err: unknown) => err instanceof CloudError && err.code === 'InvalidDiskId.NotFound',
    );
  });

  it('retries a throttled call, logging the retry to the driver log file only', async () => {
    const logFile = join(work, 'retry.log');
    const { cloud } = await session(central(), createFileLog(logFile, 'attach'));
    t.emu.setFaults({ DescribeDisks: { code: 'Throttling.User', httpStatus: 400, times: 1 } });
    const diskId = addDisk(t, zone);
    const [d] = await cloud.describeDisks({ diskIds: [diskId] });
    assert.equal(d?.diskId, diskId);
    const lines = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(
      lines.some((l) => l.code === 'Throttling.User' && l.msg === 'cloud call failed; retrying'),
      readFileSync(logFile, 'utf8'),
    );
    assert.ok(!readFileSync(logFile, 'utf8').includes(t.accessKeySecret));
  });

  it('a refused cloud call reaches the caller as a driver Failure naming the API code, not an internal error', async () => {
    const path = writeConfig(work, 'central-refused', {
      mode: 'central',
      regionId: t.emu.state.regionId,
      ecsEndpoint: t.url,
      accessKeyId: t.accessKeyId,
      accessKeySecret: t.accessKeySecret,
      stateDir: join(work, 'state'),
      logFile: '',
    });
    t.emu.setFaults({ AttachDisk: { code: 'Forbidden.RAM', httpStatus: 403, times: 1 } });
    const diskId = addDisk(t, zone);
    // Imported the way main.ts does (dynamically): under mocha+tsx a static import would load the
    // handlers as CommonJS while src/cloud arrives by import(), two copies of its error classes.
    const { dispatch } = await import('../../src/flexvolume/cloud-entry.js');
    await assert.rejects(
      dispatch(
        ['attach', JSON.stringify({ diskId, 'kubernetes.io/pvOrVolumeName': 'pv-refused' }), host],
        { ALICLOUD_FLEXVOLUME_CONFIG: path },
        undefined,
      ),
      (err: unknown) =>
        // By name: under mocha+tsx the dynamically imported handler may get its own copy of protocol.ts.
        err instanceof Error &&
        err.name === 'DriverError' &&
        /AttachDisk failed: Forbidden\.RAM/.test(err.message),
    );
    assert.equal(t.emu.state.disks[diskId]!.Status, 'Available');
  });

  it('node mode: region and instance id from metadata, RAM-role STS credentials, no AccessKey', async () => {
    const cfg = config('node', {
      mode: 'node',
      ecsEndpoint: t.url,
      metadataEndpoint: `${t.url}/_emulator/hosts/${host}`,
    });
    assert.equal(cfg.credentials, undefined);
    const s = await session(cfg);
    assert.equal(s.regionId, t.emu.state.regionId);
    assert.equal(await s.instanceId(), host);
    const diskId = addDisk(t, zone);
    t.emu.clearCalls();
    assert.equal((await s.cloud.describeDisks({ diskIds: [diskId] }))[0]?.diskId, diskId);
    assert.deepEqual(
      t.emu.calls().map((c) => [c.action, c.code]),
      [['DescribeDisks', 'Success']],
    );
  });

  it('node mode on a host without a RAM role fails without calling the API', async () => {
    const cfg = config('node-norole', {
      mode: 'node',
      ecsEndpoint: t.url,
      metadataEndpoint: `${t.url}/_emulator/hosts/${other}`,
    });
    const s = await session(cfg);
    t.emu.clearCalls();
    await assert.rejects(s.cloud.describeDisks({ diskIds: ['d-x'] }), /no RAM role/);
    assert.equal(t.emu.calls().length, 0);
  });

  it('central mode without an AccessKey is refused before anything is loaded or called', async () => {
    const cfg = config('central-nokey', {
      mode: 'central',
      regionId: t.emu.state.regionId,
      ecsEndpoint: t.url,
    });
    await assert.rejects(
      connect(cfg, noLog),
      (err: unknown) => err instanceof DriverError && /needs an AccessKey/.test(err.message),
    );
  });

  it('sends the cloud client silent when the driver has no log file', () => {
    assert.equal(cloudLogger(noLog).level, 'silent');
    const file = join(work, 'direct.log');
    const logger = cloudLogger(createFileLog(file, 'detach'));
    logger.info({ accessKeySecret: 'x', note: `key ${t.accessKeySecret}` }, 'hello');
    const line = JSON.parse(readFileSync(file, 'utf8').trim()) as Record<string, unknown>;
    assert.equal(line.msg, 'hello');
    assert.equal(line.accessKeySecret, '***');
    assert.ok(!String(line.note).includes(t.accessKeySecret));
  });

  it('init, mountdevice, unmountdevice and expandfs never load the cloud client; attach does', function () {
    this.timeout(60_000);
    // A resolve hook records every module the driver loads (run from source through tsx).
    const seen = join(work, 'loaded.txt');
    const hook = join(work, 'hook.mjs');
    writeFileSync(
      hook,
      [
        "import { appendFileSync } from 'node:fs';",
        'export async function resolve(specifier, context, next) {',
        '  const r = await next(specifier, context);',
        `  appendFileSync(${JSON.stringify(seen)}, r.url + '\\n');`,
        '  return r;',
        '}',
      ].join('\n'),
    );
    const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(`file://${hook}`)});`)}`;
    const cfgPath = writeConfig(work, 'boundary', { mode: 'central', regionId: 'cn-hangzhou', logFile: '' });
    const loaded = (args: string[]): string[] => {
      writeFileSync(seen, '');
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--import', register, 'src/flexvolume/main.ts', ...args],
        {
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ALICLOUD_FLEXVOLUME_CONFIG: cfgPath },
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      assert.equal(r.status === null, false, 'driver finished');
      JSON.parse(r.stdout);
      return readFileSync(seen, 'utf8').split('\n').filter(Boolean);
    };
    // src/cloud/ownership.ts is the one exception: tag names only, it imports nothing.
    const cloudish = (urls: string[]) =>
      urls.filter(
        (u) =>
          /@alicloud\/pop-core|\/src\/cloud\/|\/pino\/|prom-client/.test(u) &&
          !u.endsWith('/src/cloud/ownership.ts'),
      );
    const dev = join(work, 'not-a-device');
    writeFileSync(dev, '');
    // init is answered by the entry alone: not even the dispatcher or the config reader loads.
    const initModules = loaded(['init']).filter((u) => u.includes('/src/'));
    assert.ok(
      initModules.some((u) => u.endsWith('/src/flexvolume/main.ts')),
      'hook saw the entry',
    );
    assert.deepEqual(
      initModules.filter(
        (u) => !/\/src\/(flexvolume\/(main|options|validate|protocol)|util\/errors)\.ts$/.test(u),
      ),
      [],
      'init loads only the entry and its pure helpers',
    );
    for (const args of [
      ['mountdevice', join(work, 'mnt'), dev, '{}'],
      ['unmountdevice', join(work, 'mnt')],
      ['expandfs', '{}', dev, join(work, 'p'), '1024', '512'],
    ]) {
      const urls = loaded(args);
      assert.ok(
        urls.some((u) => u.endsWith('/src/flexvolume/dispatch.ts')),
        `hook saw the driver's modules for ${args[0]}`,
      );
      assert.deepEqual(cloudish(urls), [], `${args[0]} must not load the cloud client`);
    }
    // The same probe sees the client when a call needs it (this one then fails: no AccessKey).
    const attach = loaded([
      'attach',
      JSON.stringify({ diskId: 'd-abc', 'kubernetes.io/pvOrVolumeName': 'pv-abc' }),
      'node-0',
    ]);
    assert.ok(
      cloudish(attach).some((u) => u.includes('@alicloud/pop-core')),
      'attach loads pop-core',
    );
    assert.deepEqual(
      attach.filter((u) => /\/pino\/|prom-client|@opentelemetry/.test(u)),
      [],
      'a driver call is one process: no metrics registry, no pino',
    );
  });

  it("the bundled entry has no import statement, only dynamic imports of its own build's parts", () => {
    ensureBundle();
    const entry = readFileSync(join(process.cwd(), 'dist/flexvolume/driver.mjs'), 'utf8');
    // Each static import is a module the loader resolves and links before init can answer.
    assert.deepEqual(entry.match(/(^|[;}\s])import\s*[{*\w]/g) ?? [], [], 'no static import');
    const dynamic = [...entry.matchAll(/import\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]);
    assert.equal(dynamic.length, 2, `one host part and one cloud part: ${dynamic.join(', ')}`);
    for (const d of dynamic) assert.match(d!, /^\.\/driver-(node|cloud)-[A-Za-z0-9]+\.mjs$/);
    assert.ok(
      statSync(join(process.cwd(), 'dist/flexvolume/driver.mjs')).size < 8192,
      'the entry stays small',
    );
  });

  it('the bundled driver answers init without loading any HTTP/TLS module (the cloud client stays unevaluated)', function () {
    this.timeout(60_000);
    ensureBundle();
    const out = join(work, 'modules.txt');
    const probe = `data:text/javascript,${encodeURIComponent(`import fs from 'node:fs'; process.on('exit', () => fs.writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));`)}`;
    const r = spawnSync(process.execPath, ['--import', probe, DRIVER, 'init'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(JSON.parse(r.stdout).status, 'Success');
    const modules = readFileSync(out, 'utf8').split('\n');
    assert.ok(modules.includes('NativeModule fs'), 'the probe saw the module list');
    for (const m of ['http', 'https', 'tls', '_http_agent'])
      assert.ok(!modules.includes(`NativeModule ${m}`), `init loaded ${m}`);
  });
});
